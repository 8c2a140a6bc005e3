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
