/**
 * Envelope ids seen in the last REPLAY_WINDOW, to drop a repeat (DESIGN.md §5).
 *
 * Every message received asks `has` for an id it has almost never seen, and
 * a LevelDB read that finds nothing still looks through the memtable and
 * every level (~5 µs in the dm bench, 3 % of the receiver). So an in-memory
 * Bloom filter (`IdFilter`, 1 MiB) answers "not seen" first. It holds every
 * id on disk once `startFilter` has read them in, in the background after
 * the store opens (until then `has` reads LevelDB), and every id added since
 * the store opened, from the moment its write is built: so it can answer
 * "seen" for an id whose write failed or was purged (LevelDB then decides),
 * never "not seen" for one that is stored.
 *
 * Keys (sublevel `replay`):
 * - `i \0 id` → sealed `{ at }`
 * - `t \0 at \0 id` → empty (time index: a purge reads only what it removes)
 */
import { logger } from '@libp2p/logger'
import { REPLAY_WINDOW } from './constants.js'
import { IdFilter } from './id-filter.js'
import { joinKey, keyPart, lastPart, padTime, under } from './keys.js'
import { checkTime } from './query.js'
import type { Bucket, StoreContext, StoreOp } from './context.js'

const log = logger('agentmsg:store:replay')

/** Bits of the filter of seen ids: 1 MiB, ~1 % false positives at 870,000 ids (more ids, more LevelDB reads). */
export const REPLAY_FILTER_BITS = 2 ** 23
/** Ids read into the filter per LevelDB read. */
const FILTER_CHUNK = 10_000

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
  readonly #filter: IdFilter
  /** every id on disk is in the filter */
  #filtered = false
  /** Settles once the filter holds every id on disk, or filling it stopped (the store closed, a read failed). */
  filtered: Promise<void> = Promise.resolve()

  constructor (ctx: StoreContext, filterBits = REPLAY_FILTER_BITS) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('replay')
    this.#filter = new IdFilter(filterBits)
  }

  /** Read the ids on disk into the filter, in the background; `has` uses it once they are all in. */
  startFilter (): void {
    this.filtered = this.#fill().catch((err: Error) => { log('seen ids not read into the filter (LevelDB answers): %s', err.message) })
  }

  async #fill (): Promise<void> {
    const all = under(ID)
    let after: string | undefined
    for (;;) {
      const keys = await this.#bucket.keys({ ...(after === undefined ? all : { gt: after, lt: all.lt }), limit: FILTER_CHUNK })
      for (const key of keys) this.#filter.add(lastPart(key))
      if (keys.length < FILTER_CHUNK) break
      after = keys[keys.length - 1]
    }
    this.#filtered = true
  }

  async has (id: string): Promise<boolean> {
    const key = joinKey(ID, keyPart(id, 'id'))
    if (this.#filtered && !this.#filter.mayHave(id)) {
      // a closed store answers as it does for a read
      this.#ctx.assertReadable()
      return false
    }
    return await this.#bucket.has(key)
  }

  addOps (id: string, at: number = this.#ctx.now()): StoreOp[] {
    keyPart(id, 'id')
    // before the write is even built: `has` must never miss an id that may be on disk
    this.#filter.add(id)
    // whole ms, so the time in the key is the stored time
    at = Math.max(0, Math.floor(checkTime(at, 'at')))
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
