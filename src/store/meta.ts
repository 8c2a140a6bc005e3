/**
 * A small key-value store for node state (JSON values).
 *
 * Keys (sublevel `meta`): the caller's key → sealed JSON.
 */
import { keyPart } from './keys.js'
import type { Bucket, StoreContext, StoreOp } from './context.js'

export interface MetaStore {
  get<T>(key: string): Promise<T | undefined>
  /** `value` must survive JSON (no bigint, no cycles); `StoreQueryError` otherwise. */
  putOps(key: string, value: unknown): StoreOp[]
  put(key: string, value: unknown): Promise<void>
  deleteOps(key: string): StoreOp[]
  delete(key: string): Promise<void>
}

export class LevelMetaStore implements MetaStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket

  constructor (ctx: StoreContext) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('meta')
  }

  async get<T>(key: string): Promise<T | undefined> {
    return await this.#bucket.getJson<T>(keyPart(key, 'key'))
  }

  putOps (key: string, value: unknown): StoreOp[] {
    return [this.#bucket.putJson(keyPart(key, 'key'), value)]
  }

  async put (key: string, value: unknown): Promise<void> {
    await this.#ctx.write(this.putOps(key, value))
  }

  deleteOps (key: string): StoreOp[] {
    return [this.#bucket.del(keyPart(key, 'key'))]
  }

  async delete (key: string): Promise<void> {
    await this.#ctx.write(this.deleteOps(key))
  }
}
