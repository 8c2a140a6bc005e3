import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { statusTransitionAllowed } from '../../../src/store/index.js'
import { BOB, CAROL, incoming, messageId, outgoing, storeFixture } from './helpers.js'
import type { DeliveryStatus, Store } from '../../../src/store/index.js'
import type { StoreFixture } from './helpers.js'
import type { LevelMessageStore } from '../../../src/store/messages.js'

let fx: StoreFixture
let store: Store

beforeEach(async () => {
  fx = await storeFixture()
  store = await fx.open()
})
afterEach(async () => { await fx.cleanup() })

const ORDER: DeliveryStatus[] = ['queued', 'sent', 'relayed', 'delivered', 'read', 'processed']

describe('messages: put, get, has', () => {
  it('round-trips every field and leaves out undefined ones', async () => {
    const record = incoming('conv', {
      type: 'task-request',
      content: undefined,
      payload: { a: [1, 'two', null], nested: { ok: true } },
      metadata: { lang: 'en' },
      replyTo: messageId(),
      expiresAt: 1_800_000_000_000,
      task: { taskId: 't-1', deadline: 1_700_000_500_000, idempotencyKey: 'k', skill: 'summarise' }
    })
    expect(await store.messages.put(record)).toBe(true)
    const read = await store.messages.get(record.messageId)
    expect(read).toEqual(record)
    expect(read).not.toHaveProperty('content')
    expect(read).not.toHaveProperty('seq')
    expect(await store.messages.has(record.messageId)).toBe(true)
  })

  it('answers unknown and malformed ids with undefined / false', async () => {
    expect(await store.messages.get(messageId())).toBeUndefined()
    expect(await store.messages.has(messageId())).toBe(false)
    expect(await store.messages.get('not-an-id')).toBeUndefined()
    expect(await store.messages.get('A'.repeat(32))).toBeUndefined()
    expect(await store.messages.has('x\0y')).toBe(false)
  })

  it('stores a message id once: a second put writes nothing and counts nothing', async () => {
    const record = incoming('conv')
    expect(await store.messages.put(record)).toBe(true)
    expect(await store.messages.put({ ...record, content: 'changed' })).toBe(false)
    expect((await store.messages.get(record.messageId))?.content).toBe('hello')
    expect((await store.conversations.get('conv'))?.unreadCount).toBe(1)
    expect((await store.messages.inbox()).total).toBe(1)
  })

  it('refuses malformed records with StoreQueryError', async () => {
    const bad = [
      incoming('conv', { messageId: 'ABCDEF'.padEnd(32, '0') }),
      incoming('conv', { messageId: 'abc' }),
      incoming('conv\0x'),
      incoming(''),
      incoming('conv', { direction: 'sideways' as 'in' }),
      incoming('conv', { status: 'lost' as DeliveryStatus }),
      incoming('conv', { sentAt: Number.NaN }),
      incoming('conv', { read: 'no' as unknown as boolean }),
      incoming('conv', { from: '' }),
      incoming('conv', { type: '' }),
      incoming('conv', { metadata: [] as unknown as Record<string, unknown> }),
      incoming('conv', { payload: { big: 1n } })
    ]
    for (const record of bad) {
      await expect(store.messages.put(record), JSON.stringify(record.messageId)).rejects.toMatchObject({ name: 'StoreQueryError' })
    }
    expect((await store.messages.inbox()).total).toBe(0)
  })
})

describe('messages: delivery status', () => {
  it('only moves forward', async () => {
    const msg = outgoing('conv')
    await store.messages.put(msg)
    expect(await store.messages.setStatus(msg.messageId, 'sent')).toMatchObject({ status: 'sent' })
    expect(await store.messages.setStatus(msg.messageId, 'delivered')).toMatchObject({ status: 'delivered' })
    // a late relay ack does not move a delivered message back
    expect(await store.messages.setStatus(msg.messageId, 'relayed')).toBe(false)
    expect(await store.messages.setStatus(msg.messageId, 'delivered')).toBe(false)
    expect(await store.messages.setStatus(msg.messageId, 'failed', 'timeout')).toBe(false)
    expect((await store.messages.get(msg.messageId))?.status).toBe('delivered')
    expect(await store.messages.setStatus(msg.messageId, 'processed')).toMatchObject({ status: 'processed' })
    expect(await store.messages.setStatus(msg.messageId, 'read')).toBe(false)
    expect((await store.messages.get(msg.messageId))?.status).toBe('processed')
  })

  it('follows the state machine for every pair', () => {
    for (const from of ORDER) {
      for (const to of ORDER) {
        expect(statusTransitionAllowed(from, to), `${from} -> ${to}`).toBe(ORDER.indexOf(to) > ORDER.indexOf(from))
      }
      expect(statusTransitionAllowed(from, 'failed'), `${from} -> failed`).toBe(['queued', 'sent', 'relayed'].includes(from))
      expect(statusTransitionAllowed('failed', from), `failed -> ${from}`).toBe(['delivered', 'read', 'processed'].includes(from))
    }
    expect(statusTransitionAllowed('failed', 'failed')).toBe(false)
  })

  it('records a failure with its reason, and clears the reason when proof of delivery arrives', async () => {
    const msg = outgoing('conv')
    await store.messages.put(msg)
    const failed = await store.messages.setStatus(msg.messageId, 'failed', 'no route to peer')
    expect(failed).toMatchObject({ status: 'failed', statusReason: 'no route to peer' })
    expect(await store.messages.setStatus(msg.messageId, 'sent')).toBe(false)
    const delivered = await store.messages.setStatus(msg.messageId, 'delivered')
    expect(delivered).toMatchObject({ status: 'delivered' })
    expect(delivered).not.toHaveProperty('statusReason')
  })

  it('answers undefined for an unknown message and refuses an unknown status', async () => {
    expect(await store.messages.setStatus(messageId(), 'sent')).toBeUndefined()
    const msg = outgoing('conv')
    await store.messages.put(msg)
    await expect(store.messages.setStatus(msg.messageId, 'lost' as DeliveryStatus)).rejects.toMatchObject({ name: 'StoreQueryError' })
  })

  it('putOps looks up an id its filter cannot rule out, unless the caller says it is fresh', async () => {
    // classic-level's synchronous get (not in `level`'s types): where a lookup of a key not written lately ends
    const reads = vi.spyOn(Level.prototype as unknown as { _getSync: (...args: unknown[]) => unknown }, '_getSync')
    try {
      const reopened = await fx.open({ path: join(fx.dir, 'fresh-db') })
      // one put while the ids on disk may still be being read in (then the filter answers "maybe")
      const early = outgoing('conv')
      await reopened.write(async () => await reopened.messages.putOps(early))
      await (reopened.messages as LevelMessageStore).filtered
      reads.mockClear()
      // a new id: ruled out by the filter, no read
      const first = outgoing('conv')
      await reopened.write(async () => await reopened.messages.putOps(first))
      expect(reads).not.toHaveBeenCalled()
      // a known id: looked up (here in the bucket's cache), and nothing is written
      expect(await reopened.messages.put(first)).toBe(false)
      reads.mockClear()
      const fresh = outgoing('conv')
      await reopened.write(async () => await reopened.messages.putOps(fresh, { fresh: true }))
      expect(reads).not.toHaveBeenCalled()
      expect(await reopened.messages.get(fresh.messageId)).toEqual(fresh)
      expect((await reopened.messages.history('conv')).messages).toEqual([early, first, fresh])
    } finally {
      reads.mockRestore()
    }
  })

  it('never takes a stored message for a new one: ids on disk, ids of this process, a write that failed', async () => {
    const stored = Array.from({ length: 30 }, () => outgoing('conv'))
    for (const msg of stored) await store.messages.put(msg)
    await store.close()
    const reopened = await fx.open()
    await (reopened.messages as LevelMessageStore).filtered
    for (const msg of stored) {
      expect(await reopened.messages.has(msg.messageId)).toBe(true)
      expect(await reopened.messages.put(msg)).toBe(false)
    }
    const later = outgoing('conv')
    await reopened.messages.put(later)
    expect(await reopened.messages.put(later)).toBe(false)
    // a write that failed leaves its id in the filter: the lookup then finds nothing, and the next put writes it
    const failed = outgoing('conv')
    await expect(reopened.write(async () => {
      await reopened.messages.putOps(failed)
      throw new Error('abandoned')
    })).rejects.toThrow('abandoned')
    expect(await reopened.messages.has(failed.messageId)).toBe(false)
    expect(await reopened.messages.put(failed)).toBe(true)
    expect((await reopened.messages.history('conv')).messages).toHaveLength(stored.length + 2)
    // an id the filter rules out still meets a closed store as a read does
    await reopened.close()
    await expect(reopened.messages.has(messageId())).rejects.toMatchObject({ name: 'StoreClosedError' })
  })

  it('has an ops variant that commits with other writes', async () => {
    const msg = outgoing('conv')
    await store.write(async () => [
      ...await store.messages.putOps(msg),
      ...await store.outbox.enqueueOps({ messageId: msg.messageId, to: BOB, envelope: new Uint8Array([1]) })
    ])
    let answer: unknown
    await store.write(async () => {
      const { ops, result } = await store.messages.setStatusOps(msg.messageId, 'delivered')
      answer = result
      return [...ops, ...await store.outbox.removeOps(msg.messageId)]
    })
    expect(answer).toMatchObject({ messageId: msg.messageId, status: 'delivered' })
    expect((await store.messages.get(msg.messageId))?.status).toBe('delivered')
    expect(await store.outbox.size()).toBe(0)
  })
})

describe('messages: the cache of outgoing records waiting for an ack', () => {
  it('reads back every status change, also after a reopen, and keeps a record deleted with its conversation deleted', async () => {
    const records = Array.from({ length: 20 }, () => outgoing('conv'))
    for (const r of records) await store.messages.put(r)
    for (const r of records) expect((await store.messages.setStatus(r.messageId, 'sent'))).toMatchObject({ status: 'sent' })
    for (const r of records.slice(0, 10)) expect((await store.messages.setStatus(r.messageId, 'delivered'))).toMatchObject({ status: 'delivered' })
    for (const r of records.slice(0, 10)) expect((await store.messages.get(r.messageId))?.status).toBe('delivered')
    for (const r of records.slice(10)) expect((await store.messages.get(r.messageId))?.status).toBe('sent')
    // a delivered record left the cache: a receipt still finds it on disk
    expect(await store.messages.setStatus(records[0]!.messageId, 'read')).toMatchObject({ status: 'read' })
    await store.close()
    store = await fx.open()
    expect((await store.messages.get(records[0]!.messageId))?.status).toBe('read')
    // `sent` was held in memory only: after a reopen the message is queued until it is sent again
    expect((await store.messages.get(records[19]!.messageId))?.status).toBe('queued')
    expect(await store.messages.setStatus(records[19]!.messageId, 'sent')).toMatchObject({ status: 'sent' })
    await store.messages.deleteConversation('conv')
    expect(await store.messages.get(records[19]!.messageId)).toBeUndefined()
    expect(await store.messages.setStatus(records[19]!.messageId, 'delivered')).toBeUndefined()
  })

  it('holds `sent` in memory: nothing is written, every read sees it, a reopen reads `queued`', async () => {
    const records = Array.from({ length: 3 }, () => outgoing('conv'))
    for (const r of records) await store.messages.put(r)
    const batch = vi.spyOn(Level.prototype, 'batch')
    try {
      await store.write(async () => {
        const first = await store.messages.setStatusOps(records[0]!.messageId, 'sent')
        expect(first).toEqual({ ops: [], result: expect.objectContaining({ status: 'sent' }) })
        // the same write sees its own `sent`: a second one changes nothing
        expect(await store.messages.setStatusOps(records[0]!.messageId, 'sent')).toEqual({ ops: [], result: false })
        return first.ops
      })
      expect(await store.messages.setStatus(records[1]!.messageId, 'sent')).toMatchObject({ status: 'sent' })
      expect(batch).not.toHaveBeenCalled()
    } finally {
      batch.mockRestore()
    }
    // point reads, history and inbox-style pages alike
    expect((await store.messages.get(records[0]!.messageId))?.status).toBe('sent')
    expect((await store.messages.getOrdered(records[1]!.messageId))?.record.status).toBe('sent')
    expect((await store.messages.history('conv')).messages.map(m => m.status)).toEqual(['sent', 'sent', 'queued'])
    // forward from `sent`, not back to it
    expect(await store.messages.setStatus(records[0]!.messageId, 'sent')).toBe(false)
    expect(await store.messages.setStatus(records[0]!.messageId, 'failed', 'gave up')).toMatchObject({ status: 'failed', statusReason: 'gave up' })
    expect(await store.messages.setStatus(records[1]!.messageId, 'delivered')).toMatchObject({ status: 'delivered' })
    await store.close()
    store = await fx.open()
    expect((await store.messages.history('conv')).messages.map(m => m.status)).toEqual(['failed', 'delivered', 'queued'])
  })

  it('holds at most maxOutbox `sent` states in memory, writes the next, and frees room as records are written or deleted', async () => {
    await store.close()
    store = await fx.open({ maxOutbox: 2 })
    const records = Array.from({ length: 5 }, () => outgoing('conv'))
    for (const r of [...records, outgoing('other')]) await store.messages.put(r)
    /** how many operations moving `id` to `sent` wrote */
    const sent = async (id: string): Promise<number> => {
      let written = -1
      await store.write(async () => {
        const { ops } = await store.messages.setStatusOps(id, 'sent')
        written = ops.length
        return ops
      })
      return written
    }
    // two in memory, the third written
    expect(await sent(records[0]!.messageId)).toBe(0)
    expect(await sent(records[1]!.messageId)).toBe(0)
    expect(await sent(records[2]!.messageId)).toBe(1)
    // a record written (delivered) frees its room
    await store.messages.setStatus(records[0]!.messageId, 'delivered')
    expect(await sent(records[3]!.messageId)).toBe(0)
    expect(await sent(records[4]!.messageId)).toBe(1)
    await store.close()
    store = await fx.open({ maxOutbox: 2 })
    expect((await store.messages.history('conv')).messages.map(m => m.status)).toEqual(['delivered', 'queued', 'sent', 'queued', 'sent'])
    // a deleted conversation frees the room its `sent` states held
    for (const id of [records[1]!.messageId, records[3]!.messageId]) expect(await sent(id)).toBe(0)
    await store.messages.deleteConversation('conv')
    const [other] = (await store.messages.history('other')).messages
    expect(await sent(other!.messageId)).toBe(0)
    // so does an expired message
    const expiring = outgoing('other', { expiresAt: fx.clock.now + 1000 })
    await store.messages.put(expiring)
    expect(await sent(expiring.messageId)).toBe(0)
    const third = outgoing('other')
    await store.messages.put(third)
    expect(await sent(third.messageId)).toBe(1)
    await store.write(async () => (await store.messages.expireOps(fx.clock.now + 1000)).ops)
    const fourth = outgoing('other')
    await store.messages.put(fourth)
    expect(await sent(fourth.messageId)).toBe(0)
  })

  it('is not moved by a batch that fails', async () => {
    const record = outgoing('conv')
    await store.messages.put(record)
    await expect(store.write(async () => [
      ...(await store.messages.setStatusOps(record.messageId, 'delivered')).ops,
      { type: 'put', key: 'x' } as never
    ])).rejects.toThrow()
    expect((await store.messages.get(record.messageId))?.status).toBe('queued')
    // nor by one whose `sent` was held in memory only
    await expect(store.write(async () => [
      ...(await store.messages.setStatusOps(record.messageId, 'sent')).ops,
      { type: 'put', key: 'x' } as never
    ])).rejects.toThrow()
    expect((await store.messages.get(record.messageId))?.status).toBe('queued')
    expect(await store.messages.setStatus(record.messageId, 'sent')).toMatchObject({ status: 'sent' })
  })

  it('sees changes made earlier in the same batch', async () => {
    const record = outgoing('conv')
    await store.messages.put(record)
    let second: unknown
    await store.write(async () => {
      const first = await store.messages.setStatusOps(record.messageId, 'sent')
      const next = await store.messages.setStatusOps(record.messageId, 'delivered')
      second = next.result
      return [...first.ops, ...next.ops]
    })
    expect(second).toMatchObject({ status: 'delivered' })
    expect((await store.messages.get(record.messageId))?.status).toBe('delivered')
  })
})

describe('messages: markRead and unread counts', () => {
  it('marks once, decrements the conversation once, and is idempotent', async () => {
    const a = incoming('conv')
    const b = incoming('conv')
    await store.messages.put(a)
    await store.messages.put(b)
    expect((await store.conversations.get('conv'))?.unreadCount).toBe(2)
    expect((await store.messages.inbox({ unread: true })).total).toBe(2)

    expect(await store.messages.markRead(a.messageId)).toBe(true)
    expect(await store.messages.markRead(a.messageId)).toBe(true)
    expect(await store.messages.markRead(a.messageId)).toBe(true)
    expect((await store.messages.get(a.messageId))?.read).toBe(true)
    expect((await store.conversations.get('conv'))?.unreadCount).toBe(1)
    const unread = await store.messages.inbox({ unread: true })
    expect(unread.total).toBe(1)
    expect(unread.messages.map(m => m.messageId)).toEqual([b.messageId])

    expect(await store.messages.markRead(b.messageId)).toBe(true)
    expect((await store.conversations.get('conv'))?.unreadCount).toBe(0)
  })

  it('returns false for unknown ids and outgoing messages, and writes nothing for them', async () => {
    const out = outgoing('conv')
    await store.messages.put(out)
    expect(await store.messages.markRead(messageId())).toBe(false)
    expect(await store.messages.markRead('junk')).toBe(false)
    expect(await store.messages.markRead(out.messageId)).toBe(false)
    expect((await store.messages.get(out.messageId))?.read).toBe(false)
  })

  it('does not count an incoming message stored as already read', async () => {
    await store.messages.put(incoming('conv', { read: true }))
    expect((await store.conversations.get('conv'))?.unreadCount).toBe(0)
    expect((await store.messages.inbox({ unread: true })).total).toBe(0)
    expect((await store.messages.inbox()).total).toBe(1)
  })

  it('keeps the exact unread count under 200 concurrent puts', async () => {
    const records = Array.from({ length: 200 }, (_, i) => incoming(i % 2 === 0 ? 'busy' : 'other', { receivedAt: 1_700_000_000_000 + i }))
    const results = await Promise.all(records.map(async r => await store.messages.put(r)))
    expect(results.every(Boolean)).toBe(true)
    expect((await store.conversations.get('busy'))?.unreadCount).toBe(100)
    expect((await store.conversations.get('other'))?.unreadCount).toBe(100)
    // and concurrent reads while marking
    await Promise.all(records.slice(0, 50).map(async r => await store.messages.markRead(r.messageId)))
    expect((await store.conversations.get('busy'))?.unreadCount).toBe(75)
    expect((await store.conversations.get('other'))?.unreadCount).toBe(75)
    expect((await store.messages.inbox({ unread: true })).total).toBe(150)
  })

  it('keeps the exact unread count of one conversation under 200 concurrent puts', async () => {
    const records = Array.from({ length: 200 }, () => incoming('one'))
    await Promise.all(records.map(async r => await store.messages.put(r)))
    expect((await store.conversations.get('one'))?.unreadCount).toBe(200)
    await store.close()
    const again = await fx.open()
    expect((await again.conversations.get('one'))?.unreadCount).toBe(200)
    expect((await again.messages.history('one', { limit: 500 })).total).toBe(200)
  })
})

describe('messages: inbox', () => {
  it('pages incoming messages newest first with limit, offset, unread and total', async () => {
    const ids: string[] = []
    for (let i = 0; i < 12; i++) {
      const msg = incoming(i % 3 === 0 ? 'c1' : 'c2', { read: i % 2 === 0 })
      ids.push(msg.messageId)
      await store.messages.put(msg)
      // outgoing messages never show in the inbox
      await store.messages.put(outgoing('c1'))
    }
    const newestFirst = [...ids].reverse()

    const all = await store.messages.inbox()
    expect(all.total).toBe(12)
    expect(all.messages.map(m => m.messageId)).toEqual(newestFirst)

    const page = await store.messages.inbox({ limit: 5, offset: 5 })
    expect(page.total).toBe(12)
    expect(page.messages.map(m => m.messageId)).toEqual(newestFirst.slice(5, 10))

    const tail = await store.messages.inbox({ limit: 5, offset: 10 })
    expect(tail.messages.map(m => m.messageId)).toEqual(newestFirst.slice(10))
    expect((await store.messages.inbox({ offset: 12 })).messages).toEqual([])
    expect((await store.messages.inbox({ offset: 1000 })).total).toBe(12)

    const unread = await store.messages.inbox({ unread: true, limit: 2, offset: 1 })
    const unreadIds = ids.filter((_, i) => i % 2 !== 0).reverse()
    expect(unread.total).toBe(6)
    expect(unread.messages.map(m => m.messageId)).toEqual(unreadIds.slice(1, 3))
  })

  it('orders by arrival, not by the sender\'s clock', async () => {
    const late = incoming('c', { sentAt: 5 })
    const early = incoming('c', { sentAt: 1 })
    await store.messages.put(late)
    await store.messages.put(early)
    expect((await store.messages.inbox()).messages.map(m => m.messageId)).toEqual([early.messageId, late.messageId])
  })

  it('checks limit and offset bounds', async () => {
    for (const limit of [0, 501, -1, 1.5, Number.NaN]) {
      await expect(store.messages.inbox({ limit }), `limit ${limit}`).rejects.toMatchObject({ name: 'StoreQueryError' })
      await expect(store.messages.history('c', { limit }), `limit ${limit}`).rejects.toMatchObject({ name: 'StoreQueryError' })
      await expect(store.conversations.list({ limit }), `limit ${limit}`).rejects.toMatchObject({ name: 'StoreQueryError' })
    }
    for (const offset of [-1, 0.5]) {
      await expect(store.messages.inbox({ offset })).rejects.toMatchObject({ name: 'StoreQueryError' })
    }
    for (const limit of [1, 500]) {
      await expect(store.messages.inbox({ limit })).resolves.toMatchObject({ total: 0 })
      await expect(store.messages.history('c', { limit })).resolves.toMatchObject({ total: 0, hasMore: false })
      await expect(store.conversations.list({ limit })).resolves.toEqual([])
    }
  })

  it('returns the first 500 of 501 messages at limit 500', async () => {
    await store.write(async () => {
      const ops = []
      for (let i = 0; i < 501; i++) ops.push(...await store.messages.putOps(incoming('big')))
      return ops
    })
    const page = await store.messages.inbox({ limit: 500 })
    expect(page.messages).toHaveLength(500)
    expect(page.total).toBe(501)
    const history = await store.messages.history('big', { limit: 500 })
    expect(history.messages).toHaveLength(500)
    expect(history.hasMore).toBe(true)
  })
})

describe('messages: history', () => {
  it('pages back through a conversation with before / limit / hasMore, oldest first in a page', async () => {
    const ids: string[] = []
    for (let i = 0; i < 23; i++) {
      const msg = i % 2 === 0 ? incoming('conv', { sentAt: 1000 - i }) : outgoing('conv', { sentAt: 1000 - i })
      ids.push(msg.messageId)
      await store.messages.put(msg)
      await store.messages.put(incoming('elsewhere'))
    }

    const pages: string[][] = []
    let before: string | undefined
    for (;;) {
      const page = await store.messages.history('conv', before === undefined ? { limit: 10 } : { before, limit: 10 })
      expect(page.total).toBe(23)
      pages.unshift(page.messages.map(m => m.messageId))
      if (!page.hasMore) break
      before = page.messages[0]!.messageId
    }
    expect(pages.map(p => p.length)).toEqual([3, 10, 10])
    expect(pages.flat()).toEqual(ids)
    // the newest page is the last 10, oldest first
    expect((await store.messages.history('conv', { limit: 10 })).messages.map(m => m.messageId)).toEqual(ids.slice(13))
    // before the oldest: nothing more
    expect(await store.messages.history('conv', { before: ids[0] })).toEqual({ messages: [], total: 23, hasMore: false })
    // exactly one page left
    const exact = await store.messages.history('conv', { before: ids[10], limit: 10 })
    expect(exact.messages.map(m => m.messageId)).toEqual(ids.slice(0, 10))
    expect(exact.hasMore).toBe(false)
  })

  it('refuses a before that is not a message of the conversation', async () => {
    const other = incoming('other')
    await store.messages.put(other)
    await store.messages.put(incoming('conv'))
    await expect(store.messages.history('conv', { before: other.messageId })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.messages.history('conv', { before: messageId() })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.messages.history('conv\0')).rejects.toMatchObject({ name: 'StoreQueryError' })
  })

  it('keeps conversations whose ids share a prefix apart', async () => {
    await store.messages.put(incoming('a'))
    await store.messages.put(incoming('a/b'))
    await store.messages.put(incoming('ab'))
    expect((await store.messages.history('a')).total).toBe(1)
    expect((await store.messages.history('a/b')).total).toBe(1)
  })
})

describe('messages: deleteConversation', () => {
  it('removes the messages, their indexes and the conversation, and nothing else', async () => {
    const keep = incoming('keep')
    await store.messages.put(keep)
    const gone = [incoming('gone'), outgoing('gone'), incoming('gone', { read: true })]
    for (const m of gone) await store.messages.put(m)
    expect(await store.messages.deleteConversation('gone')).toBe(3)
    for (const m of gone) expect(await store.messages.has(m.messageId)).toBe(false)
    expect(await store.conversations.get('gone')).toBeUndefined()
    expect((await store.messages.history('gone')).total).toBe(0)
    const inbox = await store.messages.inbox()
    expect(inbox.messages.map(m => m.messageId)).toEqual([keep.messageId])
    expect((await store.messages.inbox({ unread: true })).total).toBe(1)
    expect((await store.conversations.list()).map(c => c.conversationId)).toEqual(['keep'])
    expect(await store.messages.deleteConversation('gone')).toBe(0)
    // the conversation starts afresh
    await store.messages.put(incoming('gone', { from: CAROL }))
    expect(await store.conversations.get('gone')).toMatchObject({ unreadCount: 1, peer: CAROL })
  })
})

describe('messages: expiry', () => {
  it('deletes messages whose expiresAt passed, soonest first, with their indexes and unread counts', async () => {
    const soon = incoming('conv', { expiresAt: 1_000 })
    const later = outgoing('conv', { expiresAt: 2_000 })
    const readOne = incoming('conv', { expiresAt: 1_500, read: true })
    const never = incoming('conv')
    for (const m of [soon, later, readOne, never]) await store.messages.put(m)
    expect(await store.messages.nextExpiry()).toBe(1_000)
    expect((await store.conversations.get('conv'))?.unreadCount).toBe(2)

    const expire = async (now: number, limit?: number): Promise<string[]> => {
      let ids: string[] = []
      await store.write(async () => {
        const built = await store.messages.expireOps(now, limit)
        ids = built.result.map(m => m.messageId)
        return built.ops
      })
      return ids
    }
    expect(await expire(999)).toEqual([])
    // at its time exactly, and at most `limit` per call
    expect(await expire(1_500, 1)).toEqual([soon.messageId])
    expect(await expire(1_500)).toEqual([readOne.messageId])
    expect((await store.conversations.get('conv'))?.unreadCount).toBe(1)
    expect((await store.messages.inbox()).messages.map(m => m.messageId)).toEqual([never.messageId])
    expect((await store.messages.inbox({ unread: true })).total).toBe(1)
    expect(await store.messages.nextExpiry()).toBe(2_000)
    expect(await expire(5_000)).toEqual([later.messageId])
    expect((await store.messages.history('conv')).messages.map(m => m.messageId)).toEqual([never.messageId])
    expect(await store.messages.nextExpiry()).toBeUndefined()
  })

  it('drops the expiry entry of a message that went with its conversation', async () => {
    const m = incoming('gone', { expiresAt: 1_000 })
    await store.messages.put(m)
    await store.messages.deleteConversation('gone')
    expect(await store.messages.nextExpiry()).toBe(1_000)
    await store.write(async () => (await store.messages.expireOps(2_000)).ops)
    expect(await store.messages.nextExpiry()).toBeUndefined()
  })
})
