/**
 * Typed errors of the crypto core. Tests and the HTTP layer match on `name`,
 * never on message text.
 */

/** An input had the wrong type or length (`expected 32 bytes, got 31`). */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError'
}

/** A Diffie-Hellman output was all zeroes: the peer sent a low-order point (RFC 7748 §6.1). */
export class LowOrderPointError extends Error {
  override name = 'LowOrderPointError'
}

/** AEAD authentication failed: wrong key, nonce, associated data, or tampered ciphertext. */
export class DecryptError extends Error {
  override name = 'DecryptError'
}

/** A signature did not verify against the key it claims. */
export class SignatureError extends Error {
  override name = 'SignatureError'
}

/** An envelope id that was already opened. */
export class ReplayError extends Error {
  override name = 'ReplayError'
}

/** A message needs more skipped keys than MAX_SKIP allows, or is otherwise beyond a ratchet bound. */
export class SkipLimitError extends Error {
  override name = 'SkipLimitError'
}

/** A wire or state encoding we do not understand (unknown version, malformed protobuf). */
export class EncodingError extends Error {
  override name = 'EncodingError'
}

/** An envelope addressed to someone else. */
export class WrongRecipientError extends Error {
  override name = 'WrongRecipientError'
}

/** An operation the session's state does not allow yet (a responder sending before it received). */
export class SessionStateError extends Error {
  override name = 'SessionStateError'
}
