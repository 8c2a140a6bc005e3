/** Typed errors of dens; match on `name`. */

/** A den record (descriptor, roster, envelope, key) does not decode or breaks a limit. */
export class DenEncodingError extends Error {
  override name = 'DenEncodingError'
}

/** A den record's signature does not verify against its author (or owner). */
export class DenSignatureError extends Error {
  override name = 'DenSignatureError'
}

/** A post from an agent that may not post there: not a member, no valid credential, over its rate. */
export class DenAccessError extends Error {
  override name = 'DenAccessError'
}

/** The den is unknown here, or was destroyed. */
export class DenNotFoundError extends Error {
  override name = 'DenNotFoundError'
}

/** Only the den's owner may do this (roster changes, destroy). */
export class NotDenOwnerError extends Error {
  override name = 'NotDenOwnerError'
}

/** A post could not be decrypted: no sender key yet, a key too far ahead, or a repeat. */
export class DenKeyError extends Error {
  override name = 'DenKeyError'
}

/** A den option is invalid (slug, title, kind, members). */
export class DenOptionsError extends Error {
  override name = 'DenOptionsError'
}

/** Over the post rate: try again after `retryAfterMs`. */
export class DenRateLimitError extends Error {
  override name = 'DenRateLimitError'
  readonly retryAfterMs: number

  constructor (message: string, retryAfterMs: number) {
    super(message)
    this.retryAfterMs = retryAfterMs
  }
}
