/**
 * A store write failing under a burst of sends: whatever was sealed from the
 * session state it leaves behind never reaches the wire, the sends it carried
 * fail, and the session goes on (the next messages open at the recipient).
 * Real nodes over TCP; the sender's store is the real one, with one send
 * batch's write made to fail, slowly, while the next batch is sealed and
 * queued behind it. And the bound on that: while a batch's write is held,
 * one more batch is sealed behind it and the rest wait.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Agents, collect } from './agents.js'
import { waitFor } from './helpers.js'
import { SessionManager } from '../../src/node/session-manager.js'
import type * as StoreModule from '../../src/store/index.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { MessageRecord, Store } from '../../src/store/index.js'

const stores: Store[] = []
vi.mock('../../src/store/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof StoreModule>()
  return {
    ...real,
    openStore: async (options: Parameters<typeof real.openStore>[0]) => {
      const store = await real.openStore(options)
      stores.push(store)
      return store
    }
  }
})

const agents = new Agents()
const { start, network } = agents
afterEach(agents.stopAll)

/** Alice (her store at hand) and bob, with a session: one message delivered; `atBob` collects what bob receives. */
async function pair (): Promise<{ alice: AgentNode, aliceStore: Store, bob: AgentNode, atBob: MessageRecord[] }> {
  const { bootstrap } = await network()
  const unlimited = { dmsPerMinute: Infinity }
  const before = stores.length
  const alice = await start({ bootstrap, rateLimits: unlimited })
  const aliceStore = stores[before]!
  const bob = await start({ bootstrap, rateLimits: unlimited })
  await waitFor(async () => await alice.getCard(bob.peerId).then(() => true, () => false), { timeout: 20_000 })
  const atBob = collect<MessageRecord>(bob, 'message.received')
  await alice.send(bob.peerId, { type: 'text', content: 'start' })
  await waitFor(() => atBob.length === 1)
  return { alice, aliceStore, bob, atBob }
}

describe('sends when a store write fails', { timeout: 120_000 }, () => {
  it('the failed batch and what was sealed behind it fail; what succeeds is delivered once, in order; the session goes on', async () => {
    const { alice, aliceStore, bob, atBob } = await pair()

    // the second batch of the burst fails (its write's builder throws), once we let it: while it waits, the
    // batch after it is sealed and queued behind it (the first batch, m0 alone, goes through)
    let release!: () => void
    const released = new Promise<void>(resolve => { release = resolve })
    let calls = 0
    let failed = false
    let waiting!: () => void
    const reached = new Promise<void>(resolve => { waiting = resolve })
    const enqueueOps = aliceStore.outbox.enqueueOps.bind(aliceStore.outbox)
    aliceStore.outbox.enqueueOps = async (entry) => {
      if (calls++ === 1) {
        waiting()
        await released
        failed = true
        throw new Error('EIO: i/o error')
      }
      return await enqueueOps(entry)
    }
    const outcomes: Array<'sent' | 'failed' | undefined> = new Array(200).fill(undefined)
    const sends = Array.from({ length: 200 }, async (_, i) => {
      try {
        await alice.send(bob.peerId, { type: 'text', content: `m${i}` })
        outcomes[i] = 'sent'
      } catch {
        outcomes[i] = 'failed'
      }
    })
    await reached
    // the next batch is sealed and queued meanwhile (a few turns: no I/O needed for it)
    for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
    release()
    await Promise.all(sends)
    expect(failed).toBe(true)
    const sent = outcomes.flatMap((o, i) => o === 'sent' ? [`m${i}`] : [])
    // the failing batch (up to 64) and the one sealed behind it from the state it left
    expect(outcomes[0]).toBe('sent')
    expect(outcomes.filter(o => o === 'failed').length).toBeGreaterThan(64)

    // the session is intact: a message after all of it opens at bob, and bob has exactly what succeeded, in order
    await alice.send(bob.peerId, { type: 'text', content: 'after' })
    await waitFor(() => atBob.some(m => m.content === 'after'), { timeout: 30_000 })
    expect(atBob.slice(1).map(m => m.content)).toEqual([...sent, 'after'])
    expect(bob.stats.rejectedEnvelopes).toBe(0)
  })

  it('at most two send batches are sealed ahead of the disk: a third waits for the first write', async () => {
    const { alice, aliceStore, bob, atBob } = await pair()

    // the burst's second batch's write is held (its builder waits) until released; the first batch is m0
    // alone (the queue is empty when its drain starts) and goes through
    let release!: () => void
    const released = new Promise<void>(resolve => { release = resolve })
    let held!: () => void
    const holding = new Promise<void>(resolve => { held = resolve })
    let calls = 0
    const enqueueOps = aliceStore.outbox.enqueueOps.bind(aliceStore.outbox)
    aliceStore.outbox.enqueueOps = async (entry) => {
      if (calls++ === 1) {
        held()
        await released
      }
      return await enqueueOps(entry)
    }
    // batch sizes sealed for bob (this process runs both nodes: bob's own sealing is not counted)
    const sealed: number[] = []
    const original = SessionManager.prototype.sealMany
    SessionManager.prototype.sealMany = async function (this: SessionManager, ...args: Parameters<SessionManager['sealMany']>) {
      if (args[0] === bob.peerId) sealed.push(args[1].length)
      return await original.apply(this, args)
    } as SessionManager['sealMany']
    try {
      const count = 300
      const sends = Array.from({ length: count }, async (_, i) => await alice.send(bob.peerId, { type: 'text', content: `m${i}` }))
      await holding
      expect(sealed[0]).toBe(1)
      // the held batch and the one sealed behind it are in flight
      await waitFor(() => sealed.length >= 3)
      // nothing needs I/O to seal the next batch: a few turns would do it if it were allowed
      for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
      expect(sealed.length).toBe(3)
      release()
      await Promise.all(sends)
      await waitFor(() => atBob.length === 1 + count, { timeout: 30_000 })
      expect(atBob.slice(1).map(m => m.content)).toEqual(Array.from({ length: count }, (_, i) => `m${i}`))
      // every message sealed once, at most 64 to a batch
      expect(sealed.reduce((a, b) => a + b, 0)).toBe(count)
      expect(Math.max(...sealed)).toBeLessThanOrEqual(64)
    } finally {
      release()
      SessionManager.prototype.sealMany = original
    }
  })
})
