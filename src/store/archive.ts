/**
 * What a relay keeps of other agents' history archives (DESIGN.md §6):
 * opaque blobs under opaque keys, each agent's separate. The agent encrypts
 * its records under an archive key only it holds and names them by a keyed
 * hash, so the relay learns neither content nor message ids.
 *
 * Keys (sublevel `archive`):
 * - `a \0 owner \0 key` → sealed blob (a later put under the same key replaces it)
 * - `q \0 owner` → sealed `{ count, bytes }`
 */
import { ARCHIVE_MAX_BLOB_BYTES, ARCHIVE_MAX_BYTES, ARCHIVE_MAX_ENTRIES, MAX_FETCH_LIMIT } from './constants.js'
import { ArchiveFullError, StoreQueryError } from './errors.js'
import { joinKey, keyPart, splitKey, under } from './keys.js'
import type { Bucket, StoreContext, StoreOp } from './context.js'

export interface ArchiveEntry {
  /** hex, 2–128 characters */
  key: string
  blob: Uint8Array
}

export interface ArchiveUsage {
  count: number
  bytes: number
}

/** Quota of one agent's archive at a relay. */
export interface ArchiveLimits {
  /** @default ARCHIVE_MAX_ENTRIES (200 000) */
  maxEntries?: number
  /** @default ARCHIVE_MAX_BYTES (256 MiB) */
  maxBytes?: number
}

export interface ArchiveStore {
  /** Put (or replace) entries of `owner`'s archive in one batch. Throws `ArchiveFullError` past a limit; nothing is written then. */
  put(owner: string, entries: ArchiveEntry[]): Promise<void>
  /** `owner`'s entries after key `after` (exclusive), in key order. */
  list(owner: string, options?: { after?: string, limit?: number }): Promise<{ entries: ArchiveEntry[], hasMore: boolean }>
  usage(owner: string): Promise<ArchiveUsage>
}

const ENTRY = 'a'
const QUOTA = 'q'
const KEY = /^[0-9a-f]{2,128}$/

function checkKey (key: unknown): string {
  if (typeof key !== 'string' || !KEY.test(key)) throw new StoreQueryError('archive: a key is 2 to 128 lowercase hex characters')
  return key
}

export class LevelArchiveStore implements ArchiveStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket
  readonly #maxEntries: number
  readonly #maxBytes: number

  constructor (ctx: StoreContext, limits: ArchiveLimits = {}) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('archive')
    this.#maxEntries = limits.maxEntries ?? ARCHIVE_MAX_ENTRIES
    this.#maxBytes = limits.maxBytes ?? ARCHIVE_MAX_BYTES
  }

  async put (owner: string, entries: ArchiveEntry[]): Promise<void> {
    keyPart(owner, 'owner')
    for (const entry of entries) {
      checkKey(entry.key)
      if (!(entry.blob instanceof Uint8Array) || entry.blob.length === 0 || entry.blob.length > ARCHIVE_MAX_BLOB_BYTES) {
        throw new StoreQueryError(`archive: a blob is 1 to ${ARCHIVE_MAX_BLOB_BYTES} bytes`)
      }
    }
    await this.#ctx.transact(async () => {
      const usage = await this.usage(owner)
      const ops: StoreOp[] = []
      const sizes = new Map<string, number>()
      for (const { key, blob } of entries) {
        const storeKey = joinKey(ENTRY, owner, key)
        // the size it replaces: an earlier entry of this batch, or what is stored
        let previous = sizes.get(key)
        if (previous === undefined) {
          const stored = await this.#bucket.get(storeKey)
          previous = stored?.length ?? -1
          stored?.fill(0)
        }
        if (previous >= 0) {
          usage.bytes -= previous
        } else {
          usage.count++
        }
        usage.bytes += blob.length
        sizes.set(key, blob.length)
        ops.push(this.#bucket.put(storeKey, blob))
      }
      if (usage.count > this.#maxEntries) throw new ArchiveFullError('entries', this.#maxEntries)
      if (usage.bytes > this.#maxBytes) throw new ArchiveFullError('bytes', this.#maxBytes)
      if (ops.length > 0) ops.push(this.#bucket.putJson(joinKey(QUOTA, owner), usage))
      return { ops, result: undefined }
    })
  }

  async list (owner: string, options: { after?: string, limit?: number } = {}): Promise<{ entries: ArchiveEntry[], hasMore: boolean }> {
    keyPart(owner, 'owner')
    const limit = options.limit ?? MAX_FETCH_LIMIT
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_FETCH_LIMIT) throw new StoreQueryError(`archive: limit must be 1 to ${MAX_FETCH_LIMIT}`)
    const range = under(ENTRY, owner)
    const from = options.after === undefined ? { gte: range.gte } : { gt: joinKey(ENTRY, owner, checkKey(options.after)) }
    const rows = await this.#bucket.rows({ ...from, lt: range.lt, limit: limit + 1 })
    return {
      entries: rows.slice(0, limit).map(([key, value]) => ({ key: splitKey(key)[2]!, blob: this.#ctx.open(this.#bucket.name, key, value) })),
      hasMore: rows.length > limit
    }
  }

  async usage (owner: string): Promise<ArchiveUsage> {
    keyPart(owner, 'owner')
    const usage = await this.#bucket.getJson<ArchiveUsage>(joinKey(QUOTA, owner))
    return usage === undefined ? { count: 0, bytes: 0 } : { count: usage.count, bytes: usage.bytes }
  }
}
