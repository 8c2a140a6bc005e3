/** Protocol id, limits and timeouts of the relay protocol (DESIGN.md §6), in one place. */

const second = 1000
const minute = 60 * second
const hour = 60 * minute

export const RELAY_PROTOCOL = '/agentmsg/relay/1.0.0'
export const RELAY_FRAME_VERSION = 1
/** Relays advertise themselves as providers of the CID of this string in the DHT. */
export const RELAY_SERVICE_KEY = '/agentmsg/relay-service/1.0.0'

/** Largest envelope a relay holds (the envelope limit of docs/protocol.md §9). */
export const MAX_ENVELOPE_BYTES = 64 * 1024
/** Largest request frame a relay reads: one envelope, or a batch of archive entries. */
export const MAX_REQUEST_BYTES = 256 * 1024
/** A response page stops growing past this many bytes of envelopes or blobs (it always holds at least one). */
export const MAX_PAGE_BYTES = 1024 * 1024
/** Largest response frame an agent reads: one full page plus one envelope and framing. */
export const MAX_RESPONSE_BYTES = MAX_PAGE_BYTES + MAX_ENVELOPE_BYTES + 4096
/** Page size of a Fetch or ArchiveList that does not ask for one, and the largest one may ask for. */
export const DEFAULT_PAGE = 100
export const MAX_PAGE = 1000
/** Most ids in one Ack. */
export const MAX_ACK_IDS = 1000
/** Most entries in one ArchivePut. */
export const MAX_ARCHIVE_ENTRIES = 256
/** Longest archive key, in bytes. */
export const MAX_ARCHIVE_KEY_BYTES = 64

/** Deposits one sender may make per minute at one relay (a token bucket of this size, refilled evenly). */
export const DEPOSITS_PER_MINUTE = 120
/** History-archive pages (ArchiveList) one agent may read per minute at one relay (DESIGN §8: 300 history reads a minute). */
export const HISTORY_READS_PER_MINUTE = 300
/** Pushes waiting to be written to one subscriber; past it the relay resets the stream and the agent fetches instead. */
export const MAX_PENDING_PUSHES = 1024
/** Requests an agent has in flight on one relay stream. */
export const MAX_IN_FLIGHT_REQUESTS = 64
/** Request streams one connection may hold open at a relay. */
export const MAX_INBOUND_STREAMS = 8

/** How long an agent waits for a relay's answer to one request. */
export const REQUEST_TIMEOUT = 10 * second
/** How long an agent waits to dial a relay. */
export const RELAY_DIAL_TIMEOUT = 5 * second
/** How often a relay purges expired envelopes. */
export const PURGE_INTERVAL = 1 * hour
/** How often a relay re-announces itself in the DHT (provider records expire after 48 h). */
export const PROVIDE_INTERVAL = 12 * hour
