/**
 * A Bloom filter over envelope ids: "certainly not stored" without a LevelDB
 * read, and `StoredIds`, which keeps one over the ids under a key prefix.
 *
 * Blocked (Putze, Sanders and Singler, "Cache-, hash- and space-efficient
 * Bloom filters", 2007): an id's K bits all fall in one 512-bit block, so a
 * lookup touches one cache line, not K. In the dm bench, K scattered reads
 * of a 1 MiB array took ~1.3 µs an id on a busy host.
 *
 * An id is the hex of the first 16 bytes of a SHA-256 (DESIGN §5), so its
 * bits are already uniform: the block and the K positions in it are read
 * straight from its first 21 hex digits, no hashing. Whoever picks envelope
 * fields to aim ids at the same bits only earns false positives, which cost
 * the LevelDB read the filter would have saved, never a wrong answer. An id
 * of any other shape still maps to bits deterministically (so `add` then
 * `mayHave` is never wrong), just less evenly; one shorter than 21
 * characters is never answered from the filter.
 */

import { logger } from '@libp2p/logger'
import { joinKey, lastPart, under } from './keys.js'
import type { Bucket } from './context.js'

const log = logger('agentmsg:store:ids')

/**
 * Bits of each filter of ids by default: 1 MiB, ~1 % false positives at
 * 870,000 ids (more ids, more LevelDB reads; never a wrong answer).
 */
export const ID_FILTER_BITS = 2 ** 23
/** The smallest filter: one block. */
export const MIN_ID_FILTER_BITS = 2 ** 9
export const MAX_ID_FILTER_BITS = 2 ** 24
/** Keys read into a filter per LevelDB read while filling it. */
const FILL_CHUNK = 10_000

/** Bits set per id, all in one block. */
const K = 5
/** A block: 512 bits (one 64-byte cache line), 16 words of 32. */
const BLOCK_WORDS = 16
/** Hex digits that choose the block (24 bits, of which the number of blocks uses the low ones). */
const BLOCK_DIGITS = 6
/** Hex digits per bit within the block (12 bits, of which 9 are used). */
const BIT_DIGITS = 3
const MIN_LENGTH = BLOCK_DIGITS + K * BIT_DIGITS

/** `count` hex digits of `id` from `at`, as a number: lowercase hex exactly, anything else to some nibble, the same every time. */
function digits (id: string, at: number, count: number): number {
  let v = 0
  for (let i = at; i < at + count; i++) {
    const c = id.charCodeAt(i)
    v = (v << 4) | ((c <= 57 ? c - 48 : c - 87) & 0xf)
  }
  return v
}

export class IdFilter {
  readonly #words: Uint32Array
  readonly #blockMask: number

  /** `bits`: the filter's size, a power of two from 2^9 (one block) to 2^24. */
  constructor (bits: number) {
    if (!Number.isSafeInteger(bits) || bits < MIN_ID_FILTER_BITS || bits > MAX_ID_FILTER_BITS || (bits & (bits - 1)) !== 0) {
      throw new RangeError(`IdFilter size must be a power of two from 2^9 to 2^24 bits, got ${bits}`)
    }
    this.#words = new Uint32Array(bits / 32)
    this.#blockMask = bits / 512 - 1
  }

  add (id: string): void {
    if (id.length < MIN_LENGTH) return
    const base = (digits(id, 0, BLOCK_DIGITS) & this.#blockMask) * BLOCK_WORDS
    for (let k = 0, at = BLOCK_DIGITS; k < K; k++, at += BIT_DIGITS) {
      const bit = digits(id, at, BIT_DIGITS) & 511
      this.#words[base + (bit >>> 5)]! |= 1 << (bit & 31)
    }
  }

  /** False only for an id never added. */
  mayHave (id: string): boolean {
    if (id.length < MIN_LENGTH) return true
    const base = (digits(id, 0, BLOCK_DIGITS) & this.#blockMask) * BLOCK_WORDS
    for (let k = 0, at = BLOCK_DIGITS; k < K; k++, at += BIT_DIGITS) {
      const bit = digits(id, at, BIT_DIGITS) & 511
      if ((this.#words[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false
    }
    return true
  }
}

/**
 * The ids under `prefix` (keys `prefix \0 id`) of a bucket, in an IdFilter.
 * `fill` reads those on disk in the background once the store is open; the
 * owner `add`s each id it writes from the moment the write is built (so a
 * write that fails or a key deleted later only costs a false positive).
 * Until the fill is done, `has` asks the bucket for everything.
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

  /**
   * Whether `prefix \0 id` is in the bucket, this write's own puts and
   * deletes included: "no" from the filter when it rules the id out (no
   * write being built can hold it then), else the bucket's answer.
   */
  async has (id: string): Promise<boolean> {
    if (!this.#filled || this.#filter.mayHave(id)) return await this.#bucket.has(joinKey(this.#prefix, id))
    // a closed store answers as it does for a read
    this.#bucket.assertReadable()
    return false
  }
}
