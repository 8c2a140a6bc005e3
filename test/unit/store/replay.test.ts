import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { IdFilter } from '../../../src/store/id-filter.js'
import { REPLAY_WINDOW } from '../../../src/store/index.js'
import { messageId, storeFixture } from './helpers.js'
import type { Store } from '../../../src/store/index.js'
import type { LevelReplayStore } from '../../../src/store/replay.js'
import type { StoreFixture } from './helpers.js'

let fx: StoreFixture
let store: Store

beforeEach(async () => {
  fx = await storeFixture()
  store = await fx.open()
})
afterEach(async () => { await fx.cleanup() })

const day = 24 * 60 * 60 * 1000

describe('replay', () => {
  it('remembers ids', async () => {
    const id = messageId()
    expect(await store.replay.has(id)).toBe(false)
    await store.replay.add(id)
    expect(await store.replay.has(id)).toBe(true)
    expect(await store.replay.size()).toBe(1)
    await expect(store.replay.has('')).rejects.toMatchObject({ name: 'StoreQueryError' })
  })

  it('purges ids seen before the cut-off, and only those', async () => {
    const now = fx.clock.now
    const old = [messageId(), messageId(), messageId()]
    const recent = [messageId(), messageId()]
    for (const [i, id] of old.entries()) await store.replay.add(id, now - 31 * day - i)
    await store.replay.add(recent[0]!, now - 29 * day)
    await store.replay.add(recent[1]!, now)
    expect(await store.replay.size()).toBe(5)

    expect(REPLAY_WINDOW).toBe(30 * day)
    // default cut-off: now - REPLAY_WINDOW
    expect(await store.replay.purge()).toBe(3)
    for (const id of old) expect(await store.replay.has(id)).toBe(false)
    for (const id of recent) expect(await store.replay.has(id)).toBe(true)
    expect(await store.replay.size()).toBe(2)
    expect(await store.replay.purge()).toBe(0)

    // the boundary: seen exactly at the cut-off is kept
    expect(await store.replay.purge(now - 29 * day)).toBe(0)
    expect(await store.replay.purge(now - 29 * day + 1)).toBe(1)
    expect(await store.replay.has(recent[1]!)).toBe(true)
  })

  it('keeps an id added again later when its first sighting expires', async () => {
    const id = messageId()
    await store.replay.add(id, 1000)
    await store.replay.add(id, 5000)
    expect(await store.replay.purge(2000)).toBe(0)
    expect(await store.replay.has(id)).toBe(true)
    expect(await store.replay.purge(6000)).toBe(1)
    expect(await store.replay.has(id)).toBe(false)
  })

  it('purges in chunks', async () => {
    await store.write(() => Array.from({ length: 2500 }, (_, i) => store.replay.addOps(messageId(), 10 + i)).flat())
    await store.replay.add(messageId(), 1_000_000)
    expect(await store.replay.purge(100_000)).toBe(2500)
    expect(await store.replay.size()).toBe(1)
  })

  it('commits its ids with the message they belong to', async () => {
    const id = messageId()
    await store.write([...store.replay.addOps(id, 1), ...store.meta.putOps('x', 1)])
    expect(await store.replay.has(id)).toBe(true)
  })
})

describe('replay: the filter of seen ids', () => {
  const filtered = async (s: Store): Promise<void> => { await (s.replay as LevelReplayStore).filtered }
  /** classic-level's synchronous get (not in `level`'s types): where `has` ends when it asks LevelDB */
  const spyReads = () => vi.spyOn(Level.prototype as unknown as { _getSync: (...args: unknown[]) => unknown }, '_getSync')

  it('answers "not seen" without a LevelDB read once the ids on disk are in, and "seen" for every stored id', async () => {
    const stored = Array.from({ length: 50 }, () => messageId())
    await store.write(() => stored.flatMap(id => store.replay.addOps(id, 1)))
    await store.close()
    const reopened = await fx.open()
    await filtered(reopened)
    const reads = spyReads()
    try {
      for (let i = 0; i < 200; i++) expect(await reopened.replay.has(messageId())).toBe(false)
      // 200 unseen ids among 50 in a 2^23-bit filter: a false positive (a read) is ~1e-20 likely
      expect(reads).not.toHaveBeenCalled()
      for (const id of stored) expect(await reopened.replay.has(id)).toBe(true)
      expect(reads).toHaveBeenCalledTimes(stored.length)
    } finally {
      reads.mockRestore()
    }
  })

  it('holds an id from the moment its write is built, and LevelDB decides for one whose write failed or was purged', async () => {
    await filtered(store)
    const id = messageId()
    await expect(store.write(() => {
      store.replay.addOps(id, 1)
      throw new Error('the write is abandoned')
    })).rejects.toThrow('abandoned')
    const reads = spyReads()
    try {
      expect(await store.replay.has(id)).toBe(false)
      expect(reads).toHaveBeenCalledTimes(1)
    } finally {
      reads.mockRestore()
    }
    await store.replay.add(id, 1)
    expect(await store.replay.purge(2)).toBe(1)
    expect(await store.replay.has(id)).toBe(false)
  })

  it('reads ids into the filter in chunks, and answers the same before and after', async () => {
    const stored = Array.from({ length: 25_000 }, () => messageId())
    await store.write(() => stored.flatMap(id => store.replay.addOps(id, 1)))
    await store.close()
    const reopened = await fx.open()
    // before the filter is full, LevelDB answers
    expect(await reopened.replay.has(stored[24_999]!)).toBe(true)
    await filtered(reopened)
    for (const id of [stored[0]!, stored[9_999]!, stored[10_000]!, stored[19_999]!, stored[20_000]!, stored[24_999]!]) {
      expect(await reopened.replay.has(id)).toBe(true)
    }
    expect(await reopened.replay.has(messageId())).toBe(false)
  })

  it('stays exact when the filter is nearly all false positives', async () => {
    const tiny = await fx.open({ path: join(fx.dir, 'tiny'), idFilterBits: 512 })
    await filtered(tiny)
    const ids = Array.from({ length: 600 }, () => messageId())
    await tiny.write(() => ids.slice(0, 400).flatMap(id => tiny.replay.addOps(id, 1)))
    // one 512-bit block after 400 ids (98 % of its bits set): ~90 % of unseen ids are false positives, which LevelDB answers
    for (const id of ids.slice(0, 400)) expect(await tiny.replay.has(id)).toBe(true)
    for (const id of ids.slice(400)) expect(await tiny.replay.has(id)).toBe(false)
  })

  it('refuses a filter size that is not a power of two from 2^9 to 2^24', async () => {
    for (const bits of [256, 1000, 2 ** 25]) {
      await expect(fx.open({ path: join(fx.dir, 'bad'), idFilterBits: bits })).rejects.toMatchObject({ name: 'StoreQueryError' })
    }
  })

  it('answers a closed store with StoreClosedError, as a read does', async () => {
    await filtered(store)
    await store.close()
    await expect(store.replay.has(messageId())).rejects.toMatchObject({ name: 'StoreClosedError' })
  })

  it('stops filling when the store closes under it, without an unhandled rejection', async () => {
    await store.write(() => Array.from({ length: 30_000 }, () => store.replay.addOps(messageId(), 1)).flat())
    await store.close()
    const reopened = await fx.open()
    await reopened.close()
    await filtered(reopened)
    await expect(reopened.replay.has(messageId())).rejects.toMatchObject({ name: 'StoreClosedError' })
  })
})

describe('IdFilter', () => {
  /** an envelope id's shape: 16 uniform bytes in hex */
  const envelopeId = (): string => randomBytes(16).toString('hex')

  it('never misses an id it was given, of any shape', () => {
    const filter = new IdFilter(2 ** 10)
    const ids = [...Array.from({ length: 100 }, () => envelopeId()), 'ABCDEF0123456789ABCDEF0123456789', 'x'.repeat(40), 'é'.repeat(30)]
    for (const id of ids) filter.add(id)
    for (const id of ids) expect(filter.mayHave(id)).toBe(true)
  })

  it('answers "maybe" for ids too short to read positions from', () => {
    const filter = new IdFilter(2 ** 10)
    expect(filter.mayHave('a'.repeat(20))).toBe(true)
    expect(filter.mayHave('a'.repeat(21))).toBe(false)
  })

  it('keeps false positives near the design rate', () => {
    const filter = new IdFilter(2 ** 16)
    for (let i = 0; i < 10_000; i++) filter.add(envelopeId())
    let hits = 0
    for (let i = 0; i < 20_000; i++) if (filter.mayHave(envelopeId())) hits++
    // 128 blocks of 512 bits, 10,000 ids, 5 bits each: E over a Poisson(78) block load of
    // (1 - (1 - 1/512)^(5x))^5 ≈ 4.5 % (a plain filter of that size: 4.3 %); 20,000 tries: σ ≈ 0.15 %
    expect(hits / 20_000).toBeGreaterThan(0.035)
    expect(hits / 20_000).toBeLessThan(0.055)
  })

  it('refuses a size that is not a power of two from 2^9 (one block) to 2^24', () => {
    for (const bits of [0, 256, 1000, 2 ** 25, 1.5]) expect(() => new IdFilter(bits)).toThrow(RangeError)
    expect(() => new IdFilter(512)).not.toThrow()
  })
})
