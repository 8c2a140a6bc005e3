/**
 * Typed errors of the node layer (data dir, libp2p assembly, lifecycle).
 * Tests and the HTTP layer match on `name`, never on message text.
 */

/**
 * The identity file is encrypted and no passphrase, or the wrong one, was
 * given.
 */
export class IdentityLockedError extends Error {
  override name = 'IdentityLockedError'
}

/** The identity file exists but is not a key we can read (corrupt, truncated, wrong key type, unknown version). */
export class IdentityFileError extends Error {
  override name = 'IdentityFileError'
}

/** A peer id that is not an agent's (not Ed25519, malformed, or our own where that makes no sense). */
export class InvalidPeerError extends Error {
  override name = 'InvalidPeerError'
}

/**
 * Over a per-peer rate limit (DESIGN §8): `limit` names it (`dm`, `history`),
 * `retryAfterMs` says when one more will be allowed.
 */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError'
  readonly limit: string
  readonly retryAfterMs: number

  constructor (message: string, limit: string, retryAfterMs: number) {
    super(message)
    this.limit = limit
    this.retryAfterMs = retryAfterMs
  }
}

/**
 * The content policy refused a message (DESIGN §8): `policy` names the rule
 * (`spam`, or one of a custom policy), `detail` says why. Nothing was
 * stored or sent.
 */
export class ContentPolicyError extends Error {
  override name = 'ContentPolicyError'
  readonly policy: string
  readonly detail: string

  constructor (policy: string, detail: string) {
    super(`refused by content policy ${policy}: ${detail}`)
    this.policy = policy
    this.detail = detail
  }
}

/** No pending message request from that peer. */
export class RequestNotFoundError extends Error {
  override name = 'RequestNotFoundError'
}

/** An option of `createAgentNode` out of its range (names the option). */
export class NodeOptionsError extends Error {
  override name = 'NodeOptionsError'
}
