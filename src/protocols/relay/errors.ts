/** Typed errors of the relay protocol; match on `name`. */
import type { Response } from './relay.pb.js'

/** A frame from the network did not decode or broke the protocol's rules. */
export class RelayFrameError extends Error {
  override name = 'RelayFrameError'
}

/**
 * The relay refused a request. `refusal` says why (the protocol's enum, as
 * its name: `RATE_LIMITED`, `MAILBOX_FULL`, `NOT_AUTHORIZED`, ...); for
 * `RATE_LIMITED`, `retryAfterMs` says when to try again.
 */
export class RelayRefusedError extends Error {
  override name = 'RelayRefusedError'
  readonly refusal: string
  readonly retryAfterMs: number

  constructor (refusal: Response.Refusal, detail: string, retryAfterMs = 0) {
    super(`relay refused: ${refusal}${detail === '' ? '' : ` (${detail})`}`)
    this.refusal = refusal
    this.retryAfterMs = retryAfterMs
  }
}

/** The relay could not be reached, or did not answer in time, or the stream ended with requests in flight. */
export class RelayUnavailableError extends Error {
  override name = 'RelayUnavailableError'
}
