import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE, BOB, messageId, rawEntries, storeFixture } from './helpers.js'
import type { DenPostRecord, DenRecord, Store } from '../../../src/store/index.js'
import type { StoreFixture } from './helpers.js'

let fx: StoreFixture
let store: Store
beforeEach(async () => {
  fx = await storeFixture()
  store = await fx.open()
})
afterEach(async () => { await fx.cleanup() })

const denId = randomBytes(16).toString('hex')
const record: DenRecord = { denId, kind: 'bounty', slug: 'b', title: 'B', owner: ALICE, descriptor: 'AA==', epoch: 0, members: [ALICE, BOB], joined: true, unreadCount: 0, createdAt: 1 }

function post (overrides: Partial<DenPostRecord> = {}): DenPostRecord {
  return { messageId: messageId(), denId, from: BOB, type: 'text', content: 'secret plan', sentAt: 100, receivedAt: 100, read: false, ...overrides }
}

async function add (p: DenPostRecord, envelope = new Uint8Array(randomBytes(40))): Promise<boolean> {
  let added = false
  await store.write(async () => {
    const built = await store.dens.addPostOps(p, envelope)
    added = built.result
    return built.ops
  })
  return added
}

describe('den store', () => {
  it('keeps posts once, pages a feed by time and thread, counts unread', async () => {
    await store.write(store.dens.putOps(record))
    const first = post({ sentAt: 100 })
    expect(await add(first)).toBe(true)
    expect(await add(first)).toBe(false)
    await add(post({ sentAt: 200, replyTo: first.messageId }))
    await add(post({ sentAt: 300, from: ALICE, read: true }))
    expect((await store.dens.get(denId))?.unreadCount).toBe(2)
    expect((await store.dens.feed(denId)).posts.map(p => p.sentAt)).toEqual([100, 200, 300])
    expect(await store.dens.feed(denId, { since: 100, limit: 1 })).toMatchObject({ posts: [{ sentAt: 200 }], hasMore: true })
    expect((await store.dens.feed(denId, { replyTo: first.messageId })).posts.map(p => p.sentAt)).toEqual([200])
    expect((await store.dens.envelopesSince(denId, 150, 10)).envelopes).toHaveLength(2)
    await store.dens.markRead(denId)
    expect((await store.dens.get(denId))?.unreadCount).toBe(0)
    expect((await store.dens.feed(denId)).posts.every(p => p.read)).toBe(true)
  })

  it('destroy leaves a tombstone and nothing else of the den, across a crash between its steps', async () => {
    await store.write(store.dens.putOps(record))
    const body = new Uint8Array(Buffer.from('plaintext-marker-1234'))
    await add(post(), body)
    await store.write([
      ...store.dens.putKeyOps(denId, 0, BOB, { chainKey: 'ab', iteration: 0, skipped: {} }),
      ...store.dens.addPendingOps(denId, messageId(), body),
      ...store.dens.owedOps(denId, 0, BOB, body)
    ])
    await store.dens.destroy(denId, 5)
    expect(await store.dens.owed()).toEqual([])
    expect(await store.dens.destroyedAt(denId)).toBe(5)
    expect(await store.dens.get(denId)).toBeUndefined()
    expect(await store.dens.feed(denId)).toEqual({ posts: [], hasMore: false })
    expect(await store.dens.getKey(denId, 0, BOB)).toBeUndefined()
    expect(await store.dens.pending(denId)).toEqual([])
    expect(await store.dens.eraseDestroyed()).toBe(0)
    await store.close()
    const keys = (await rawEntries(fx.dir)).map(([k]) => k).filter(k => k.includes(denId))
    expect(keys).toHaveLength(1)
    expect(keys[0]).toContain('x')
  })

  it('keeps the controls owed to members, sealed, per den, epoch and member, until settled, across a reopen', async () => {
    const other = randomBytes(16).toString('hex')
    const control = new Uint8Array(Buffer.from('owed-key-marker-5678'))
    await store.write([
      ...store.dens.owedOps(denId, 0, BOB, control),
      ...store.dens.owedOps(denId, 1, BOB, new Uint8Array([1])),
      ...store.dens.owedOps(other, 0, ALICE, new Uint8Array([2]))
    ])
    await store.close()
    expect((await rawEntries(fx.dir)).some(([, v]) => Buffer.from(v).includes('owed-key-marker'))).toBe(false)
    store = await fx.open()
    const owed = await store.dens.owed()
    expect(owed).toHaveLength(3)
    expect(owed).toContainEqual({ denId, epoch: 0, member: BOB, control })
    expect(owed).toContainEqual({ denId, epoch: 1, member: BOB, control: new Uint8Array([1]) })
    await store.write(store.dens.settleOwedOps(denId, 0, BOB))
    expect((await store.dens.owed()).map(o => [o.denId, o.epoch, o.member])).toEqual(expect.arrayContaining([[denId, 1, BOB], [other, 0, ALICE]]))
    expect(await store.dens.owed()).toHaveLength(2)
  })

  it('keeps sender keys and pending posts per den', async () => {
    const id = messageId()
    await store.write([...store.dens.putKeyOps(denId, 3, BOB, { iteration: 7 }), ...store.dens.addPendingOps(denId, id, new Uint8Array([1, 2]))])
    expect(await store.dens.getKey(denId, 3, BOB)).toEqual({ iteration: 7 })
    expect(await store.dens.getKey(denId, 2, BOB)).toBeUndefined()
    expect((await store.dens.pending(denId)).map(p => p.postId)).toEqual([id])
    await store.write(store.dens.removePendingOps(denId, id))
    expect(await store.dens.pending(denId)).toEqual([])
    await expect(store.dens.get('nope')).rejects.toMatchObject({ name: 'StoreQueryError' })
  })
})

describe('den store for others (a relay)', () => {
  it('keeps envelopes without posts, serves them by time, purges them after their TTL', async () => {
    const ids = [messageId(), messageId(), messageId()]
    await store.write(async () => [
      ...(await store.dens.addHostedOps(denId, ids[0]!, 100, new Uint8Array([1]))).ops,
      ...(await store.dens.addHostedOps(denId, ids[1]!, 200, new Uint8Array([2]))).ops
    ])
    let again = true
    await store.write(async () => {
      const built = await store.dens.addHostedOps(denId, ids[0]!, 100, new Uint8Array([1]))
      again = built.result
      return built.ops
    })
    expect(again).toBe(false)
    expect((await store.dens.envelopesSince(denId, 0, 10)).envelopes.map(e => [...e])).toEqual([[1], [2]])
    expect(await store.dens.feed(denId)).toEqual({ posts: [], hasMore: false })
    expect(await store.dens.purgeHosted(denId, 150)).toBe(1)
    expect((await store.dens.envelopesSince(denId, 0, 10)).envelopes.map(e => [...e])).toEqual([[2]])
  })
})
