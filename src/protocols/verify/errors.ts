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
