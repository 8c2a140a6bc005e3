/** Typed errors of the DM protocol. Tests and the HTTP layer match on `name`. */

/** A body an agent tried to send, or received, breaks a type or size rule. */
export class BodyValidationError extends Error {
  override name = 'BodyValidationError'
  readonly field: string
  readonly detail: string

  constructor (field: string, detail: string) {
    super(`${field} ${detail}`)
    this.field = field
    this.detail = detail
  }
}

/** A frame we cannot read: garbage, truncated, oversize or an unknown version. */
export class FrameError extends Error {
  override name = 'FrameError'
}

/** A stream reset by its sender: envelopes in flight on it got no ack in time (they go again on a new stream). */
export class AckTimeoutError extends Error {
  override name = 'AckTimeoutError'
}
