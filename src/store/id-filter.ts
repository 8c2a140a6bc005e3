/**
 * A Bloom filter over envelope ids: "certainly not stored" without a LevelDB
 * read, and `StoredIds`, which keeps one over the ids under a key prefix.
 *
 * An id is the hex of the first 16 bytes of a SHA-256 (DESIGN §5), so its
 * bits are already uniform: the K bit positions are read straight from its
 * first 30 hex digits, 24 bits each, no hashing. Whoever picks envelope
 * fields to aim ids at the same bits only earns false positives, which cost
 * the LevelDB read the filter would have saved, never a wrong answer. An id
 * of any other shape still maps to positions deterministically (so `add`
 * then `mayHave` is never wrong), just less evenly; one shorter than 30
 * characters is never answered from the filter.
 */

import { logger } from '@libp2p/logger'
import { lastPart, under } from './keys.js'
import type { Bucket } from './context.js'

const log = logger('agentmsg:store:ids')

/**
 * Bits of each filter of ids by default: 1 MiB, ~1 % false positives at
 * 870,000 ids (more ids, more LevelDB reads; never a wrong answer).
 */
export const ID_FILTER_BITS = 2 ** 23
/** Keys read into a filter per LevelDB read while filling it. */
const FILL_CHUNK = 10_000

/** Bit positions per id. */
const K = 5
/** Hex digits per position (24 bits, of which the filter's size uses the low bits). */
const DIGITS = 6
const MIN_LENGTH = K * DIGITS

export class IdFilter {
  readonly #bits: Uint32Array
  readonly #mask: number
  /** the positions of the id being added or looked up (each call runs to its end) */
  readonly #at = new Int32Array(K)

  /** `bits`: the filter's size, a power of two from 2^5 to 2^24. */
  constructor (bits: number) {
    if (!Number.isSafeInteger(bits) || bits < 32 || bits > 2 ** 24 || (bits & (bits - 1)) !== 0) {
      throw new RangeError(`IdFilter size must be a power of two from 2^5 to 2^24 bits, got ${bits}`)
    }
    this.#bits = new Uint32Array(bits / 32)
    this.#mask = bits - 1
  }

  add (id: string): void {
    if (!this.#positions(id)) return
    for (const p of this.#at) this.#bits[p >>> 5]! |= 1 << (p & 31)
  }

  /** False only for an id never added. */
  mayHave (id: string): boolean {
    if (!this.#positions(id)) return true
    for (const p of this.#at) {
      if ((this.#bits[p >>> 5]! & (1 << (p & 31))) === 0) return false
    }
    return true
  }

  #positions (id: string): boolean {
    if (id.length < MIN_LENGTH) return false
    let i = 0
    for (let k = 0; k < K; k++) {
      let v = 0
      for (let end = i + DIGITS; i < end; i++) {
        const c = id.charCodeAt(i)
        // lowercase hex exactly; anything else to some nibble, the same every time
        v = (v << 4) | ((c <= 57 ? c - 48 : c - 87) & 0xf)
      }
      this.#at[k] = v & this.#mask
    }
    return true
  }
}

/**
 * The ids under `prefix` (keys `prefix \0 id`) of a bucket, in an IdFilter.
 * `fill` reads those on disk in the background once the store is open; the
 * owner `add`s each id it writes from the moment the write is built (so a
 * write that fails or a key deleted later only costs a false positive).
 * Until the fill is done, `mayHave` answers "maybe" for everything.
 */
export class StoredIds {
  readonly #bucket: Bucket
  readonly #prefix: string
  readonly #filter: IdFilter
  #filled = false
  /** Settles once every id on disk is in, or filling stopped (the store closed, a read failed). */
  filled: Promise<void> = Promise.resolve()

  constructor (bucket: Bucket, prefix: string, bits = ID_FILTER_BITS) {
    this.#bucket = bucket
    this.#prefix = prefix
    this.#filter = new IdFilter(bits)
  }

  fill (): void {
    this.filled = this.#fill().catch((err: Error) => { log('%s/%s ids not read into a filter (LevelDB answers): %s', this.#bucket.name, this.#prefix, err.message) })
  }

  async #fill (): Promise<void> {
    const all = under(this.#prefix)
    let after: string | undefined
    for (;;) {
      const keys = await this.#bucket.keys({ ...(after === undefined ? all : { gt: after, lt: all.lt }), limit: FILL_CHUNK })
      for (const key of keys) this.#filter.add(lastPart(key))
      if (keys.length < FILL_CHUNK) break
      after = keys[keys.length - 1]
    }
    this.#filled = true
  }

  add (id: string): void {
    this.#filter.add(id)
  }

  /** False only when `prefix \0 id` is certainly not in the bucket (nor in a write being built). */
  mayHave (id: string): boolean {
    return !this.#filled || this.#filter.mayHave(id)
  }
}
