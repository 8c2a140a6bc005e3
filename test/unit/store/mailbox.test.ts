import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BOB, CAROL, messageId, rawEntries, storeFixture } from './helpers.js'
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

function envelope (size = 100): Uint8Array {
  return new Uint8Array(randomBytes(size))
}

describe('mailbox', () => {
  it('holds envelopes per recipient in deposit order, pages them, and forgets acked ones', async () => {
    const ids = Array.from({ length: 5 }, () => messageId())
    const bodies = ids.map(() => envelope())
    for (const [i, id] of ids.entries()) {
      expect(await store.mailbox.deposit({ recipient: BOB, id, envelope: bodies[i]! })).toMatchObject({ duplicate: false })
    }
    await store.mailbox.deposit({ recipient: CAROL, id: messageId(), envelope: envelope() })

    const first = await store.mailbox.fetch(BOB, { limit: 3 })
    expect(first.hasMore).toBe(true)
    expect(first.entries.map(e => e.id)).toEqual(ids.slice(0, 3))
    expect(first.entries[1]!.envelope).toEqual(bodies[1])
    const rest = await store.mailbox.fetch(BOB, { after: first.entries[2]!.seq, limit: 3 })
    expect(rest).toMatchObject({ hasMore: false })
    expect(rest.entries.map(e => e.id)).toEqual(ids.slice(3))

    expect(await store.mailbox.usage(BOB)).toEqual({ count: 5, bytes: 500 })
    expect(await store.mailbox.ack(BOB, [ids[0]!, ids[3]!, ids[0]!, messageId()])).toBe(2)
    expect((await store.mailbox.fetch(BOB)).entries.map(e => e.id)).toEqual([ids[1], ids[2], ids[4]])
    expect(await store.mailbox.usage(BOB)).toEqual({ count: 3, bytes: 300 })
    // acks only ever touch the named recipient's mailbox
    expect(await store.mailbox.ack(CAROL, [ids[1]!])).toBe(0)
    expect((await store.mailbox.fetch(BOB)).entries).toHaveLength(3)
  })

  it('stores a repeated deposit once', async () => {
    const id = messageId()
    const first = await store.mailbox.deposit({ recipient: BOB, id, envelope: envelope() })
    const again = await store.mailbox.deposit({ recipient: BOB, id, envelope: envelope() })
    expect(again).toEqual({ seq: first.seq, duplicate: true })
    expect(await store.mailbox.usage(BOB)).toEqual({ count: 1, bytes: 100 })
  })

  it('refuses a deposit past the envelope limit, at the limit exactly, and keeps what it holds', async () => {
    await store.close()
    store = await fx.open({ mailbox: { maxEnvelopes: 3 } })
    for (let i = 0; i < 3; i++) await store.mailbox.deposit({ recipient: BOB, id: messageId(), envelope: envelope() })
    await expect(store.mailbox.deposit({ recipient: BOB, id: messageId(), envelope: envelope() }))
      .rejects.toMatchObject({ name: 'MailboxFullError', kind: 'envelopes', limit: 3 })
    expect(await store.mailbox.usage(BOB)).toEqual({ count: 3, bytes: 300 })
    // other recipients have their own quota
    await store.mailbox.deposit({ recipient: CAROL, id: messageId(), envelope: envelope() })
    // an ack makes room again
    const [held] = (await store.mailbox.fetch(BOB, { limit: 1 })).entries
    await store.mailbox.ack(BOB, [held!.id])
    await store.mailbox.deposit({ recipient: BOB, id: messageId(), envelope: envelope() })
  })

  it('refuses a deposit past the byte limit', async () => {
    await store.close()
    store = await fx.open({ mailbox: { maxBytes: 250 } })
    await store.mailbox.deposit({ recipient: BOB, id: messageId(), envelope: envelope(125) })
    await store.mailbox.deposit({ recipient: BOB, id: messageId(), envelope: envelope(125) })
    await expect(store.mailbox.deposit({ recipient: BOB, id: messageId(), envelope: envelope(1) }))
      .rejects.toMatchObject({ name: 'MailboxFullError', kind: 'bytes', limit: 250 })
  })

  it('purges envelopes past the TTL and keeps the quota in step', async () => {
    const now = fx.clock.now
    const old = messageId()
    const recent = messageId()
    await store.mailbox.deposit({ recipient: BOB, id: old, envelope: envelope(), at: now - 31 * day })
    await store.mailbox.deposit({ recipient: BOB, id: recent, envelope: envelope(), at: now - 29 * day })
    expect(await store.mailbox.purge()).toBe(1)
    expect((await store.mailbox.fetch(BOB)).entries.map(e => e.id)).toEqual([recent])
    expect(await store.mailbox.usage(BOB)).toEqual({ count: 1, bytes: 100 })
    // an acked envelope leaves nothing for the purge
    await store.mailbox.ack(BOB, [recent])
    expect(await store.mailbox.purge(now + day)).toBe(0)
    expect(await store.mailbox.usage(BOB)).toEqual({ count: 0, bytes: 0 })
  })

  it('survives a restart, sequence included, and keeps envelopes sealed at rest', async () => {
    const a = messageId()
    const body = envelope()
    const { seq } = await store.mailbox.deposit({ recipient: BOB, id: a, envelope: body })
    await store.close()
    const raw = await rawEntries(fx.dir)
    for (const [, value] of raw) expect(Buffer.from(value).includes(Buffer.from(body))).toBe(false)
    store = await fx.open()
    const b = messageId()
    const next = await store.mailbox.deposit({ recipient: BOB, id: b, envelope: envelope() })
    expect(next.seq).toBeGreaterThan(seq)
    expect((await store.mailbox.fetch(BOB)).entries.map(e => e.id)).toEqual([a, b])
  })

  it('rejects malformed arguments with StoreQueryError', async () => {
    await expect(store.mailbox.deposit({ recipient: BOB, id: 'nothex', envelope: envelope() })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.mailbox.deposit({ recipient: '', id: messageId(), envelope: envelope() })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.mailbox.deposit({ recipient: BOB, id: messageId(), envelope: new Uint8Array(0) })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.mailbox.fetch(BOB, { limit: 1001 })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.mailbox.fetch(BOB, { limit: 0 })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.mailbox.ack(BOB, ['x'])).rejects.toMatchObject({ name: 'StoreQueryError' })
  })
})

describe('archive', () => {
  it('keeps each owner\'s blobs by key, replaces on a second put, pages in key order', async () => {
    await store.archive.put(BOB, [{ key: 'aa', blob: envelope(10) }, { key: 'cc', blob: envelope(20) }])
    await store.archive.put(BOB, [{ key: 'bb', blob: envelope(30) }, { key: 'aa', blob: envelope(5) }])
    await store.archive.put(CAROL, [{ key: 'aa', blob: envelope(7) }])
    expect(await store.archive.usage(BOB)).toEqual({ count: 3, bytes: 55 })
    const first = await store.archive.list(BOB, { limit: 2 })
    expect(first.entries.map(e => [e.key, e.blob.length])).toEqual([['aa', 5], ['bb', 30]])
    expect(first.hasMore).toBe(true)
    const rest = await store.archive.list(BOB, { after: 'bb' })
    expect(rest).toMatchObject({ hasMore: false })
    expect(rest.entries.map(e => e.key)).toEqual(['cc'])
    expect((await store.archive.list(CAROL)).entries.map(e => e.blob.length)).toEqual([7])
  })

  it('holds an owner\'s quota of entries and bytes exactly; a batch past it writes nothing; replacing stays inside it', async () => {
    const small = await fx.open({ path: join(fx.dir, 'archive-quota'), archive: { maxEntries: 3, maxBytes: 100 } })
    await small.archive.put(BOB, [{ key: 'aa', blob: envelope(10) }, { key: 'bb', blob: envelope(10) }, { key: 'cc', blob: envelope(10) }])
    await expect(small.archive.put(BOB, [{ key: 'dd', blob: envelope(10) }])).rejects.toMatchObject({ name: 'ArchiveFullError' })
    // a replaced entry is not a new one; a batch that would pass the byte quota writes none of its entries
    await small.archive.put(BOB, [{ key: 'aa', blob: envelope(80) }])
    expect(await small.archive.usage(BOB)).toEqual({ count: 3, bytes: 100 })
    await expect(small.archive.put(BOB, [{ key: 'bb', blob: envelope(5) }, { key: 'cc', blob: envelope(16) }])).rejects.toMatchObject({ name: 'ArchiveFullError' })
    expect(await small.archive.usage(BOB)).toEqual({ count: 3, bytes: 100 })
    expect((await small.archive.list(BOB)).entries.map(e => e.blob.length)).toEqual([80, 10, 10])
    // each owner has a quota of its own
    await small.archive.put(CAROL, [{ key: 'aa', blob: envelope(100) }])
  })

  it('rejects bad keys and blobs', async () => {
    await expect(store.archive.put(BOB, [{ key: 'XY', blob: envelope() }])).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.archive.put(BOB, [{ key: 'aa', blob: new Uint8Array(0) }])).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.archive.put(BOB, [{ key: 'aa', blob: new Uint8Array(96 * 1024 + 1) }])).rejects.toMatchObject({ name: 'StoreQueryError' })
    expect(await store.archive.usage(BOB)).toEqual({ count: 0, bytes: 0 })
  })
})
