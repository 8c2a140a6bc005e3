/**
 * Envelope ids seen in the last REPLAY_WINDOW, to drop a repeat (DESIGN.md §5).
 *
 * Every message received asks `has` for an id it has almost never seen, and
 * a LevelDB read that finds nothing still looks through the memtable and
 * every level (~5 µs in the dm bench, 3 % of the receiver). So a Bloom filter
 * of the ids (`StoredIds`, id-filter.ts) answers "not seen" first, once the
 * ids on disk are read into it after the store opens.
 *
 * Keys (sublevel `replay`):
 * - `i \0 id` → sealed `{ at }`
 * - `t \0 at \0 id` → empty (time index: a purge reads only what it removes)
 */
import { REPLAY_WINDOW } from './constants.js'
import { StoredIds } from './id-filter.js'
import { joinKey, keyPart, lastPart, padTime, under } from './keys.js'
import { checkTime } from './query.js'
import type { Bucket, StoreContext, StoreOp } from './context.js'

export interface ReplayStore {
  has(id: string): Promise<boolean>
  /** Remember `id` as seen at `at` (ms; default now). */
  addOps(id: string, at?: number): StoreOp[]
  add(id: string, at?: number): Promise<void>
  /**
   * Forget ids last seen before `olderThan` (ms; default now − REPLAY_WINDOW).
   * Returns how many were forgotten.
   */
  purge(olderThan?: number): Promise<number>
  size(): Promise<number>
}

interface Seen {
  at: number
}

const ID = 'i'
const BY_TIME = 't'
/** Ids forgotten per batch. */
const PURGE_CHUNK = 1000

export class LevelReplayStore implements ReplayStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket
  readonly #seen: StoredIds

  constructor (ctx: StoreContext, filterBits?: number) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('replay')
    this.#seen = new StoredIds(this.#bucket, ID, filterBits)
  }

  /** Read the ids on disk into the filter, in the background; `has` uses it once they are all in. */
  startFilter (): void {
    this.#seen.fill()
  }

  /** Settles once the filter holds every id on disk (or filling it stopped). */
  get filtered (): Promise<void> {
    return this.#seen.filled
  }

  async has (id: string): Promise<boolean> {
    return await this.#seen.has(keyPart(id, 'id'))
  }

  addOps (id: string, at: number = this.#ctx.now()): StoreOp[] {
    keyPart(id, 'id')
    // whole ms, so the time in the key is the stored time
    at = Math.max(0, Math.floor(checkTime(at, 'at')))
    // before the write is even built: `has` must never miss an id that may be on disk
    this.#seen.add(id)
    // an id added twice leaves its earlier time entry; purge checks the stored time before it forgets
    return [
      this.#bucket.putJson(joinKey(ID, id), { at } satisfies Seen),
      this.#bucket.index(joinKey(BY_TIME, padTime(at), id))
    ]
  }

  async add (id: string, at?: number): Promise<void> {
    await this.#ctx.write(this.addOps(id, at))
  }

  async purge (olderThan: number = this.#ctx.now() - REPLAY_WINDOW): Promise<number> {
    checkTime(olderThan, 'olderThan')
    // stored times are whole ms: `at < olderThan` exactly for the keys below the ceiling
    const range = { gte: under(BY_TIME).gte, lt: joinKey(BY_TIME, padTime(Math.ceil(olderThan))) }
    let forgotten = 0
    for (;;) {
      const { done, count } = await this.#ctx.transact(async () => {
        const keys = await this.#bucket.keys({ ...range, limit: PURGE_CHUNK })
        const ops: StoreOp[] = []
        let count = 0
        for (const key of keys) {
          const id = lastPart(key)
          ops.push(this.#bucket.del(key))
          const seen = await this.#bucket.getJson<Seen>(joinKey(ID, id))
          if (seen !== undefined && seen.at < olderThan) {
            ops.push(this.#bucket.del(joinKey(ID, id)))
            count++
          }
        }
        return { ops, result: { done: keys.length < PURGE_CHUNK, count } }
      })
      forgotten += count
      if (done) return forgotten
    }
  }

  async size (): Promise<number> {
    return await this.#bucket.count(under(ID))
  }
}
