/**
 * A persisted, monotonically increasing counter for ordering keys.
 *
 * Numbers are reserved on disk a block at a time: the stored value is a
 * limit below which every number may have been used. Most takes write
 * nothing; the one that crosses the limit adds a write of the next limit to
 * its own batch, and the in-memory limit moves only once that batch
 * committed, so a failed batch cannot leave numbers in use that a restart
 * would hand out again. A restart continues from the stored limit, skipping
 * what was left of the block.
 */
import { SEQUENCE_BLOCK } from './constants.js'
import { StoreCorruptionError } from './errors.js'
import type { Bucket, StoreContext, StoreOp } from './context.js'

interface Stored {
  limit: number
}

export class Sequence {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket
  readonly #key: string
  #next = 0
  #limit = 0

  constructor (ctx: StoreContext, bucket: Bucket, key: string) {
    this.#ctx = ctx
    this.#bucket = bucket
    this.#key = key
  }

  async load (): Promise<void> {
    const stored = await this.#bucket.getJson<Stored>(this.#key)
    if (stored === undefined) return
    if (!Number.isSafeInteger(stored.limit) || stored.limit < 0) {
      throw new StoreCorruptionError(this.#bucket.name, this.#key, 'not a sequence limit')
    }
    this.#next = this.#limit = stored.limit
  }

  /** The next number, and the write that reserves it when it starts a new block. Inside a write only. */
  take (what: string): { seq: number, ops: StoreOp[] } {
    const tx = this.#ctx.requireTx(what)
    const seq = this.#next++
    const reserved = (tx.scratch.get(this) as number | undefined) ?? this.#limit
    if (seq < reserved) return { seq, ops: [] }
    const limit = seq + SEQUENCE_BLOCK
    tx.scratch.set(this, limit)
    tx.afterCommit.push(() => { this.#limit = Math.max(this.#limit, limit) })
    return { seq, ops: [this.#bucket.putJson(this.#key, { limit } satisfies Stored)] }
  }
}
