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

/** The speed challenge (docs/protocol.md §20): the issuer serves it, a prover earns a credential with it. */
export const VERIFY_PROTOCOL = '/agentmsg/verify/1.0.0'
/** the `version` of every ChallengeFrame this code writes and the only one it reads */
export const CHALLENGE_FRAME_VERSION = 1

/** Tasks in one challenge; a prover must answer all of them. */
export const CHALLENGE_TASKS = 64
/** Bytes of random seed per task. */
export const CHALLENGE_SEED_BYTES = 32
/**
 * SHA-256 applications per task: 64 × 100 = 6 400 hashes of 32 bytes, a few
 * ms for software, and for the issuer too, which computes every answer
 * before it sends the tasks.
 */
export const CHALLENGE_ITERATIONS = 100
/** Bytes of each answer: the first bytes of the last digest. */
export const CHALLENGE_ANSWER_BYTES = 8
/** From sending the tasks to receiving all answers, as the issuer measures it. */
export const CHALLENGE_DEADLINE = 1 * second
/**
 * How long the issuer waits for answers at all; answers after the deadline
 * but within this get a `TOO_SLOW` result, none at all a reset stream.
 */
export const ANSWER_TIMEOUT = 10 * second
/** Attempts one peer may make per hour at one issuer (a token bucket of this size, refilled evenly). */
export const ATTEMPTS_PER_HOUR = 5

/** Largest frames, each side reading only the kind it expects. */
export const MAX_REQUEST_FRAME_BYTES = 64
/** 64 tasks of (2 + 34 + 3) bytes in their own 2-byte headers, the deadline, framing: under 3 KiB */
export const MAX_CHALLENGE_FRAME_BYTES = 4096
/** 64 answers of 2 + 8 bytes, framing: under 1 KiB */
export const MAX_ANSWERS_FRAME_BYTES = 1024
/** a credential (≤ MAX_CREDENTIAL_BYTES), a short detail, framing */
export const MAX_RESULT_FRAME_BYTES = 2048
/** Longest `detail` in a Result. */
export const MAX_DETAIL_LENGTH = 256

/** How long a prover waits to reach the issuer, and for the whole exchange. */
export const VERIFY_DIAL_TIMEOUT = 5 * second
export const VERIFY_TIMEOUT = 15 * second
/** Challenge streams one connection may hold open at an issuer. */
export const MAX_INBOUND_CHALLENGES = 2
