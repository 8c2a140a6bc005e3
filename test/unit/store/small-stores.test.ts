import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE, BOB, CAROL, storeFixture } from './helpers.js'
import type { SignedPrekeyRecord, Store } from '../../../src/store/index.js'
import type { StoreFixture } from './helpers.js'

let fx: StoreFixture
let store: Store

beforeEach(async () => {
  fx = await storeFixture()
  store = await fx.open()
})
afterEach(async () => { await fx.cleanup() })

function bytes (n: number): Uint8Array {
  return new Uint8Array(randomBytes(n))
}

describe('sessions', () => {
  it('puts, gets, replaces and deletes session bytes exactly', async () => {
    const session = bytes(1500)
    expect(await store.sessions.get(BOB)).toBeUndefined()
    await store.sessions.put(BOB, session)
    expect(await store.sessions.get(BOB)).toEqual(session)
    const replacement = bytes(20)
    await store.write(store.sessions.putOps(BOB, replacement))
    expect(await store.sessions.get(BOB)).toEqual(replacement)
    await store.sessions.put(CAROL, new Uint8Array(0))
    expect(await store.sessions.get(CAROL)).toEqual(new Uint8Array(0))
    await store.sessions.delete(BOB)
    expect(await store.sessions.get(BOB)).toBeUndefined()
    await store.write(store.sessions.deleteOps(CAROL))
    expect(await store.sessions.get(CAROL)).toBeUndefined()
  })

  it('hands out a copy the caller may wipe', async () => {
    await store.sessions.put(BOB, new Uint8Array([1, 2, 3]))
    const first = await store.sessions.get(BOB)
    first!.fill(0)
    expect(await store.sessions.get(BOB)).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('copies what it is given, unless it is handed over', async () => {
    const kept = Uint8Array.of(1, 2, 3)
    const handed = Uint8Array.of(4, 5, 6)
    await store.write(() => {
      const ops = [...store.sessions.putOps(BOB, kept), ...store.sessions.putOps(CAROL, handed, true)]
      // the caller changes both before the write commits: only the handed-over buffer is sealed as it is then
      kept.fill(9)
      handed.fill(7)
      return ops
    })
    expect(await store.sessions.get(BOB)).toEqual(Uint8Array.of(1, 2, 3))
    expect(await store.sessions.get(CAROL)).toEqual(Uint8Array.of(7, 7, 7))
  })

  it('refuses what is not bytes or not a peer id', () => {
    expect(() => store.sessions.putOps(BOB, 'abc' as unknown as Uint8Array)).toThrow(expect.objectContaining({ name: 'StoreQueryError' }))
    expect(() => store.sessions.putOps('', new Uint8Array(1))).toThrow(expect.objectContaining({ name: 'StoreQueryError' }))
  })
})

describe('contacts', () => {
  it('puts, keeps addedAt, updates, lists and removes', async () => {
    const added = await store.contacts.put({ peerId: BOB, trust: 'unknown', alias: 'bob' })
    expect(added).toEqual({ peerId: BOB, alias: 'bob', trust: 'unknown', addedAt: fx.clock.now, updatedAt: fx.clock.now })
    const addedAt = fx.clock.now
    fx.clock.now += 1000
    const updated = await store.contacts.put({ peerId: BOB, trust: 'trusted' })
    expect(updated).toEqual({ peerId: BOB, trust: 'trusted', addedAt, updatedAt: addedAt + 1000 })
    expect(await store.contacts.get(BOB)).toEqual(updated)
    await store.contacts.put({ peerId: ALICE, trust: 'blocked' })
    await store.contacts.put({ peerId: CAROL, trust: 'verified' })
    expect((await store.contacts.list()).map(c => c.peerId)).toEqual([ALICE, BOB, CAROL].sort())
    expect(await store.contacts.remove(ALICE)).toBe(true)
    expect(await store.contacts.remove(ALICE)).toBe(false)
    expect(await store.contacts.get(ALICE)).toBeUndefined()
    await store.write(store.contacts.removeOps(CAROL))
    expect((await store.contacts.list()).map(c => c.peerId)).toEqual([BOB])
  })

  it('refuses an unknown trust level', async () => {
    await expect(store.contacts.put({ peerId: BOB, trust: 'friend' as 'contact' })).rejects.toMatchObject({ name: 'StoreQueryError' })
  })
})

describe('prekeys', () => {
  function signed (id: number, createdAt: number): SignedPrekeyRecord {
    return { id, publicKey: bytes(32), privateKey: bytes(32), signature: bytes(64), createdAt }
  }

  it('keeps the current and previous signed prekeys, byte for byte', async () => {
    expect(await store.prekeys.currentSigned()).toBeUndefined()
    const previous = signed(1, 1000)
    const current = signed(2, 2000)
    await store.prekeys.putSigned(current)
    await store.prekeys.putSigned(previous)
    expect(await store.prekeys.currentSigned()).toEqual(current)
    expect(await store.prekeys.signed(1)).toEqual(previous)
    expect(await store.prekeys.signed(3)).toBeUndefined()
    expect(await store.prekeys.listSigned()).toEqual([previous, current])
    await store.prekeys.removeSigned(1)
    expect(await store.prekeys.listSigned()).toEqual([current])
    await store.write(store.prekeys.removeSignedOps(2))
    expect(await store.prekeys.currentSigned()).toBeUndefined()
  })

  it('consumes each one-time prekey once', async () => {
    const pool = Array.from({ length: 5 }, (_, i) => ({ id: 100 + i, publicKey: bytes(32), privateKey: bytes(32) }))
    await store.prekeys.putOneTime(pool)
    expect(await store.prekeys.countOneTime()).toBe(5)
    expect(await store.prekeys.oneTime(102)).toEqual(pool[2])
    expect(await store.prekeys.consumeOneTime(102)).toEqual(pool[2])
    expect(await store.prekeys.consumeOneTime(102)).toBeUndefined()
    expect(await store.prekeys.oneTime(102)).toBeUndefined()
    expect(await store.prekeys.countOneTime()).toBe(4)

    // taken in the same batch as the session it starts; two takes in one batch: one wins
    const taken: unknown[] = []
    await store.write(async () => {
      const first = await store.prekeys.takeOneTimeOps(103)
      const second = await store.prekeys.takeOneTimeOps(103)
      taken.push(first.result, second.result)
      return [...first.ops, ...second.ops, ...store.sessions.putOps(BOB, new Uint8Array([1]))]
    })
    expect(taken).toEqual([pool[3], undefined])
    expect(await store.prekeys.countOneTime()).toBe(3)
  })

  it('hands out ids once, in blocks, across reopen', async () => {
    expect(await store.prekeys.nextId()).toBe(1)
    expect(await store.prekeys.nextId(100)).toBe(2)
    expect(await store.prekeys.nextId()).toBe(102)
    const concurrent = await Promise.all(Array.from({ length: 20 }, async () => await store.prekeys.nextId()))
    expect(new Set(concurrent).size).toBe(20)
    await store.close()
    const again = await fx.open()
    expect(await again.prekeys.nextId()).toBe(123)
    await expect(again.prekeys.nextId(0)).rejects.toMatchObject({ name: 'StoreQueryError' })
  })

  it('refuses malformed prekeys', async () => {
    await expect(store.prekeys.putSigned({ ...signed(1, 1), publicKey: bytes(31) })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.prekeys.putSigned({ ...signed(1, 1), signature: bytes(32) })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.prekeys.putSigned(signed(-1, 1))).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.prekeys.putOneTime([{ id: 2 ** 32, publicKey: bytes(32), privateKey: bytes(32) }])).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.prekeys.signed(1.5)).rejects.toMatchObject({ name: 'StoreQueryError' })
  })
})

describe('meta', () => {
  it('puts, gets and deletes JSON values', async () => {
    expect(await store.meta.get('missing')).toBeUndefined()
    await store.meta.put('state', { started: 3, peers: ['a', 'b'], nested: { ok: true } })
    expect(await store.meta.get<{ started: number }>('state')).toEqual({ started: 3, peers: ['a', 'b'], nested: { ok: true } })
    await store.meta.put('n', 0)
    expect(await store.meta.get('n')).toBe(0)
    await store.meta.put('null', null)
    expect(await store.meta.get('null')).toBeNull()
    await store.meta.delete('state')
    expect(await store.meta.get('state')).toBeUndefined()
    await store.write(store.meta.deleteOps('n'))
    expect(await store.meta.get('n')).toBeUndefined()
  })

  it('refuses what JSON cannot hold', async () => {
    await expect(store.meta.put('bad', 1n)).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.meta.put('bad', undefined)).rejects.toMatchObject({ name: 'StoreQueryError' })
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    await expect(store.meta.put('bad', cycle)).rejects.toMatchObject({ name: 'StoreQueryError' })
  })
})
