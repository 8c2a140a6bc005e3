/**
 * Per-peer rate limits (DESIGN §8), token buckets that refill evenly over a
 * minute:
 *
 * - DMs: `send()` to one peer past the limit throws `RateLimitedError` with
 *   the wait (the HTTP API answers 429 with `Retry-After`); messages one peer
 *   sends us directly past the limit are refused unread and counted. Mail
 *   fetched from our relays is not counted again: the relay limits deposits
 *   per sender, and a burst that waited there while we were offline must not
 *   be dropped when we come back.
 * - History reads: `history()` of one conversation past the limit throws.
 * - Den posts are limited per author and den by the den layer
 *   (`denPostsPerMinute`).
 *
 * `Infinity` turns a limit off.
 */
import { TokenBuckets } from '../protocols/token-bucket.js'
import { NodeOptionsError, RateLimitedError } from './errors.js'

export interface RateLimitOptions {
  /** DMs we send to one peer, and accept from one peer, per minute. @default 120 */
  dmsPerMinute?: number
  /** Reads of one conversation's history per minute. @default 300 */
  historyReadsPerMinute?: number
  /** Den posts per author and den per minute, sent and accepted. @default 20 */
  denPostsPerMinute?: number
}

export const DEFAULT_RATE_LIMITS: Required<RateLimitOptions> = {
  dmsPerMinute: 120,
  historyReadsPerMinute: 300,
  denPostsPerMinute: 20
}

const MINUTE = 60_000

/** Throws NodeOptionsError unless every limit given is a positive integer or Infinity. */
export function checkRateLimits (options: RateLimitOptions = {}): Required<RateLimitOptions> {
  const limits = { ...DEFAULT_RATE_LIMITS }
  for (const name of Object.keys(DEFAULT_RATE_LIMITS) as Array<keyof RateLimitOptions>) {
    const value = options[name]
    if (value === undefined) continue
    if (value !== Infinity && !(Number.isSafeInteger(value) && value >= 1)) {
      throw new NodeOptionsError(`rateLimits.${name}: expected a positive integer or Infinity, got ${String(value)}`)
    }
    limits[name] = value
  }
  return limits
}

function buckets (perMinute: number, now?: () => number): TokenBuckets | undefined {
  return perMinute === Infinity ? undefined : new TokenBuckets({ capacity: perMinute, interval: MINUTE, now })
}

export class PeerLimits {
  readonly limits: Required<RateLimitOptions>
  readonly #dmOut?: TokenBuckets
  readonly #dmIn?: TokenBuckets
  readonly #history?: TokenBuckets

  constructor (options: RateLimitOptions = {}, now?: () => number) {
    this.limits = checkRateLimits(options)
    this.#dmOut = buckets(this.limits.dmsPerMinute, now)
    this.#dmIn = buckets(this.limits.dmsPerMinute, now)
    this.#history = buckets(this.limits.historyReadsPerMinute, now)
  }

  /** One more DM to `peer`, or `RateLimitedError`. */
  sendDm (peer: string): void {
    const wait = this.#dmOut?.take(peer) ?? 0
    if (wait > 0) throw new RateLimitedError(`over ${this.limits.dmsPerMinute} messages a minute to ${peer}`, 'dm', wait)
  }

  /** One more DM from `peer`: false when it is over the limit (the receiver refuses and counts it). */
  receiveDm (peer: string): boolean {
    return (this.#dmIn?.take(peer) ?? 0) === 0
  }

  /** One more history read of `conversationId`, or `RateLimitedError`. */
  readHistory (conversationId: string): void {
    const wait = this.#history?.take(conversationId) ?? 0
    if (wait > 0) throw new RateLimitedError(`over ${this.limits.historyReadsPerMinute} history reads a minute of conversation ${conversationId}`, 'history', wait)
  }
}
