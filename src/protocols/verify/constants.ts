/**
 * Versions, limits and timings of agent credentials (DESIGN §8).
 */
const second = 1000
const minute = 60 * second
const hour = 60 * minute
const day = 24 * hour

/** the `version` this code writes and the only one it reads */
export const CREDENTIAL_VERSION = 1

/**
 * Domain separation for the credential signature. The trailing NUL keeps the
 * label prefix-free: no other agentmsg label can be the start of this one or
 * start with it.
 */
export const CREDENTIAL_SIGNATURE_LABEL = 'agentmsg/v1/credential\0'

/**
 * An encoded credential, signature included. A well-formed one is at most
 * 2 + 40 + 40 + 34 + 9 + 9 + 66 = 200 bytes (version, subject, issuer, level,
 * issuedAt, expiresAt, signature); anything longer is refused before it is
 * parsed.
 */
export const MAX_CREDENTIAL_BYTES = 512

/** `level` is 1 to this many bytes of `[a-z0-9-]` */
export const MAX_CREDENTIAL_LEVEL_LENGTH = 32

/** what the speed challenge proves: the subject answers at a speed only software reaches */
export const SOFTWARE_AGENT_LEVEL = 'software-agent'

/**
 * Known levels, weakest first; `minLevel` ranks against this list. A level
 * not in it meets no `minLevel`.
 */
export const CREDENTIAL_LEVELS: readonly string[] = [SOFTWARE_AGENT_LEVEL]

/** how long `issueCredential` makes a credential valid for, unless told otherwise */
export const DEFAULT_CREDENTIAL_TTL = 30 * day

/**
 * How far the verifier's clock may disagree with the issuer's: a credential
 * is accepted from `issuedAt - CLOCK_SKEW` until `expiresAt + CLOCK_SKEW`.
 */
export const CLOCK_SKEW = 5 * minute
