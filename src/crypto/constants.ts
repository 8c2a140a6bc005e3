/** Bounds and labels of the crypto core, in one place. */

const second = 1000
const day = 24 * 60 * 60 * second

/** Most message keys one chain may skip in one jump (Signal's MAX_SKIP). */
export const MAX_SKIP = 1000
/** Most skipped message keys a session stores; the oldest are dropped beyond it. */
export const MAX_SKIPPED_KEYS = 2000
/** A skipped message or refresh key is refused this long after it was stored, and erased at the next purge. */
export const SKIPPED_KEY_TTL = 7 * day
/** The sender starts a fresh ratchet key after this many messages without a DH step. */
export const FORCE_STEP_AFTER = 100
/** Most refresh chains one message may skip over, and most skipped refresh keys kept per step. */
export const MAX_REFRESH_SKIP = 100
/** Receiving DH steps whose keys and chains are kept for late messages (libsignal keeps 5 receiver chains). */
export const MAX_RECEIVE_STEPS = 5
/** Receiving chains (per step and per forced refresh) kept open for late messages; all belong to kept steps. */
export const MAX_RECEIVE_CHAINS = 32

/** Session-state serialisation version. */
export const SESSION_STATE_VERSION = 1
/** Envelope wire version. */
export const ENVELOPE_VERSION = 1
