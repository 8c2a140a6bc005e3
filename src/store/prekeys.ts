/**
 * The node's own X3DH prekeys, private halves included: the current signed
 * prekey and the previous one(s), and the pool of one-time prekeys, each
 * handed out once and deleted when used.
 *
 * Keys (sublevel `prekeys`):
 * - `s \0 id` → sealed signed prekey (bytes as base64 inside the JSON)
 * - `o \0 id` → sealed one-time prekey
 * - `n` → sealed `{ next }`: the next prekey id
 */
import { checkBytes, fromBase64, toBase64 } from './encoding.js'
import { StoreCorruptionError, StoreQueryError } from './errors.js'
import { joinKey, lastPart, padNumber, under } from './keys.js'
import { checkTime } from './query.js'
import type { Bucket, Built, StoreContext, StoreOp } from './context.js'

/** The shape of `SignedPrekey` in src/crypto/prekeys.ts. */
export interface SignedPrekeyRecord {
  id: number
  /** 32-byte X25519 public key */
  publicKey: Uint8Array
  /** 32-byte X25519 private key */
  privateKey: Uint8Array
  /** 64-byte Ed25519 signature by the identity */
  signature: Uint8Array
  /** ms since the epoch */
  createdAt: number
}

/** The shape of `OneTimePrekey` in src/crypto/prekeys.ts. */
export interface OneTimePrekeyRecord {
  id: number
  publicKey: Uint8Array
  privateKey: Uint8Array
}

export interface OwnPrekeyStore {
  /** The most recently created signed prekey (highest id among equal times). */
  currentSigned(): Promise<SignedPrekeyRecord | undefined>
  signed(id: number): Promise<SignedPrekeyRecord | undefined>
  /** Every stored signed prekey, oldest first. */
  listSigned(): Promise<SignedPrekeyRecord[]>
  putSignedOps(prekey: SignedPrekeyRecord): StoreOp[]
  putSigned(prekey: SignedPrekeyRecord): Promise<void>
  removeSignedOps(id: number): StoreOp[]
  removeSigned(id: number): Promise<void>

  putOneTimeOps(prekeys: OneTimePrekeyRecord[]): StoreOp[]
  putOneTime(prekeys: OneTimePrekeyRecord[]): Promise<void>
  oneTime(id: number): Promise<OneTimePrekeyRecord | undefined>
  /** Delete a one-time prekey, answering it (undefined when used or unknown). Inside `store.write(async () => ...)`. */
  takeOneTimeOps(id: number): Promise<Built<OneTimePrekeyRecord | undefined>>
  consumeOneTime(id: number): Promise<OneTimePrekeyRecord | undefined>
  countOneTime(): Promise<number>

  /**
   * Reserve `count` consecutive prekey ids (default 1) and answer the first:
   * ids are never handed out twice, across restarts.
   */
  nextId(count?: number): Promise<number>
  nextIdOps(count?: number): Promise<Built<number>>
}

interface StoredSigned {
  id: number
  publicKey: string
  privateKey: string
  signature: string
  createdAt: number
}

interface StoredOneTime {
  id: number
  publicKey: string
  privateKey: string
}

interface StoredNext {
  next: number
}

const SIGNED = 's'
const ONE_TIME = 'o'
const NEXT = 'n'
const MAX_ID = 0xffffffff
const FIRST_ID = 1

function checkId (id: unknown): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) {
    throw new StoreQueryError(`prekeys: id must be an integer in 0..${MAX_ID}`)
  }
  return id
}

function signedKey (id: number): string {
  return joinKey(SIGNED, padNumber(checkId(id)))
}

function oneTimeKey (id: number): string {
  return joinKey(ONE_TIME, padNumber(checkId(id)))
}

export class LevelOwnPrekeyStore implements OwnPrekeyStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket

  constructor (ctx: StoreContext) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('prekeys')
  }

  async currentSigned (): Promise<SignedPrekeyRecord | undefined> {
    let current: SignedPrekeyRecord | undefined
    for (const prekey of await this.listSigned()) {
      if (current === undefined || prekey.createdAt > current.createdAt || (prekey.createdAt === current.createdAt && prekey.id > current.id)) {
        current = prekey
      }
    }
    return current
  }

  async signed (id: number): Promise<SignedPrekeyRecord | undefined> {
    const key = signedKey(id)
    const stored = await this.#bucket.getJson<StoredSigned>(key)
    return stored === undefined ? undefined : this.#decodeSigned(key, stored)
  }

  async listSigned (): Promise<SignedPrekeyRecord[]> {
    const keys = await this.#bucket.keys(under(SIGNED))
    const stored = await this.#bucket.getManyJson<StoredSigned>(keys)
    const out: SignedPrekeyRecord[] = []
    stored.forEach((s, i) => { if (s !== undefined) out.push(this.#decodeSigned(keys[i]!, s)) })
    return out.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)
  }

  putSignedOps (prekey: SignedPrekeyRecord): StoreOp[] {
    const stored: StoredSigned = {
      id: checkId(prekey.id),
      publicKey: toBase64(checkBytes(prekey.publicKey, 'publicKey', 32)),
      privateKey: toBase64(checkBytes(prekey.privateKey, 'privateKey', 32)),
      signature: toBase64(checkBytes(prekey.signature, 'signature', 64)),
      createdAt: checkTime(prekey.createdAt, 'createdAt')
    }
    return [this.#bucket.putJson(signedKey(prekey.id), stored)]
  }

  async putSigned (prekey: SignedPrekeyRecord): Promise<void> {
    await this.#ctx.write(this.putSignedOps(prekey))
  }

  removeSignedOps (id: number): StoreOp[] {
    return [this.#bucket.del(signedKey(id))]
  }

  async removeSigned (id: number): Promise<void> {
    await this.#ctx.write(this.removeSignedOps(id))
  }

  putOneTimeOps (prekeys: OneTimePrekeyRecord[]): StoreOp[] {
    if (!Array.isArray(prekeys)) throw new StoreQueryError('prekeys: expected an array of one-time prekeys')
    return prekeys.map(prekey => this.#bucket.putJson(oneTimeKey(prekey.id), {
      id: prekey.id,
      publicKey: toBase64(checkBytes(prekey.publicKey, 'publicKey', 32)),
      privateKey: toBase64(checkBytes(prekey.privateKey, 'privateKey', 32))
    } satisfies StoredOneTime))
  }

  async putOneTime (prekeys: OneTimePrekeyRecord[]): Promise<void> {
    await this.#ctx.write(this.putOneTimeOps(prekeys))
  }

  async oneTime (id: number): Promise<OneTimePrekeyRecord | undefined> {
    const key = oneTimeKey(id)
    const stored = await this.#bucket.getJson<StoredOneTime>(key)
    return stored === undefined ? undefined : this.#decodeOneTime(key, stored)
  }

  async takeOneTimeOps (id: number): Promise<Built<OneTimePrekeyRecord | undefined>> {
    this.#ctx.requireTx('prekeys.takeOneTimeOps')
    const key = oneTimeKey(id)
    const stored = await this.#bucket.getJson<StoredOneTime>(key)
    if (stored === undefined) return { ops: [], result: undefined }
    return { ops: [this.#bucket.del(key)], result: this.#decodeOneTime(key, stored) }
  }

  async consumeOneTime (id: number): Promise<OneTimePrekeyRecord | undefined> {
    return await this.#ctx.transact(async () => await this.takeOneTimeOps(id))
  }

  async countOneTime (): Promise<number> {
    return await this.#bucket.count(under(ONE_TIME))
  }

  async nextId (count = 1): Promise<number> {
    return await this.#ctx.transact(async () => await this.nextIdOps(count))
  }

  async nextIdOps (count = 1): Promise<Built<number>> {
    this.#ctx.requireTx('prekeys.nextIdOps')
    if (!Number.isInteger(count) || count < 1) throw new StoreQueryError('prekeys: count must be a positive integer')
    const stored = await this.#bucket.getJson<StoredNext>(NEXT)
    const first = stored?.next ?? FIRST_ID
    if (!Number.isSafeInteger(first)) throw new StoreCorruptionError(this.#bucket.name, NEXT, 'not a prekey id')
    if (first + count - 1 > MAX_ID) throw new StoreQueryError('prekeys: the 32-bit id space is used up')
    return { ops: [this.#bucket.putJson(NEXT, { next: first + count } satisfies StoredNext)], result: first }
  }

  #decodeSigned (key: string, s: StoredSigned): SignedPrekeyRecord {
    return {
      id: this.#decodeId(key, s.id),
      publicKey: fromBase64(s.publicKey, this.#bucket.name, key),
      privateKey: fromBase64(s.privateKey, this.#bucket.name, key),
      signature: fromBase64(s.signature, this.#bucket.name, key),
      createdAt: s.createdAt
    }
  }

  #decodeOneTime (key: string, s: StoredOneTime): OneTimePrekeyRecord {
    return {
      id: this.#decodeId(key, s.id),
      publicKey: fromBase64(s.publicKey, this.#bucket.name, key),
      privateKey: fromBase64(s.privateKey, this.#bucket.name, key)
    }
  }

  /** The id inside the value must be the one in its key. */
  #decodeId (key: string, id: unknown): number {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID || padNumber(id) !== lastPart(key)) {
      throw new StoreCorruptionError(this.#bucket.name, key, 'id does not match its key')
    }
    return id
  }
}
