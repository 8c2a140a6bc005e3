/**
 * A Bloom filter over envelope ids: "certainly not seen" without a LevelDB
 * read.
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
