/**
 * Contacts and their trust level (DESIGN.md §8).
 *
 * Keys (sublevel `contacts`): `peerId` → sealed `ContactRecord`.
 */
import { StoreQueryError } from './errors.js'
import { keyPart } from './keys.js'
import { checkOptionalString } from './query.js'
import type { Bucket, Built, StoreContext, StoreOp } from './context.js'

/** From least to most trusted. */
export type ContactTrust = 'blocked' | 'unknown' | 'verified' | 'contact' | 'trusted'

export interface ContactRecord {
  peerId: string
  alias?: string
  trust: ContactTrust
  /** ms since the epoch */
  addedAt: number
  updatedAt: number
}

export interface ContactInput {
  peerId: string
  /** absent: no alias (an existing one is cleared) */
  alias?: string
  trust: ContactTrust
}

export interface ContactStore {
  get(peerId: string): Promise<ContactRecord | undefined>
  /** Add or replace a contact; `addedAt` is kept from an existing record. */
  put(contact: ContactInput): Promise<ContactRecord>
  putOps(contact: ContactInput): Promise<Built<ContactRecord>>
  /** All contacts, by peer id. */
  list(): Promise<ContactRecord[]>
  /** false when there was no such contact */
  remove(peerId: string): Promise<boolean>
  removeOps(peerId: string): StoreOp[]
}

const TRUST: ReadonlySet<string> = new Set<ContactTrust>(['blocked', 'unknown', 'verified', 'contact', 'trusted'])

export class LevelContactStore implements ContactStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket

  constructor (ctx: StoreContext) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('contacts')
  }

  async get (peerId: string): Promise<ContactRecord | undefined> {
    return await this.#bucket.getJson<ContactRecord>(keyPart(peerId, 'peerId'))
  }

  async put (contact: ContactInput): Promise<ContactRecord> {
    return await this.#ctx.transact(async () => await this.putOps(contact))
  }

  async putOps (contact: ContactInput): Promise<Built<ContactRecord>> {
    this.#ctx.requireTx('contacts.putOps')
    const peerId = keyPart(contact.peerId, 'peerId')
    const alias = checkOptionalString(contact.alias, 'alias')
    if (!TRUST.has(contact.trust)) throw new StoreQueryError('contacts: unknown trust level')
    const existing = await this.#bucket.getJson<ContactRecord>(peerId)
    const now = this.#ctx.now()
    const record: ContactRecord = { peerId, trust: contact.trust, addedAt: existing?.addedAt ?? now, updatedAt: now }
    if (alias !== undefined) record.alias = alias
    return { ops: [this.#bucket.putJson(peerId, record)], result: record }
  }

  async list (): Promise<ContactRecord[]> {
    const keys = await this.#bucket.keys({})
    const records = await this.#bucket.getManyJson<ContactRecord>(keys)
    return records.filter((r): r is ContactRecord => r !== undefined)
  }

  async remove (peerId: string): Promise<boolean> {
    return await this.#ctx.transact(async () => {
      const existed = await this.#bucket.has(keyPart(peerId, 'peerId'))
      return { ops: existed ? this.removeOps(peerId) : [], result: existed }
    })
  }

  removeOps (peerId: string): StoreOp[] {
    return [this.#bucket.del(keyPart(peerId, 'peerId'))]
  }
}
