/**
 * A store write failing under a burst of sends: whatever was sealed from the
 * session state it leaves behind never reaches the wire, the sends it carried
 * fail, and the session goes on (the next messages open at the recipient).
 * Real nodes over TCP; the sender's store is the real one, with one send
 * batch's write made to fail, slowly, while the next batch is sealed and
 * queued behind it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Agents, collect } from './agents.js'
import { waitFor } from './helpers.js'
import type * as StoreModule from '../../src/store/index.js'
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

describe('sends when a store write fails', { timeout: 120_000 }, () => {
  it('the failed batch and what was sealed behind it fail; what succeeds is delivered once, in order; the session goes on', async () => {
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
})
