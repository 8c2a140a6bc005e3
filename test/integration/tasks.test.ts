/**
 * Tasks between two real agents: correlation by taskId, the worker's signed
 * processed receipt kept as proof, idempotent replays, and task.expired.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { decodeEnvelope, publicKeyFromPeerIdBytes, nativePrimitives } from '../../src/crypto/index.js'
import { envelopeSignatureInput } from '../../src/crypto/envelope.js'
import { Agents, cardFound, collect } from './agents.js'
import { waitFor } from './helpers.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { OpenTask } from '../../src/node/tasks.js'
import type { MessageRecord } from '../../src/store/index.js'

const agents = new Agents()
afterEach(agents.stopAll)

async function pair (): Promise<{ requester: AgentNode, worker: AgentNode }> {
  const { bootstrap } = await agents.network()
  const requester = await agents.start({ bootstrap })
  const worker = await agents.start({ bootstrap })
  await cardFound(requester, worker)
  return { requester, worker }
}

describe('tasks', { timeout: 60_000 }, () => {
  it('a response is correlated by taskId, and the worker\'s signed processed receipt is kept as proof', async () => {
    const { requester, worker } = await pair()
    const requests = collect<MessageRecord>(worker, 'message.received')
    const responses = collect<MessageRecord>(requester, 'task.response')
    const request = await requester.send(worker.peerId, {
      type: 'task-request', task: { taskId: 'review-42', deadline: Date.now() + 60_000, idempotencyKey: 'pr-42' }, payload: { pr: 42 }
    })
    await waitFor(() => requests.length === 1)
    expect(requests[0]?.task).toMatchObject({ taskId: 'review-42', idempotencyKey: 'pr-42' })
    await worker.send(requester.peerId, { type: 'task-response', task: { taskId: 'review-42', state: 'completed' }, payload: { approved: true } })
    await waitFor(() => responses.length === 1)
    expect(responses[0]).toMatchObject({ type: 'task-response', task: { taskId: 'review-42', state: 'completed' }, payload: { approved: true } })
    await waitFor(async () => (await requester.message(request.messageId))?.status === 'processed')
    const proof = (await requester.taskProof(request.messageId))!
    const env = decodeEnvelope(proof)
    // anyone can check the worker signed it
    expect(nativePrimitives.ed25519Verify(publicKeyFromPeerIdBytes(env.from), envelopeSignatureInput(env, env.id, env.ciphertext), env.signature)).toBe(true)
    expect(Buffer.from(env.from)).toEqual(Buffer.from(worker.libp2p.peerId.toMultihash().bytes))
  })

  it('a repeated idempotency key is answered with the first response and not shown again', async () => {
    const { requester, worker } = await pair()
    const requests = collect<MessageRecord>(worker, 'message.received')
    const responses = collect<MessageRecord>(requester, 'task.response')
    const deadline = Date.now() + 60_000
    await requester.send(worker.peerId, { type: 'task-request', task: { taskId: 't1', deadline, idempotencyKey: 'same' }, payload: { n: 1 } })
    await waitFor(() => requests.length === 1)
    await worker.send(requester.peerId, { type: 'task-response', task: { taskId: 't1', state: 'completed' }, payload: { result: 'first' } })
    await waitFor(() => responses.length === 1)
    // the retry of the same work under a new taskId
    await requester.send(worker.peerId, { type: 'task-request', task: { taskId: 't2', deadline, idempotencyKey: 'same' }, payload: { n: 1 } })
    await waitFor(() => responses.length === 2)
    expect(responses[1]).toMatchObject({ task: { taskId: 't2', state: 'completed' }, payload: { result: 'first' } })
    expect(requests).toHaveLength(1)
  })

  it('task.expired fires at the deadline when no terminal response came', async () => {
    const { requester, worker } = await pair()
    const expired = collect<OpenTask>(requester, 'task.expired')
    const deadline = Date.now() + 1500
    const request = await requester.send(worker.peerId, { type: 'task-request', task: { taskId: 'slow', deadline, idempotencyKey: 'k' } })
    // a non-terminal response does not close it
    await waitFor(async () => (await worker.inbox()).total === 1)
    await worker.send(requester.peerId, { type: 'task-response', task: { taskId: 'slow', state: 'working' } })
    await waitFor(() => expired.length === 1, { timeout: 10_000 })
    expect(expired[0]).toMatchObject({ taskId: 'slow', messageId: request.messageId, peer: worker.peerId })
    expect(Date.now()).toBeGreaterThanOrEqual(deadline)
  })
})
