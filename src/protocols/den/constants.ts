/** Protocol ids, limits and timeouts of dens (DESIGN.md §7, docs/protocol.md §18), in one place. */

const second = 1000
const minute = 60 * second
const day = 24 * 60 * minute

export const DEN_VERSION = 1
/** Gossipsub topic of a den: this prefix and the den id in hex. */
export const DEN_TOPIC_PREFIX = '/agentmsg/den/'
/** Where public and verified dens are announced. */
export const DIRECTORY_TOPIC = '/agentmsg/directory'
/** Catch-up from a peer or relay that holds a den. */
export const DEN_SYNC_PROTOCOL = '/agentmsg/den-sync/1.0.0'

export const DEN_ID_BYTES = 16
export const NONCE_BYTES = 12
export const DESCRIPTOR_NONCE_BYTES = 16

/** slug: lowercase letters, digits and dashes */
export const MAX_SLUG_LENGTH = 64
export const MAX_TITLE_LENGTH = 200
/** Members of one den, owner included. */
export const MAX_MEMBERS = 256
export const MAX_DESCRIPTOR_BYTES = 16 * 1024
/** A den envelope on the wire, like a 1:1 envelope. */
export const MAX_DEN_ENVELOPE_BYTES = 64 * 1024

/** Posts one author may make per minute in one den, on the sending and on every receiving side. */
export const POSTS_PER_MINUTE = 20
/** Sender keys: at most this many message keys skipped in one jump ... */
export const MAX_DEN_SKIP = 1000
/** ... and kept per den. */
export const MAX_DEN_SKIPPED_KEYS = 2000
/** Posts that arrived before their author's sender key, kept per den until it does. */
export const MAX_PENDING_POSTS = 256

/** How often owners announce their public dens again (so nodes that were offline learn of them). */
export const ANNOUNCE_INTERVAL = 5 * minute
/** Page size of a den-sync answer, at most. */
export const MAX_SYNC_PAGE = 500
export const SYNC_TIMEOUT = 10 * second
/** A late joiner asks for this much history by default. */
export const DEFAULT_CATCH_UP = 30 * day
/** Largest den-sync frame. */
export const MAX_SYNC_RESPONSE_BYTES = 4 * 1024 * 1024

/** Gossipsub score: each invalid message costs (count²) × this. Three put a peer below the graylist threshold (−80). */
export const INVALID_MESSAGE_WEIGHT = -10
