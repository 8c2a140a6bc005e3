import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE, BOB, CAROL, contains, incoming, outgoing, rawEntries, storeFixture, withRawDb } from './helpers.js'
import type { StoreFixture } from './helpers.js'

let fx: StoreFixture

beforeEach(async () => { fx = await storeFixture() })
afterEach(async () => { await fx.cleanup() })

const SECRET_CONTENT = 'the launch code is 0000-swordfish'

describe('openStore', () => {
  it('refuses a storage key that is not 32 bytes, and a bad maxOutbox', async () => {
    await expect(fx.open({ storageKey: new Uint8Array(31) })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(fx.open({ maxOutbox: 0 })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(fx.open({ path: '' })).rejects.toMatchObject({ name: 'StoreQueryError' })
  })

  it('keeps everything across close and reopen', async () => {
    const store = await fx.open()
    const msg = incoming('conv-1', { content: 'persisted' })
    const sent = outgoing('conv-1', { sentAt: 1_700_000_000_200 })
    await store.messages.put(msg)
    await store.messages.put(sent)
    await store.sessions.put(BOB, new Uint8Array([1, 2, 3]))
    await store.outbox.enqueue({ messageId: sent.messageId, to: BOB, envelope: new Uint8Array([9, 9]) })
    await store.replay.add(msg.messageId, fx.clock.now)
    await store.contacts.put({ peerId: BOB, trust: 'contact', alias: 'bob' })
    const spk = { id: 7, publicKey: new Uint8Array(randomBytes(32)), privateKey: new Uint8Array(randomBytes(32)), signature: new Uint8Array(randomBytes(64)), createdAt: 5 }
    await store.prekeys.putSigned(spk)
    await store.prekeys.putOneTime([{ id: 8, publicKey: new Uint8Array(32).fill(1), privateKey: new Uint8Array(32).fill(2) }])
    expect(await store.prekeys.nextId(10)).toBe(1)
    await store.meta.put('card', { seq: 3 })
    await store.conversations.setName('conv-1', 'Bob')
    await store.close()

    const again = await fx.open()
    expect(await again.messages.get(msg.messageId)).toEqual(msg)
    expect(await again.messages.get(sent.messageId)).toEqual(sent)
    expect(await again.conversations.get('conv-1')).toEqual({
      conversationId: 'conv-1', peer: BOB, name: 'Bob', lastMessageAt: 1_700_000_000_200, unreadCount: 1, status: 'active'
    })
    expect(await again.sessions.get(BOB)).toEqual(new Uint8Array([1, 2, 3]))
    expect((await again.outbox.get(sent.messageId))?.envelope).toEqual(new Uint8Array([9, 9]))
    expect(await again.outbox.size()).toBe(1)
    expect(await again.replay.has(msg.messageId)).toBe(true)
    expect(await again.contacts.get(BOB)).toMatchObject({ peerId: BOB, trust: 'contact', alias: 'bob' })
    expect(await again.prekeys.currentSigned()).toEqual(spk)
    expect(await again.prekeys.countOneTime()).toBe(1)
    expect(await again.prekeys.nextId()).toBe(11)
    expect(await again.meta.get('card')).toEqual({ seq: 3 })
    expect((await again.messages.inbox()).total).toBe(1)

    // sequence numbers keep increasing after a restart: new messages sort after old ones
    const later = incoming('conv-1')
    await again.messages.put(later)
    const history = await again.messages.history('conv-1')
    expect(history.messages.map(m => m.messageId)).toEqual([msg.messageId, sent.messageId, later.messageId])
  })

  it('writes LevelDB\'s tables uncompressed (its values are ciphertext)', async () => {
    const store = await fx.open()
    // keys that Snappy would shrink to a fraction (a shared prefix would be prefix-compressed anyway)
    const entries = 2000
    const tail = 'a'.repeat(240)
    for (let i = 0; i < entries; i += 500) {
      await store.write(Array.from({ length: 500 }, (_, j) => store.meta.putOps(String(i + j).padStart(5, '0') + tail, 0)).flat())
    }
    await store.close()
    // reopened, LevelDB turns its log into a table
    await (await fx.open()).close()
    const dir = join(fx.dir, 'db')
    let tables = 0
    for (const name of await readdir(dir)) if (name.endsWith('.ldb')) tables += (await stat(join(dir, name))).size
    expect(tables).toBeGreaterThan(entries * tail.length)
  })

  it('is closed after close(): reads and writes throw StoreClosedError, close is idempotent', async () => {
    const store = await fx.open()
    const pending = store.messages.put(incoming('c'))
    const closing = store.close()
    expect(store.closed).toBe(true)
    expect(await pending).toBe(true)
    await closing
    await store.close()
    await expect(store.messages.get('0'.repeat(32))).rejects.toMatchObject({ name: 'StoreClosedError' })
    await expect(store.messages.put(incoming('c'))).rejects.toMatchObject({ name: 'StoreClosedError' })
    await expect(store.sessions.put(BOB, new Uint8Array(1))).rejects.toMatchObject({ name: 'StoreClosedError' })
    await expect(store.outbox.size()).rejects.toMatchObject({ name: 'StoreClosedError' })
    // answered from memory, but not once closed
    await expect(store.outbox.due(Date.now())).rejects.toMatchObject({ name: 'StoreClosedError' })
  })
})

describe('encryption at rest', () => {
  it('leaves no content, session or private key bytes readable on disk', async () => {
    const store = await fx.open()
    const privateKey = new Uint8Array(randomBytes(32))
    const sessionSecret = new Uint8Array(randomBytes(64))
    const envelope = new Uint8Array(randomBytes(100))
    const msg = incoming('conv-secret', { content: SECRET_CONTENT, metadata: { note: SECRET_CONTENT } })
    await store.write(async () => [
      ...await store.messages.putOps(msg),
      ...store.sessions.putOps(BOB, sessionSecret),
      ...store.replay.addOps(msg.messageId)
    ])
    await store.prekeys.putSigned({ id: 1, publicKey: new Uint8Array(32).fill(3), privateKey, signature: new Uint8Array(64).fill(4), createdAt: 1 })
    await store.prekeys.putOneTime([{ id: 2, publicKey: new Uint8Array(32).fill(5), privateKey: privateKey.slice().reverse() }])
    await store.write(async () => await store.outbox.enqueueOps({ messageId: msg.messageId, to: CAROL, envelope }))
    await store.contacts.put({ peerId: CAROL, trust: 'trusted', alias: SECRET_CONTENT })
    await store.meta.put('secret', SECRET_CONTENT)
    await store.close()

    const entries = await rawEntries(fx.dir)
    expect(entries.length).toBeGreaterThan(10)
    const needles = [
      Buffer.from(SECRET_CONTENT),
      Buffer.from('swordfish'),
      Buffer.from(privateKey),
      Buffer.from(privateKey.slice().reverse()),
      Buffer.from(privateKey).toString('base64'),
      Buffer.from(sessionSecret.subarray(0, 16)),
      Buffer.from(envelope.subarray(0, 16)),
      Buffer.from(envelope).toString('base64').slice(0, 20),
      Buffer.from('"content"'),
      Buffer.from('delivered')
    ].map(n => typeof n === 'string' ? Buffer.from(n) : n)
    for (const [key, value] of entries) {
      for (const needle of needles) expect(contains(value, needle), `value of ${JSON.stringify(key)}`).toBe(false)
      // every value is a sealed blob (nonce + tag at least) or an empty index entry
      expect(value.length === 0 || value.length >= 28).toBe(true)
    }
    // index entries are the only empty values, and keys never carry content
    for (const [key] of entries) expect(key.includes('swordfish')).toBe(false)
  })

  it('refuses to open under another storage key', async () => {
    const store = await fx.open()
    await store.messages.put(incoming('c'))
    await store.close()
    await expect(fx.open({ storageKey: new Uint8Array(randomBytes(32)) })).rejects.toMatchObject({ name: 'StoreCorruptionError' })
    // and the right key still works afterwards (the failed open released the database)
    const again = await fx.open()
    expect((await again.messages.inbox()).total).toBe(1)
  })

  describe('formats', () => {
    /** The raw value under `rawKey`, opened with node:crypto directly (not the store's code). */
    async function openRaw (algorithm: 'chacha20-poly1305' | 'aes-256-gcm', rawKey: string, aad: string): Promise<unknown> {
      let value: Uint8Array | undefined
      await withRawDb(fx.dir, async (db) => { value = await db.get(rawKey) })
      const decipher = createDecipheriv(algorithm as 'aes-256-gcm', fx.storageKey, value!.subarray(0, 12), { authTagLength: 16 })
      decipher.setAAD(Buffer.from(aad))
      decipher.setAuthTag(value!.subarray(value!.length - 16))
      const plaintext = Buffer.concat([decipher.update(value!.subarray(12, value!.length - 16)), decipher.final()])
      return JSON.parse(plaintext.toString('utf8'))
    }

    it('creates format 2: values sealed with ChaCha20-Poly1305', async () => {
      const store = await fx.open()
      const msg = incoming('c', { content: 'chacha' })
      await store.messages.put(msg)
      await store.close()
      expect(await openRaw('chacha20-poly1305', '!store!check', 'store\0check')).toEqual({ format: 2 })
      expect(await openRaw('chacha20-poly1305', `!messages!m\0${msg.messageId}`, `messages\0m\0${msg.messageId}`)).toMatchObject({ content: 'chacha' })
    })

    it('keeps a format 1 store (AES-256-GCM) in format 1, readable and writable', async () => {
      const old = await fx.open({ format: 1 })
      const before = incoming('c', { content: 'before' })
      await old.messages.put(before)
      await old.close()
      expect(await openRaw('aes-256-gcm', '!store!check', 'store\0check')).toEqual({ format: 1 })

      // opened the way a node opens it, asking for nothing: it stays what it is
      const store = await fx.open()
      expect(await store.messages.get(before.messageId)).toEqual(before)
      const after = incoming('c', { content: 'after' })
      await store.messages.put(after)
      await store.close()
      expect(await openRaw('aes-256-gcm', `!messages!m\0${after.messageId}`, `messages\0m\0${after.messageId}`)).toMatchObject({ content: 'after' })
      // and a store asked to be format 2 that exists in format 1 stays format 1 too
      const again = await fx.open({ format: 2 })
      expect((await again.messages.inbox()).total).toBe(2)
    })

    it('refuses another storage key in either format, and formats it does not know', async () => {
      const old = await fx.open({ format: 1 })
      await old.close()
      await expect(fx.open({ storageKey: new Uint8Array(randomBytes(32)) })).rejects.toMatchObject({ name: 'StoreCorruptionError', sublevel: 'store' })
      await expect(fx.open({ format: 3 })).rejects.toMatchObject({ name: 'StoreQueryError' })
      await expect(fx.open({ format: 0 })).rejects.toMatchObject({ name: 'StoreQueryError' })

      // a check value that opens but names a format this version does not know
      await withRawDb(fx.dir, async (db) => {
        const nonce = randomBytes(12)
        const cipher = createCipheriv('chacha20-poly1305' as 'aes-256-gcm', fx.storageKey, nonce, { authTagLength: 16 })
        cipher.setAAD(Buffer.from('store\0check'))
        const sealed = Buffer.concat([nonce, cipher.update(JSON.stringify({ format: 7 })), cipher.final(), cipher.getAuthTag()])
        await db.put('!store!check', new Uint8Array(sealed))
      })
      await expect(fx.open()).rejects.toMatchObject({ name: 'StoreCorruptionError', message: expect.stringContaining('unknown format 7') })
    })
  })

  it('reports a value under the wrong key, or tampered, as StoreCorruptionError', async () => {
    const store = await fx.open()
    const a = incoming('c', { content: 'a' })
    const b = incoming('c', { content: 'b' })
    await store.messages.put(a)
    await store.messages.put(b)
    await store.sessions.put(BOB, new Uint8Array([1]))
    await store.sessions.put(CAROL, new Uint8Array([2]))
    await store.close()

    await withRawDb(fx.dir, async (db) => {
      const value = await db.get(`!messages!m\0${a.messageId}`)
      expect(value).toBeDefined()
      // a's value moved under b's key
      await db.put(`!messages!m\0${b.messageId}`, value!)
      // bob's session under carol's key
      await db.put(`!sessions!${CAROL}`, (await db.get(`!sessions!${BOB}`))!)
      // a value moved to another sublevel, same key
      await db.put(`!meta!${BOB}`, (await db.get(`!sessions!${BOB}`))!)
      // a flipped bit
      const tampered = value!.slice()
      tampered[tampered.length - 1]! ^= 1
      await db.put(`!messages!m\0${a.messageId}`, tampered)
    })

    const again = await fx.open()
    for (const read of [
      async () => await again.messages.get(b.messageId),
      async () => await again.messages.get(a.messageId),
      async () => await again.sessions.get(CAROL),
      async () => await again.meta.get(BOB),
      async () => await again.messages.inbox()
    ]) {
      await expect(read()).rejects.toMatchObject({ name: 'StoreCorruptionError' })
    }
    const err = await again.messages.get(b.messageId).catch((e: unknown) => e)
    expect(err).toMatchObject({ sublevel: 'messages', key: `m\0${b.messageId}` })
    // the values that were not touched still read
    expect(await again.sessions.get(BOB)).toEqual(new Uint8Array([1]))
  })
})

describe('write', () => {
  it('commits ops of several stores atomically, and nothing when the builder throws', async () => {
    const store = await fx.open()
    const msg = incoming('c')
    await expect(store.write(async () => {
      const ops = [...await store.messages.putOps(msg), ...store.sessions.putOps(BOB, new Uint8Array([1]))]
      if (ops.length > 0) throw new Error('crash before commit')
      return ops
    })).rejects.toThrow('crash before commit')
    expect(await store.messages.has(msg.messageId)).toBe(false)
    expect(await store.conversations.get('c')).toBeUndefined()
    expect(await store.sessions.get(BOB)).toBeUndefined()

    await store.write(async () => [
      ...await store.messages.putOps(msg),
      ...store.sessions.putOps(BOB, new Uint8Array([1])),
      ...store.replay.addOps(msg.messageId)
    ])
    expect(await store.messages.has(msg.messageId)).toBe(true)
    expect(await store.sessions.get(BOB)).toEqual(new Uint8Array([1]))
    expect(await store.replay.has(msg.messageId)).toBe(true)
    expect((await store.conversations.get('c'))?.unreadCount).toBe(1)
  })

  it('accepts plain ops from builders that do not read', async () => {
    const store = await fx.open()
    await store.write([...store.sessions.putOps(ALICE, new Uint8Array([7])), ...store.meta.putOps('k', 1)])
    expect(await store.sessions.get(ALICE)).toEqual(new Uint8Array([7]))
    expect(await store.meta.get('k')).toBe(1)
  })

  it('refuses read-then-write builders outside write(fn), and writes nested in a write', async () => {
    const store = await fx.open()
    await expect(store.messages.putOps(incoming('c'))).rejects.toMatchObject({ name: 'StoreTransactionError' })
    await expect(store.outbox.enqueueOps({ messageId: 'x', to: BOB, envelope: new Uint8Array(1) })).rejects.toMatchObject({ name: 'StoreTransactionError' })
    await expect(store.conversations.touchOps({ conversationId: 'c', peer: BOB, at: 1, incoming: true, unread: true })).rejects.toMatchObject({ name: 'StoreTransactionError' })
    await expect(store.write(async () => {
      await store.messages.put(incoming('c'))
      return []
    })).rejects.toMatchObject({ name: 'StoreTransactionError' })
    // the lock was released
    expect(await store.messages.put(incoming('c'))).toBe(true)
  })

  it('lets later builders of one batch see the writes of earlier ones', async () => {
    const store = await fx.open()
    const a = incoming('c')
    const b = incoming('c')
    await store.write(async () => [
      ...await store.messages.putOps(a),
      ...await store.messages.putOps(b),
      // a duplicate in the same batch is seen as already stored
      ...await store.messages.putOps(a)
    ])
    expect((await store.conversations.get('c'))?.unreadCount).toBe(2)
    expect((await store.messages.inbox()).total).toBe(2)
  })
})

describe('sealing at commit', () => {
  it('writes a value put several times in one batch once, sealed, with the last value', async () => {
    const store = await fx.open()
    const secret = (n: number): Uint8Array => new TextEncoder().encode(`${SECRET_CONTENT} #${n}`)
    await store.write(() => [1, 2, 3].flatMap(n => store.sessions.putOps(BOB, secret(n))))
    expect(await store.sessions.get(BOB)).toEqual(secret(3))
    // put then delete in one batch: deleted; delete then put: there
    await store.write(() => [...store.sessions.putOps(CAROL, secret(4)), ...store.sessions.deleteOps(CAROL), ...store.sessions.deleteOps(BOB), ...store.sessions.putOps(BOB, secret(5))])
    expect(await store.sessions.get(CAROL)).toBeUndefined()
    expect(await store.sessions.get(BOB)).toEqual(secret(5))
    await store.close()
    const raw = await rawEntries(fx.dir)
    const sessions = raw.filter(([key]) => key.includes('sessions'))
    expect(sessions).toHaveLength(1)
    for (const [, value] of raw) expect(contains(value, new TextEncoder().encode(SECRET_CONTENT))).toBe(false)
  })

  it('refuses operations built inside one write and committed by another', async () => {
    const store = await fx.open()
    let leaked: Parameters<typeof store.write>[0] = []
    await store.write(() => {
      leaked = store.sessions.putOps(BOB, new Uint8Array([1, 2, 3]))
      return []
    })
    await expect(store.write(leaked)).rejects.toMatchObject({ name: 'StoreTransactionError' })
    expect(await store.sessions.get(BOB)).toBeUndefined()
  })
})
