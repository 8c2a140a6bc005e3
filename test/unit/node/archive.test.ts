import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nativePrimitives as prims } from '../../../src/crypto/index.js'
import { HistoryArchive } from '../../../src/node/archive.js'
import { ALICE, BOB, incoming, storeFixture } from '../store/helpers.js'
import type { RelayClient } from '../../../src/protocols/relay/index.js'
import type { Store } from '../../../src/store/index.js'
import type { StoreFixture } from '../store/helpers.js'

/** A relay's archive in memory, as the relay client would see it. */
function fakeRelay (): { client: RelayClient, entries: Map<string, Uint8Array>, failing: { on: boolean } } {
  const entries = new Map<string, Uint8Array>()
  const failing = { on: false }
  const client = {
    relay: { toString: () => 'fake' },
    archivePut: async (list: Array<{ key: Uint8Array, blob: Uint8Array }>) => {
      if (failing.on) throw new Error('relay down')
      for (const e of list) entries.set(Buffer.from(e.key).toString('hex'), e.blob)
    },
    archiveList: async () => ({
      entries: [...entries].sort(([x], [y]) => x.localeCompare(y)).map(([k, blob]) => ({ key: Buffer.from(k, 'hex'), blob })),
      hasMore: false
    })
  }
  return { client: client as unknown as RelayClient, entries, failing }
}

let fx: StoreFixture
let store: Store
beforeEach(async () => {
  fx = await storeFixture()
  store = await fx.open()
})
afterEach(async () => { await fx.cleanup() })

describe('history archive', () => {
  it('uploads opaque entries and restores them, in order, into another store', async () => {
    const relay = fakeRelay()
    const key = new Uint8Array(randomBytes(64))
    const archive = new HistoryArchive({ prims, store, archiveKey: key, relays: () => [relay.client] })
    const records = [incoming('conv1', { content: 'secret one' }), incoming('conv1', { content: 'secret two' })]
    for (const r of records) await store.messages.put(r)
    for (const r of records) archive.mark(r.messageId)
    await archive.flush()
    expect(relay.entries.size).toBe(2)
    for (const [name, blob] of relay.entries) {
      expect(records.map(r => r.messageId)).not.toContain(name)
      expect(Buffer.from(blob).includes('secret')).toBe(false)
    }

    const other = await fx.open({ path: `${fx.dir}/other` })
    const restored = await new HistoryArchive({ prims, store: other, archiveKey: key, relays: () => [relay.client] }).restore()
    expect(restored).toEqual({ restored: 2, skipped: 0, relays: 1 })
    expect((await other.messages.history('conv1')).messages.map(m => m.content)).toEqual(['secret one', 'secret two'])
  })

  it('waits out a relay that refuses a page for its history-read limit, then restores everything', async () => {
    const relay = fakeRelay()
    const key = new Uint8Array(randomBytes(64))
    const archive = new HistoryArchive({ prims, store, archiveKey: key, relays: () => [relay.client] })
    const record = incoming('conv1', { content: 'kept' })
    await store.messages.put(record)
    archive.mark(record.messageId)
    await archive.flush()
    // the first two reads are refused with a retry time, as a relay over 300 a minute answers
    const list = relay.client.archiveList.bind(relay.client)
    let calls = 0
    relay.client.archiveList = async (...args) => {
      if (++calls <= 2) throw Object.assign(new Error('relay refused: RATE_LIMITED'), { name: 'RelayRefusedError', refusal: 'RATE_LIMITED', retryAfterMs: 20 })
      return await list(...args)
    }
    const other = await fx.open({ path: `${fx.dir}/other` })
    const restored = await new HistoryArchive({ prims, store: other, archiveKey: key, relays: () => [relay.client] }).restore()
    expect(calls).toBe(3)
    expect(restored).toEqual({ restored: 1, skipped: 0, relays: 1 })
    // another refusal is not waited out: that relay's archive is unavailable
    relay.client.archiveList = async () => { throw Object.assign(new Error('relay refused: NOT_AUTHORIZED'), { name: 'RelayRefusedError', refusal: 'NOT_AUTHORIZED' }) }
    const third = await fx.open({ path: `${fx.dir}/third` })
    expect(await new HistoryArchive({ prims, store: third, archiveKey: key, relays: () => [relay.client] }).restore()).toEqual({ restored: 0, skipped: 0, relays: 0 })
  })

  it('skips entries another key made or a relay swapped', async () => {
    const relay = fakeRelay()
    const key = new Uint8Array(randomBytes(64))
    const archive = new HistoryArchive({ prims, store, archiveKey: key, relays: () => [relay.client] })
    const [x, y] = [incoming('conv1', { from: BOB, to: ALICE }), incoming('conv1')]
    for (const r of [x, y]) { await store.messages.put(r); archive.mark(r.messageId) }
    await archive.flush()
    const [first, second] = [...relay.entries] as Array<[string, Uint8Array]>
    relay.entries.set(first![0], second![1])
    relay.entries.set(second![0], first![1])
    relay.entries.set('00', new Uint8Array(randomBytes(80)))
    const other = await fx.open({ path: `${fx.dir}/other` })
    expect(await new HistoryArchive({ prims, store: other, archiveKey: key, relays: () => [relay.client] }).restore()).toMatchObject({ restored: 0, skipped: 3 })
    const wrongKey = new HistoryArchive({ prims, store: other, archiveKey: new Uint8Array(randomBytes(64)), relays: () => [relay.client] })
    expect(await wrongKey.restore()).toMatchObject({ restored: 0 })
  })

  it('keeps changes that could not be uploaded and sends them on the next flush', async () => {
    const relay = fakeRelay()
    const archive = new HistoryArchive({ prims, store, archiveKey: new Uint8Array(randomBytes(64)), relays: () => [relay.client] })
    const r = incoming('conv1')
    await store.messages.put(r)
    relay.failing.on = true
    archive.mark(r.messageId)
    await archive.flush()
    expect(relay.entries.size).toBe(0)
    relay.failing.on = false
    await archive.flush()
    expect(relay.entries.size).toBe(1)
    await archive.stop()
  })
})
