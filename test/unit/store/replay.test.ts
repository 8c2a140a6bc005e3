import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { REPLAY_WINDOW } from '../../../src/store/index.js'
import { messageId, storeFixture } from './helpers.js'
import type { Store } from '../../../src/store/index.js'
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
