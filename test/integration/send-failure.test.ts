/**
 * A store write failing under a burst of sends: whatever was sealed from the
 * session state it leaves behind never reaches the wire, the sends it carried
 * fail, and the session goes on (the next messages open at the recipient).
 * Real nodes over TCP; the sender's store is the real one, with one send
 * batch's write made to fail, slowly, while the next batch is sealed and
 * queued behind it. And the bound on that: while a batch's write is held,
 * one more batch is sealed behind it and the rest wait.
 *
 * A burst's first batch is its first message alone (the queue holds only it
 * when the drain starts). Its write is held until every send of the burst
 * is queued, so the batches after it are full ones, whatever the speed of
 * the store.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Agents, collect } from './agents.js'
import { waitFor } from './helpers.js'
import { PeerLimits } from '../../src/node/limits.js'
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
afterEach(async () => {
  vi.restoreAllMocks()
  await agents.stopAll()
})

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

interface Gate {
  /** resolves once the write it holds has started */
  reached: Promise<void>
  release(): void
}

/**
 * Hold the store write of alice's send batch whose first message is her
 * `call`th outbox entry (0: the burst's first batch) until released; with
 * `fail`, the released write then fails.
 */
function gateOutbox (store: Store): { at(call: number, options?: { fail?: boolean }): Gate, failed: () => boolean } {
  const gates = new Map<number, { gate: Gate, released: Promise<void>, reach: () => void, fail: boolean }>()
  let calls = 0
  let failed = false
  const enqueueOps = store.outbox.enqueueOps.bind(store.outbox)
  store.outbox.enqueueOps = async (entry) => {
    const held = gates.get(calls++)
    if (held !== undefined) {
      held.reach()
      await held.released
      if (held.fail) {
        failed = true
        throw new Error('EIO: i/o error')
      }
    }
    return await enqueueOps(entry)
  }
  return {
    at (call, { fail = false } = {}) {
      let reach!: () => void
      let release!: () => void
      const reached = new Promise<void>(resolve => { reach = resolve })
      const released = new Promise<void>(resolve => { release = resolve })
      const gate = { reached, release }
      gates.set(call, { gate, released, reach, fail })
      return gate
    },
    failed: () => failed
  }
}

/** Start `count` sends to `to`; resolves, with their outcomes to come, once every one is queued behind the held first batch. */
async function burst (alice: AgentNode, to: string, count: number, first: Gate): Promise<{ done: Promise<void>, outcomes: Array<'sent' | 'failed' | undefined> }> {
  // every send passes the per-peer limit just before it is queued (no I/O in between)
  const limited = vi.spyOn(PeerLimits.prototype, 'sendDm')
  const outcomes: Array<'sent' | 'failed' | undefined> = new Array(count).fill(undefined)
  const done = Promise.all(Array.from({ length: count }, async (_, i) => {
    try {
      await alice.send(to, { type: 'text', content: `m${i}` })
      outcomes[i] = 'sent'
    } catch {
      outcomes[i] = 'failed'
    }
  })).then(() => {})
  await first.reached
  await waitFor(() => limited.mock.calls.length === count)
  limited.mockRestore()
  return { done, outcomes }
}

/** The sizes of the batches alice seals for `peer`, in order, until `restore()` (this process runs both nodes). */
function sealedBatches (peer: string): { sizes: number[], restore: () => void } {
  const sizes: number[] = []
  const original = SessionManager.prototype.sealMany
  SessionManager.prototype.sealMany = async function (this: SessionManager, ...args: Parameters<SessionManager['sealMany']>) {
    if (args[0] === peer) sizes.push(args[1].length)
    return await original.apply(this, args)
  } as SessionManager['sealMany']
  return { sizes, restore: () => { SessionManager.prototype.sealMany = original } }
}

describe('sends when a store write fails', { timeout: 120_000 }, () => {
  it('the failed batch and what was sealed behind it fail; what succeeds is delivered once, in order; the session goes on', async () => {
    const { alice, aliceStore, bob, atBob } = await pair()

    // the burst's second batch fails (its write's builder throws), once we let it: while it waits, the
    // batch after it is sealed and queued behind it
    const outbox = gateOutbox(aliceStore)
    const first = outbox.at(0)
    const second = outbox.at(1, { fail: true })
    const sealed = sealedBatches(bob.peerId)
    try {
      const { done, outcomes } = await burst(alice, bob.peerId, 200, first)
      first.release()
      await second.reached
      // the next batch is sealed and queued behind it meanwhile
      await waitFor(() => sealed.sizes.length === 3)
      second.release()
      await done
      expect(outbox.failed()).toBe(true)
      // exactly the failing batch and the one sealed behind it from the state it left
      expect(sealed.sizes.slice(0, 3)).toEqual([1, 64, 64])
      expect(outcomes).toEqual(Array.from({ length: 200 }, (_, i) => i >= 1 && i < 129 ? 'failed' : 'sent'))
      const sent = outcomes.flatMap((o, i) => o === 'sent' ? [`m${i}`] : [])

      // the session is intact: a message after all of it opens at bob, and bob has exactly what succeeded, in order
      await alice.send(bob.peerId, { type: 'text', content: 'after' })
      await waitFor(() => atBob.some(m => m.content === 'after'), { timeout: 30_000 })
      expect(atBob.slice(1).map(m => m.content)).toEqual([...sent, 'after'])
      expect(bob.stats.rejectedEnvelopes).toBe(0)
    } finally {
      first.release()
      second.release()
      sealed.restore()
    }
  })

  it('at most two send batches are sealed ahead of the disk: a third waits for the first write', async () => {
    const { alice, aliceStore, bob, atBob } = await pair()

    // the burst's second batch's write is held (its builder waits) until released
    const outbox = gateOutbox(aliceStore)
    const first = outbox.at(0)
    const second = outbox.at(1)
    const sealed = sealedBatches(bob.peerId)
    try {
      const count = 300
      const { done } = await burst(alice, bob.peerId, count, first)
      first.release()
      await second.reached
      // the held batch and the one sealed behind it are in flight
      await waitFor(() => sealed.sizes.length >= 3)
      // nothing needs I/O to seal the next batch: a few turns would do it if it were allowed
      for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
      expect(sealed.sizes).toEqual([1, 64, 64])
      second.release()
      await done
      await waitFor(() => atBob.length === 1 + count, { timeout: 30_000 })
      expect(atBob.slice(1).map(m => m.content)).toEqual(Array.from({ length: count }, (_, i) => `m${i}`))
      // every message sealed once, at most 64 to a batch
      expect(sealed.sizes.reduce((a, b) => a + b, 0)).toBe(count)
      expect(Math.max(...sealed.sizes)).toBeLessThanOrEqual(64)
    } finally {
      first.release()
      second.release()
      sealed.restore()
    }
  })
})
