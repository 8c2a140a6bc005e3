import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_OUTBOX } from '../../../src/store/index.js'
import { BOB, CAROL, messageId, rawEntries, storeFixture, withRawDb } from './helpers.js'
import type { Store } from '../../../src/store/index.js'
import type { StoreFixture } from './helpers.js'

let fx: StoreFixture
let store: Store

beforeEach(async () => {
  fx = await storeFixture()
  store = await fx.open()
})
afterEach(async () => { await fx.cleanup() })

function envelope (n: number): Uint8Array {
  return new Uint8Array([n, n + 1, n + 2])
}

describe('outbox', () => {
  it('keeps entries in enqueue order per recipient, and lists recipients', async () => {
    const bob: string[] = []
    const carol: string[] = []
    for (let i = 0; i < 6; i++) {
      const id = messageId()
      ;(i % 3 === 0 ? carol : bob).push(id)
      expect(await store.outbox.enqueue({ messageId: id, to: i % 3 === 0 ? CAROL : BOB, envelope: envelope(i) })).toBe(true)
    }
    expect((await store.outbox.forPeer(BOB)).map(e => e.messageId)).toEqual(bob)
    expect((await store.outbox.forPeer(CAROL)).map(e => e.messageId)).toEqual(carol)
    expect(await store.outbox.forPeer('12D3KooWnobody')).toEqual([])
    expect(await store.outbox.peers()).toEqual([BOB, CAROL].sort())
    expect(await store.outbox.size()).toBe(6)

    const first = await store.outbox.get(bob[0]!)
    expect(first).toEqual({ messageId: bob[0], to: BOB, envelope: envelope(1), createdAt: fx.clock.now, attempts: 0, nextAttemptAt: fx.clock.now })
    expect(await store.outbox.get(messageId())).toBeUndefined()
  })

  it('enqueues an id once', async () => {
    const id = messageId()
    expect(await store.outbox.enqueue({ messageId: id, to: BOB, envelope: envelope(1) })).toBe(true)
    expect(await store.outbox.enqueue({ messageId: id, to: BOB, envelope: envelope(2) })).toBe(false)
    expect(await store.outbox.size()).toBe(1)
    expect((await store.outbox.get(id))?.envelope).toEqual(envelope(1))
  })

  it('removes entries, with their indexes', async () => {
    const a = messageId()
    const b = messageId()
    await store.outbox.enqueue({ messageId: a, to: BOB, envelope: envelope(1) })
    await store.outbox.enqueue({ messageId: b, to: CAROL, envelope: envelope(2) })
    expect(await store.outbox.remove(a)).toBe(true)
    expect(await store.outbox.remove(a)).toBe(false)
    expect(await store.outbox.get(a)).toBeUndefined()
    expect(await store.outbox.forPeer(BOB)).toEqual([])
    expect(await store.outbox.peers()).toEqual([CAROL])
    expect((await store.outbox.due(fx.clock.now)).map(e => e.messageId)).toEqual([b])
    expect(await store.outbox.size()).toBe(1)
  })

  it('answers due entries in enqueue order and follows recorded attempts', async () => {
    const now = fx.clock.now
    const ids = [messageId(), messageId(), messageId(), messageId()]
    await store.outbox.enqueue({ messageId: ids[0]!, to: BOB, envelope: envelope(0), nextAttemptAt: now + 500 })
    await store.outbox.enqueue({ messageId: ids[1]!, to: CAROL, envelope: envelope(1), nextAttemptAt: now })
    await store.outbox.enqueue({ messageId: ids[2]!, to: BOB, envelope: envelope(2), nextAttemptAt: now - 1000 })
    await store.outbox.enqueue({ messageId: ids[3]!, to: BOB, envelope: envelope(3), nextAttemptAt: now + 100 })

    expect((await store.outbox.due(now)).map(e => e.messageId)).toEqual([ids[1], ids[2]])
    expect((await store.outbox.due(now + 100)).map(e => e.messageId)).toEqual([ids[1], ids[2], ids[3]])
    expect((await store.outbox.due(now + 1000)).map(e => e.messageId)).toEqual(ids)
    expect((await store.outbox.due(now + 1000, 2)).map(e => e.messageId)).toEqual(ids.slice(0, 2))
    expect(await store.outbox.due(now - 2000)).toEqual([])

    const after = await store.outbox.recordAttempt(ids[2]!, { nextAttemptAt: now + 2000, error: 'dial failed' })
    expect(after).toMatchObject({ attempts: 1, nextAttemptAt: now + 2000, lastError: 'dial failed' })
    expect((await store.outbox.due(now)).map(e => e.messageId)).toEqual([ids[1]])
    const again = await store.outbox.recordAttempt(ids[2]!, { nextAttemptAt: now + 3000 })
    expect(again).toMatchObject({ attempts: 2, nextAttemptAt: now + 3000, lastError: 'dial failed' })
    expect(await store.outbox.get(ids[2]!)).toEqual(again)
    expect((await store.outbox.due(now + 2500)).map(e => e.messageId)).toEqual([ids[0], ids[1], ids[3]])
    expect(await store.outbox.recordAttempt(messageId(), { nextAttemptAt: now })).toBeUndefined()
  })

  it(`refuses the entry after its bound (default ${MAX_OUTBOX}), counting across reopen`, async () => {
    const small = await fx.open({ path: `${fx.dir}/small`, maxOutbox: 5 })
    for (let i = 0; i < 5; i++) {
      expect(await small.outbox.enqueue({ messageId: messageId(), to: BOB, envelope: envelope(i) })).toBe(true)
    }
    expect(await small.outbox.size()).toBe(5)
    await expect(small.outbox.enqueue({ messageId: messageId(), to: CAROL, envelope: envelope(9) })).rejects.toMatchObject({ name: 'OutboxFullError', limit: 5 })
    expect(await small.outbox.size()).toBe(5)

    await small.close()
    const reopened = await fx.open({ path: `${fx.dir}/small`, maxOutbox: 5 })
    expect(await reopened.outbox.size()).toBe(5)
    await expect(reopened.outbox.enqueue({ messageId: messageId(), to: CAROL, envelope: envelope(9) })).rejects.toMatchObject({ name: 'OutboxFullError' })
    const [oldest] = await reopened.outbox.forPeer(BOB)
    await reopened.outbox.remove(oldest!.messageId)
    expect(await reopened.outbox.enqueue({ messageId: messageId(), to: CAROL, envelope: envelope(9) })).toBe(true)
    await expect(reopened.outbox.enqueue({ messageId: messageId(), to: CAROL, envelope: envelope(9) })).rejects.toMatchObject({ name: 'OutboxFullError' })
  })

  it('counts the entries of one batch against the bound, and none of a batch that failed', async () => {
    const small = await fx.open({ path: `${fx.dir}/small`, maxOutbox: 3 })
    await expect(small.write(async () => {
      const ops = []
      for (let i = 0; i < 4; i++) ops.push(...await small.outbox.enqueueOps({ messageId: messageId(), to: BOB, envelope: envelope(i) }))
      return ops
    })).rejects.toMatchObject({ name: 'OutboxFullError' })
    expect(await small.outbox.size()).toBe(0)
    await small.write(async () => {
      const ops = []
      for (let i = 0; i < 3; i++) ops.push(...await small.outbox.enqueueOps({ messageId: messageId(), to: BOB, envelope: envelope(i) }))
      return ops
    })
    expect(await small.outbox.size()).toBe(3)
    expect(await small.outbox.forPeer(BOB)).toHaveLength(3)
  })

  it('refuses malformed entries', async () => {
    await expect(store.outbox.enqueue({ messageId: '', to: BOB, envelope: envelope(1) })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.outbox.enqueue({ messageId: messageId(), to: BOB, envelope: [1] as unknown as Uint8Array })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.outbox.enqueue({ messageId: messageId(), to: BOB, envelope: envelope(1), attempts: -1 })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.outbox.due(fx.clock.now, 0)).rejects.toMatchObject({ name: 'StoreQueryError' })
    expect(await store.outbox.size()).toBe(0)
  })
})

describe('outbox: the in-memory index of entries', () => {
  it('removes entries after a reopen (index rebuilt from the index keys), also after a retry moved one', async () => {
    const a = messageId()
    const b = messageId()
    await store.outbox.enqueue({ messageId: a, to: BOB, envelope: envelope(1) })
    await store.outbox.enqueue({ messageId: b, to: CAROL, envelope: envelope(2), nextAttemptAt: fx.clock.now + 0.5 })
    await store.outbox.recordAttempt(a, { nextAttemptAt: fx.clock.now + 1234.7, error: 'down' })
    await store.close()
    store = await fx.open()
    expect(await store.outbox.size()).toBe(2)
    expect(await store.outbox.remove(a)).toBe(true)
    expect(await store.outbox.remove(b)).toBe(true)
    expect(await store.outbox.size()).toBe(0)
    expect(await store.outbox.peers()).toEqual([])
    expect(await store.outbox.due(fx.clock.now + 10_000)).toEqual([])
    await store.close()
    store = await fx.open()
    expect(await store.outbox.size()).toBe(0)
  })

  it('sees its own write: enqueue then remove, and a second enqueue, in one batch', async () => {
    const a = messageId()
    const b = messageId()
    await store.write(async () => [
      ...await store.outbox.enqueueOps({ messageId: a, to: BOB, envelope: envelope(1) }),
      ...await store.outbox.enqueueOps({ messageId: a, to: BOB, envelope: envelope(9) }),
      ...await store.outbox.enqueueOps({ messageId: b, to: BOB, envelope: envelope(2) }),
      ...await store.outbox.removeOps(b)
    ])
    expect((await store.outbox.forPeer(BOB)).map(e => e.envelope)).toEqual([envelope(1)])
    expect(await store.outbox.size()).toBe(1)
    expect(await store.outbox.remove(b)).toBe(false)
  })

  it('is not moved by a batch that fails', async () => {
    const a = messageId()
    await store.outbox.enqueue({ messageId: a, to: BOB, envelope: envelope(1) })
    await expect(store.write(async () => [...await store.outbox.removeOps(a), { type: 'put', key: 'x' } as never])).rejects.toThrow()
    expect(await store.outbox.size()).toBe(1)
    expect(await store.outbox.remove(a)).toBe(true)
    expect(await store.outbox.size()).toBe(0)
  })
})

describe('outbox: keys on disk', () => {
  const outboxKeys = async (): Promise<string[]> => (await rawEntries(fx.dir))
    .map(([key]) => key)
    .filter(key => key.startsWith('!outbox!') && key !== '!outbox!n')
    .map(key => key.slice('!outbox!'.length))

  it('keeps two keys an entry, the time of its next attempt in the order key, and none once it is removed', async () => {
    const a = messageId()
    const b = messageId()
    await store.outbox.enqueue({ messageId: a, to: BOB, envelope: envelope(1) })
    await store.outbox.enqueue({ messageId: b, to: BOB, envelope: envelope(2) })
    await store.outbox.recordAttempt(b, { nextAttemptAt: fx.clock.now + 5000 })
    await store.outbox.remove(a)
    await store.close()
    const time = (ms: number): string => String(ms).padStart(16, '0')
    expect((await outboxKeys()).sort()).toEqual([`m\0${b}`, `p\0${BOB}\0${'1'.padStart(16, '0')}\0${b}\0${time(fx.clock.now + 5000)}`])
  })

  it('rewrites a store of the earlier layout (a due key beside each order key) at open, and keeps its order and times', async () => {
    const now = fx.clock.now
    const ids = [messageId(), messageId(), messageId()]
    await store.outbox.enqueue({ messageId: ids[0]!, to: BOB, envelope: envelope(0) })
    await store.outbox.enqueue({ messageId: ids[1]!, to: CAROL, envelope: envelope(1), nextAttemptAt: now + 100 })
    await store.outbox.enqueue({ messageId: ids[2]!, to: BOB, envelope: envelope(2) })
    await store.outbox.recordAttempt(ids[0]!, { nextAttemptAt: now + 2000, error: 'down' })
    await store.close()
    // back to the earlier layout: p \0 to \0 seq \0 messageId and d \0 nextAttemptAt \0 seq \0 messageId
    const stray = messageId()
    await withRawDb(fx.dir, async (db) => {
      const ops: Array<{ type: 'put' | 'del', key: string, value?: Uint8Array }> = []
      for await (const key of db.keys({ gte: '!outbox!p\0', lt: '!outbox!p\x01' })) {
        const [, to, seq, id, at] = key.slice('!outbox!'.length).split('\0')
        ops.push({ type: 'del', key }, { type: 'put', key: `!outbox!p\0${to}\0${seq}\0${id}`, value: new Uint8Array(0) }, { type: 'put', key: `!outbox!d\0${at}\0${seq}\0${id}`, value: new Uint8Array(0) })
      }
      // a due key whose entry is gone
      ops.push({ type: 'put', key: `!outbox!d\0${String(now).padStart(16, '0')}\0${'9'.padStart(16, '0')}\0${stray}`, value: new Uint8Array(0) })
      expect(ops).toHaveLength(10)
      await db.batch(ops as never)
    })
    expect((await outboxKeys()).filter(key => key.startsWith('d'))).toHaveLength(4)

    store = await fx.open()
    expect(await store.outbox.size()).toBe(3)
    expect((await store.outbox.forPeer(BOB)).map(e => e.messageId)).toEqual([ids[0], ids[2]])
    expect((await store.outbox.due(now)).map(e => e.messageId)).toEqual([ids[2]])
    expect((await store.outbox.due(now + 2000)).map(e => e.messageId)).toEqual(ids)
    expect(await store.outbox.get(ids[0]!)).toMatchObject({ attempts: 1, nextAttemptAt: now + 2000, lastError: 'down', envelope: envelope(0) })
    expect(await store.outbox.remove(ids[1]!)).toBe(true)
    await store.close()
    const keys = await outboxKeys()
    expect(keys.filter(key => key.startsWith('d'))).toEqual([])
    expect(keys.filter(key => key.startsWith('p')).map(key => key.split('\0').length)).toEqual([5, 5])

    // and the rewritten store opens as it was
    store = await fx.open()
    expect((await store.outbox.due(now + 2000)).map(e => e.messageId)).toEqual([ids[0], ids[2]])
  })
})

describe('outbox: entry values', () => {
  /** The plaintext of the value under `m \0 id`, opened with node:crypto (format 2: ChaCha20-Poly1305, AAD bucket \0 key). */
  async function rawEntry (id: string): Promise<Buffer> {
    let value: Uint8Array | undefined
    await withRawDb(fx.dir, async (db) => { value = await db.get(`!outbox!m\0${id}`) })
    const decipher = createDecipheriv('chacha20-poly1305' as 'aes-256-gcm', fx.storageKey, value!.subarray(0, 12), { authTagLength: 16 })
    decipher.setAAD(Buffer.from(`outbox\0m\0${id}`))
    decipher.setAuthTag(value!.subarray(value!.length - 16))
    return Buffer.concat([decipher.update(value!.subarray(12, value!.length - 16)), decipher.final()])
  }

  /** Seal `plaintext` as the value of `m \0 id`, the way the store does. */
  async function putRawEntry (id: string, plaintext: Uint8Array): Promise<void> {
    const nonce = randomBytes(12)
    const cipher = createCipheriv('chacha20-poly1305' as 'aes-256-gcm', fx.storageKey, nonce, { authTagLength: 16 })
    cipher.setAAD(Buffer.from(`outbox\0m\0${id}`))
    const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
    await withRawDb(fx.dir, async (db) => { await db.put(`!outbox!m\0${id}`, new Uint8Array(sealed)) })
  }

  it('keeps the envelope as raw bytes after a JSON header, not as base64', async () => {
    const id = messageId()
    const sealed = new Uint8Array(randomBytes(600))
    await store.outbox.enqueue({ messageId: id, to: BOB, envelope: sealed })
    await store.close()
    const plaintext = await rawEntry(id)
    expect(plaintext[0]).toBe(1)
    const length = plaintext.readUInt32BE(1)
    expect(JSON.parse(plaintext.subarray(5, 5 + length).toString('utf8'))).toEqual({ messageId: id, to: BOB, createdAt: fx.clock.now, attempts: 0, nextAttemptAt: fx.clock.now, seq: 0 })
    expect(new Uint8Array(plaintext.subarray(5 + length))).toEqual(sealed)
    expect(plaintext.length).toBe(5 + length + 600)
  })

  it('reads an entry of the earlier layout (JSON, the envelope in base64), and writes it anew in the binary one', async () => {
    const id = messageId()
    await store.outbox.enqueue({ messageId: id, to: BOB, envelope: envelope(0) })
    await store.close()
    const legacy = { messageId: id, to: BOB, envelope: Buffer.from(envelope(7)).toString('base64'), createdAt: fx.clock.now, attempts: 2, nextAttemptAt: fx.clock.now, lastError: 'down', seq: 0 }
    await putRawEntry(id, Buffer.from(JSON.stringify(legacy)))
    store = await fx.open()
    const expected = { messageId: id, to: BOB, envelope: envelope(7), createdAt: fx.clock.now, attempts: 2, nextAttemptAt: fx.clock.now, lastError: 'down' }
    expect(await store.outbox.get(id)).toEqual(expected)
    expect(await store.outbox.forPeer(BOB)).toEqual([expected])
    expect(await store.outbox.recordAttempt(id, { nextAttemptAt: fx.clock.now + 10 })).toEqual({ ...expected, attempts: 3, nextAttemptAt: fx.clock.now + 10 })
    await store.close()
    expect((await rawEntry(id))[0]).toBe(1)
    store = await fx.open()
    expect((await store.outbox.get(id))?.envelope).toEqual(envelope(7))
    expect(await store.outbox.remove(id)).toBe(true)
  })

  it('reports a value that opens but is no entry as StoreCorruptionError', async () => {
    const ids = [messageId(), messageId(), messageId(), messageId()]
    for (const id of ids) await store.outbox.enqueue({ messageId: id, to: BOB, envelope: envelope(1) })
    await store.close()
    // an unknown format byte; a header longer than the value; a header that is not JSON; nothing at all
    await putRawEntry(ids[0]!, new Uint8Array([2, 0, 0, 0, 0]))
    await putRawEntry(ids[1]!, new Uint8Array([1, 0, 0, 1, 0, 0x7b, 0x7d]))
    await putRawEntry(ids[2]!, new Uint8Array([1, 0, 0, 0, 2, 0x7b, 0x7b, 9]))
    await putRawEntry(ids[3]!, new Uint8Array(0))
    store = await fx.open()
    for (const id of ids) await expect(store.outbox.get(id)).rejects.toMatchObject({ name: 'StoreCorruptionError', sublevel: 'outbox' })
    await expect(store.outbox.forPeer(BOB)).rejects.toMatchObject({ name: 'StoreCorruptionError' })
  })
})
