/**
 * Typed errors of agent credentials. Match on `name`; every one of them is
 * also a `CredentialError`.
 */

/** Any reason a credential is refused. */
export class CredentialError extends Error {
  override name = 'CredentialError'
}

/** Bytes that are not a credential we accept: oversize, malformed, unknown version, non-canonical, a field of the wrong length or form. */
export class CredentialEncodingError extends CredentialError {
  override name = 'CredentialEncodingError'
}

/** The signature does not verify against the issuer the credential names. */
export class CredentialSignatureError extends CredentialError {
  override name = 'CredentialSignatureError'
}

/** The issuer is not one the verifier trusts. */
export class UntrustedIssuerError extends CredentialError {
  override name = 'UntrustedIssuerError'
}

/** Outside its validity window, clock skew allowed for: expired, or issued in the future. */
export class CredentialExpiredError extends CredentialError {
  override name = 'CredentialExpiredError'
}

/** The credential is about another agent than the one presenting it. */
export class WrongSubjectError extends CredentialError {
  override name = 'WrongSubjectError'
}

/** The level is below the `minLevel` asked for, or not a level the verifier can rank. */
export class CredentialLevelError extends CredentialError {
  override name = 'CredentialLevelError'
}

/** A challenge frame did not decode or broke the protocol's rules. */
export class ChallengeFrameError extends Error {
  override name = 'ChallengeFrameError'
}

/**
 * The issuer refused to issue a credential. `refusal` is the protocol's
 * reason (`WRONG_ANSWER`, `TOO_SLOW`, `RATE_LIMITED`, `BAD_REQUEST`,
 * `UNAVAILABLE`); each common one has its own subclass, so callers (and the
 * HTTP layer) can match on `name`.
 */
export class ChallengeRefusedError extends Error {
  override name = 'ChallengeRefusedError'
  readonly refusal: string
  /** for `RATE_LIMITED`: when to try again */
  readonly retryAfterMs: number

  constructor (refusal: string, detail: string, retryAfterMs = 0) {
    super(`issuer refused: ${refusal}${detail === '' ? '' : ` (${detail})`}`)
    this.refusal = refusal
    this.retryAfterMs = retryAfterMs
  }
}

/** An answer was missing or wrong. */
export class WrongAnswerError extends ChallengeRefusedError {
  override name = 'WrongAnswerError'
}

/** The answers reached the issuer after the deadline. */
export class TooSlowError extends ChallengeRefusedError {
  override name = 'TooSlowError'
}

/** Over the issuer's attempts per peer; `retryAfterMs` says when to try again. */
export class ChallengeRateLimitedError extends ChallengeRefusedError {
  override name = 'ChallengeRateLimitedError'
}

/** The issuer could not be reached, does not serve the challenge, or the exchange did not finish. */
export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError'
}
