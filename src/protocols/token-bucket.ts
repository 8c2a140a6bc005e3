/**
 * Per-key token buckets: `capacity` tokens that refill evenly over
 * `interval` ms. Used for every rate limit (relay deposits now; DMs, den
 * posts and history reads per peer later). Keys are
 * tracked least recently used first, at most `maxKeys` of them.
 */

export interface TokenBucketOptions {
  /** tokens a key may spend at once */
  capacity: number
  /** ms to refill from empty to full */
  interval: number
  /** @default Date.now */
  now?: () => number
  /** Most keys tracked; past it the oldest is forgotten (a forgotten key starts full). @default 100 000 */
  maxKeys?: number
}

interface Bucket {
  tokens: number
  at: number
}

export class TokenBuckets {
  readonly #capacity: number
  readonly #rate: number
  readonly #now: () => number
  readonly #maxKeys: number
  readonly #buckets = new Map<string, Bucket>()

  constructor (options: TokenBucketOptions) {
    if (!(options.capacity >= 1) || !(options.interval > 0)) throw new RangeError('token bucket: capacity must be ≥ 1 and interval > 0')
    this.#capacity = options.capacity
    this.#rate = options.capacity / options.interval
    this.#now = options.now ?? Date.now
    this.#maxKeys = options.maxKeys ?? 100_000
  }

  /** Spend one token of `key`: 0 when it had one, else the ms until it will. */
  take (key: string): number {
    const now = this.#now()
    const bucket = this.#refilled(key, now)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      this.#buckets.delete(key)
      this.#buckets.set(key, bucket)
      if (this.#buckets.size > this.#maxKeys) this.#forgetOldest()
      return 0
    }
    return Math.ceil((1 - bucket.tokens) / this.#rate)
  }

  #refilled (key: string, now: number): Bucket {
    const bucket = this.#buckets.get(key)
    if (bucket === undefined) return { tokens: this.#capacity, at: now }
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.#rate)
    bucket.at = now
    return bucket
  }

  #forgetOldest (): void {
    // least recently used first: a forgotten key starts full again
    const oldest = this.#buckets.keys().next()
    if (oldest.done !== true) this.#buckets.delete(oldest.value)
  }
}
