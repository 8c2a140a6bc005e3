import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE, BOB, CAROL, incoming, outgoing, storeFixture } from './helpers.js'
import type { Store } from '../../../src/store/index.js'
import type { StoreFixture } from './helpers.js'

let fx: StoreFixture
let store: Store

beforeEach(async () => {
  fx = await storeFixture()
  store = await fx.open()
})
afterEach(async () => { await fx.cleanup() })

describe('conversations', () => {
  it('is created by the first message, with the other agent as peer', async () => {
    await store.messages.put(outgoing('to-bob', { to: BOB, sentAt: 10 }))
    await store.messages.put(incoming('from-carol', { from: CAROL, to: ALICE, sentAt: 5, receivedAt: 20 }))
    expect(await store.conversations.get('to-bob')).toEqual({ conversationId: 'to-bob', peer: BOB, lastMessageAt: 10, unreadCount: 0, status: 'active' })
    expect(await store.conversations.get('from-carol')).toEqual({ conversationId: 'from-carol', peer: CAROL, lastMessageAt: 20, unreadCount: 1, status: 'active' })
    expect(await store.conversations.get('nobody')).toBeUndefined()
  })

  it('moves lastMessageAt forward only', async () => {
    await store.messages.put(incoming('c', { receivedAt: 100 }))
    await store.messages.put(incoming('c', { receivedAt: 50 }))
    expect((await store.conversations.get('c'))?.lastMessageAt).toBe(100)
    await store.messages.put(outgoing('c', { sentAt: 150 }))
    expect((await store.conversations.get('c'))?.lastMessageAt).toBe(150)
  })

  it('archives, and comes back on a new incoming message but not an outgoing one', async () => {
    await store.messages.put(incoming('c'))
    expect(await store.conversations.archive('c')).toBe(true)
    expect((await store.conversations.get('c'))?.status).toBe('archived')
    await store.messages.put(outgoing('c'))
    expect((await store.conversations.get('c'))?.status).toBe('archived')
    await store.messages.put(incoming('c'))
    expect((await store.conversations.get('c'))).toMatchObject({ status: 'active', unreadCount: 2 })
    expect(await store.conversations.archive('unknown')).toBe(false)
  })

  it('sets and clears a name', async () => {
    await store.messages.put(incoming('c'))
    expect(await store.conversations.setName('c', 'Bob the builder')).toBe(true)
    expect((await store.conversations.get('c'))?.name).toBe('Bob the builder')
    expect(await store.conversations.setName('c', undefined)).toBe(true)
    expect(await store.conversations.get('c')).not.toHaveProperty('name')
    expect(await store.conversations.setName('unknown', 'x')).toBe(false)
    await expect(store.conversations.setName('c', 42 as unknown as string)).rejects.toMatchObject({ name: 'StoreQueryError' })
  })

  it('lists by lastMessageAt (newest first), by unread, by status, within limit', async () => {
    await store.messages.put(incoming('old', { receivedAt: 100 }))
    await store.messages.put(incoming('mid', { receivedAt: 200 }))
    await store.messages.put(incoming('mid', { receivedAt: 210 }))
    await store.messages.put(incoming('mid', { receivedAt: 220 }))
    await store.messages.put(outgoing('new', { sentAt: 300 }))
    await store.messages.put(incoming('old', { receivedAt: 150 }))
    await store.conversations.archive('new')

    const ids = async (options?: Parameters<Store['conversations']['list']>[0]): Promise<string[]> =>
      (await store.conversations.list(options)).map(c => c.conversationId)
    expect(await ids()).toEqual(['new', 'mid', 'old'])
    expect(await ids({ sort: 'lastMessageAt', limit: 2 })).toEqual(['new', 'mid'])
    expect(await ids({ status: 'active' })).toEqual(['mid', 'old'])
    expect(await ids({ status: 'archived' })).toEqual(['new'])
    expect(await ids({ sort: 'unread' })).toEqual(['mid', 'old', 'new'])
    expect(await ids({ sort: 'unread', limit: 1 })).toEqual(['mid'])
    expect(await ids({ sort: 'unread', status: 'archived' })).toEqual(['new'])
    const [mid] = await store.conversations.list({ limit: 1, status: 'active' })
    expect(mid).toEqual({ conversationId: 'mid', peer: BOB, lastMessageAt: 220, unreadCount: 3, status: 'active' })

    await expect(store.conversations.list({ sort: 'name' as 'unread' })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.conversations.list({ status: 'gone' as 'active' })).rejects.toMatchObject({ name: 'StoreQueryError' })
  })

  it('lists past many filtered-out conversations', async () => {
    await store.write(async () => {
      const ops = []
      for (let i = 0; i < 250; i++) ops.push(...await store.messages.putOps(incoming(`c${i}`, { receivedAt: 1000 + i })))
      return ops
    })
    for (let i = 0; i < 240; i++) await store.conversations.archive(`c${249 - i}`)
    const active = await store.conversations.list({ status: 'active' })
    expect(active.map(c => c.conversationId)).toEqual(Array.from({ length: 10 }, (_, i) => `c${9 - i}`))
    expect(await store.conversations.list({ status: 'archived', limit: 500 })).toHaveLength(240)
  })

  it('touchOps counts only unread incoming messages', async () => {
    await store.write(async () => [
      ...await store.conversations.touchOps({ conversationId: 'c', peer: BOB, at: 5, incoming: true, unread: true }),
      ...await store.conversations.touchOps({ conversationId: 'c', peer: BOB, at: 6, incoming: false, unread: true }),
      ...await store.conversations.touchOps({ conversationId: 'c', peer: BOB, at: 4, incoming: true, unread: false })
    ])
    expect(await store.conversations.get('c')).toEqual({ conversationId: 'c', peer: BOB, lastMessageAt: 6, unreadCount: 1, status: 'active' })
  })

  it('serves reads from a cache that follows every commit, across reopen', async () => {
    await store.messages.put(incoming('c'))
    expect((await store.conversations.get('c'))?.unreadCount).toBe(1)
    // reads racing writes never leave a stale cached value behind
    const writes = Array.from({ length: 20 }, async () => await store.messages.put(incoming('c')))
    const reads = Array.from({ length: 20 }, async () => await store.conversations.get('c'))
    await Promise.all([...writes, ...reads])
    expect((await store.conversations.get('c'))?.unreadCount).toBe(21)
    await store.close()
    const again = await fx.open()
    expect((await again.conversations.get('c'))?.unreadCount).toBe(21)
    expect((await again.conversations.list()).map(c => c.unreadCount)).toEqual([21])
  })
})
