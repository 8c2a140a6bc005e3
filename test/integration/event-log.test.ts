/**
 * The durable event log between two real agents: every event the node
 * dispatches is also in the log, in order, with the state change that caused
 * it, and still there after a restart.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Agents, cardFound } from './agents.js'
import { tempDir, waitFor } from './helpers.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { StoredEvent } from '../../src/store/index.js'

const agents = new Agents()
afterEach(agents.stopAll)

async function logged (node: AgentNode, type?: string): Promise<StoredEvent[]> {
  const all = await node.eventLog.after(0, 1000)
  return type == null ? all : all.filter(e => e.type === type)
}

describe('event log', { timeout: 60_000 }, () => {
  it('holds received messages, every status change, reads, task responses and expiries, across a restart', async () => {
    const { bootstrap } = await agents.network()
    const alice = await agents.start({ bootstrap, eventLog: true })
    const dataDir = await tempDir()
    let bob = await agents.start({ bootstrap, dataDir, eventLog: true })
    await cardFound(alice, bob)

    const sent = await alice.send(bob.peerId, { type: 'text', content: 'hello' })
    const [received] = await waitFor(async () => { const r = await logged(bob, 'message.received'); return r.length === 1 && r })
    expect(received!.data).toMatchObject({ messageId: sent.messageId, content: 'hello', from: alice.peerId })
    // the event was written with the message: the message is there whenever the event is
    expect(await bob.message(sent.messageId)).toBeDefined()

    await bob.markRead(sent.messageId)
    expect(await logged(bob, 'message.read')).toMatchObject([{ data: { messageId: sent.messageId } }])
    const statuses = await waitFor(async () => {
      const s = (await logged(alice, 'message.status')).map(e => (e.data as { status: string }).status)
      return s.includes('read') && s
    })
    expect(statuses).toEqual(['queued', 'sent', 'delivered', 'read'])

    // tasks: a response, and a request that expires
    await bob.send(alice.peerId, { type: 'task-request', task: { taskId: 't1', deadline: Date.now() + 60_000, idempotencyKey: 'k1' }, payload: {} })
    await waitFor(async () => (await logged(alice, 'message.received')).length === 1)
    await alice.send(bob.peerId, { type: 'task-response', task: { taskId: 't1', state: 'completed' }, payload: { ok: true } })
    await waitFor(async () => (await logged(bob, 'task.response')).length === 1)
    await bob.send(alice.peerId, { type: 'task-request', task: { taskId: 't2', deadline: Date.now() + 200, idempotencyKey: 'k2' }, payload: {} })
    await waitFor(async () => (await logged(bob, 'task.expired')).length === 1)

    const cursors = (await logged(bob)).map(e => e.cursor)
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b))
    const before = await logged(bob)
    await agents.stop(bob)
    bob = await agents.start({ bootstrap, dataDir, eventLog: true })
    expect(await logged(bob)).toEqual(before)
  })
})
