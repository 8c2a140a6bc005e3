/**
 * Crashes and restarts: a receiver killed with SIGKILL mid-stream, a sender
 * restarted from its data dir, and a recipient that is down when mail is sent.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { Agents } from './agents.js'
import { tempDir, waitFor } from './helpers.js'
import type { StatusChange } from '../../src/node/agent-node.js'
import type { ChildProcess } from 'node:child_process'

const fixture = fileURLToPath(new URL('./fixtures/agent-process.ts', import.meta.url))

const agents = new Agents()
const { start, stop } = agents
const children = new Set<ChildProcess>()

interface Child { process: ChildProcess, peerId: string, received: string[] }

/** Start an agent in a child process; resolves once it printed its ready line. */
async function startChild (dataDir: string, bootstrap: string): Promise<Child> {
  // one process (not tsx's CLI, which forks): SIGKILL must kill the node itself
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, bootstrap], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.add(child)
  child.on('exit', () => children.delete(child))
  const received: string[] = []
  return await new Promise((resolve, reject) => {
    child.on('exit', code => { reject(new Error(`agent process exited with ${code}`)) })
    createInterface({ input: child.stdout! }).on('line', line => {
      const msg = JSON.parse(line) as { ready?: boolean, peerId?: string, received?: number, content?: string }
      if (msg.ready === true) resolve({ process: child, peerId: msg.peerId!, received })
      else if (msg.content !== undefined) received.push(msg.content)
    })
  })
}

async function exited (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise(resolve => child.once('exit', resolve))
}

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL')
  await agents.stopAll()
})

describe('restarts', { timeout: 120_000 }, () => {
  it('the receiver is killed mid-stream and restarted: nothing lost, nothing duplicated, the outbox drains', async () => {
    const boot = await start({ dhtServer: true })
    const bootstrap = boot.addresses.find(a => !a.includes('/ws'))!
    // 600 messages within a minute: past the default 120 a minute per peer
    const alice = await start({ bootstrap: [bootstrap], rateLimits: { dmsPerMinute: Infinity } })
    const bobDir = await tempDir()
    let bob = await startChild(bobDir, bootstrap)
    await waitFor(async () => await alice.getCard(bob.peerId).then(() => true, () => false), { timeout: 30_000 })

    const delivered = new Set<string>()
    alice.addEventListener('message.status', (evt) => {
      const s = (evt as CustomEvent<StatusChange>).detail
      if (s.status === 'delivered') delivered.add(s.messageId)
    })
    const total = 600
    const ids: string[] = []
    for (let i = 0; i < total; i++) ids.push((await alice.send(bob.peerId, { type: 'text', content: `m${i}` })).messageId)
    // kill it abruptly once some, but not all, have arrived
    await waitFor(() => bob.received.length >= 50, { timeout: 30_000 })
    bob.process.kill('SIGKILL')
    await exited(bob.process)
    const beforeCrash = bob.received.length
    expect(beforeCrash).toBeLessThan(total)

    bob = await startChild(bobDir, bootstrap)
    await waitFor(() => delivered.size === total, { timeout: 60_000 })
    bob.process.kill('SIGTERM')
    await exited(bob.process)

    // read Bob's store as it is on disk
    const bobAgain = await start({ dataDir: bobDir, start: false })
    const conversation = (await bobAgain.conversations())[0]!
    const history = await bobAgain.history(conversation.conversationId, { limit: 500 })
    const rest = await bobAgain.history(conversation.conversationId, { limit: 500, before: history.messages[0]!.messageId })
    const contents = [...rest.messages, ...history.messages].map(m => m.content)
    expect(contents).toEqual(Array.from({ length: total }, (_, i) => `m${i}`))
    expect(new Set([...rest.messages, ...history.messages].map(m => m.messageId)).size).toBe(total)
    expect(ids.every(id => delivered.has(id))).toBe(true)
  })

  it('the sender restarts: its ratchet sessions resume without a new X3DH', async () => {
    const boot = await start({ dhtServer: true })
    const bootstrap = [boot.addresses.find(a => !a.includes('/ws'))!]
    const aliceDir = await tempDir()
    let alice = await start({ dataDir: aliceDir, bootstrap })
    const bob = await start({ bootstrap })
    await waitFor(async () => await alice.getCard(bob.peerId).then(() => true, () => false), { timeout: 30_000 })
    const received: string[] = []
    bob.addEventListener('message.received', (evt) => { received.push((evt as CustomEvent<{ content: string }>).detail.content) })
    await alice.send(bob.peerId, { type: 'text', content: 'before' })
    await waitFor(() => received.length === 1)
    expect(alice.stats.x3dhInitiated).toBe(1)
    const peerId = alice.peerId
    await stop(alice)

    alice = await start({ dataDir: aliceDir, bootstrap })
    expect(alice.peerId).toBe(peerId)
    await alice.send(bob.peerId, { type: 'text', content: 'after' })
    await waitFor(() => received.length === 2)
    expect(received).toEqual(['before', 'after'])
    expect(alice.stats.x3dhInitiated).toBe(0)
    // and Bob's reply still opens on Alice's restored session
    const atAlice: string[] = []
    alice.addEventListener('message.received', (evt) => { atAlice.push((evt as CustomEvent<{ content: string }>).detail.content) })
    await bob.send(alice.peerId, { type: 'text', content: 'reply' })
    await waitFor(() => atAlice.length === 1)
    expect((await alice.history((await alice.conversations())[0]!.conversationId)).messages.map(m => m.content)).toEqual(['before', 'after', 'reply'])
  })

  it('a card seen before is still known after a restart with no network (the persistent cache)', async () => {
    const boot = await start({ dhtServer: true })
    const bootstrap = [boot.addresses.find(a => !a.includes('/ws'))!]
    const aliceDir = await tempDir()
    let alice = await start({ dataDir: aliceDir, bootstrap })
    const bob = await start({ bootstrap, name: 'bob' })
    await waitFor(async () => await alice.getCard(bob.peerId).then(() => true, () => false), { timeout: 30_000 })
    const bobId = bob.peerId
    await stop(bob)
    await stop(boot)
    await stop(alice)
    alice = await start({ dataDir: aliceDir })
    const card = await alice.getCard(bobId, { signal: AbortSignal.timeout(10_000) })
    expect(['cache', 'stale-cache']).toContain(card.source)
    expect(card.card.name).toBe('bob')
  })

  it('a message to an unreachable agent stays queued and is delivered once it comes up', async () => {
    const boot = await start({ dhtServer: true })
    const bootstrap = [boot.addresses.find(a => !a.includes('/ws'))!]
    const alice = await start({ bootstrap })
    const bobDir = await tempDir()
    let bob = await start({ dataDir: bobDir, bootstrap })
    await waitFor(async () => await alice.getCard(bob.peerId).then(() => true, () => false), { timeout: 30_000 })
    await stop(bob)

    const sent = await alice.send(bob.peerId, { type: 'text', content: 'while you were out' })
    expect(sent.status).toBe('queued')
    // it cannot be delivered while Bob is down: it stays queued (or sent, if written to a dying stream), never delivered
    expect(['queued', 'sent']).toContain((await alice.message(sent.messageId))?.status)

    bob = await start({ dataDir: bobDir, bootstrap })
    const received: string[] = []
    bob.addEventListener('message.received', (evt) => { received.push((evt as CustomEvent<{ content: string }>).detail.content) })
    // Bob reconnects to the network; Alice's retry finds him
    await waitFor(async () => (await alice.message(sent.messageId))?.status === 'delivered', { timeout: 30_000 })
    expect((await bob.inbox()).messages.map(m => m.content)).toEqual(['while you were out'])
  })
})
