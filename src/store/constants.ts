/** Bounds and defaults of the store, in one place. */

const second = 1000
const day = 24 * 60 * 60 * second

/** Most entries one store's outbox holds (all recipients together); `openStore({ maxOutbox })` overrides it. */
export const MAX_OUTBOX = 10_000
/** How long a seen envelope id is kept to refuse a replay (DESIGN.md §5). */
export const REPLAY_WINDOW = 30 * day

/** Page size of a query that does not ask for one. */
export const DEFAULT_QUERY_LIMIT = 50
/** Largest page a query may ask for. */
export const MAX_QUERY_LIMIT = 500

/** Length of the key every value is sealed under (`value-cipher.ts`). */
export const STORAGE_KEY_LENGTH = 32
/** Random nonce stored in front of every sealed value. */
export const VALUE_NONCE_LENGTH = 12

/**
 * Outgoing message records kept decrypted in memory while they wait for an
 * ack: each one is read back twice (`sent`, then `delivered`). About 0.7 KB
 * each; older ones are read from disk.
 */
export const MESSAGE_CACHE_SIZE = 8192
/** Conversation records kept decrypted in memory (every message put reads its conversation). */
export const CONVERSATION_CACHE_SIZE = 1024
/**
 * Sequence numbers are reserved on disk this many at a time, so a message
 * put does not rewrite a counter; a restart skips the rest of a block.
 */
export const SEQUENCE_BLOCK = 1024
/** Longest id (message, conversation, peer, meta key) accepted as part of a key. */
export const MAX_KEY_PART_LENGTH = 256

/**
 * Format of the stores `openStore` creates, checked at open: 2 seals values
 * with ChaCha20-Poly1305, 1 (stores made before it, still read and written
 * as they are) with AES-256-GCM. The layout of keys is the same in both.
 */
export const STORE_FORMAT_VERSION = 2

/**
 * A commit whose journal record could be larger than this goes to LevelDB
 * directly instead (journal.ts): a message's batch on either side is a few
 * KiB; a batch of 64 sends or 256 received messages is hundreds of KiB,
 * for which LevelDB's round trip matters little and a second copy would.
 */
export const JOURNAL_MAX_RECORD_BYTES = 64 * 1024
/**
 * Journaled commits wait for LevelDB's write in flight in a queue, which
 * the next write takes whole; while the queue holds this many bytes of
 * records, a commit waits until LevelDB finishes its write and the queue
 * moves into the next. One message's commit is 2 – 5 KiB: a commit made
 * while LevelDB writes the one before never waits.
 */
export const JOURNAL_MAX_BEHIND_BYTES = 64 * 1024
/** The journal's file in the database's directory (not a name LevelDB uses for its own files). */
export const JOURNAL_FILE = 'journal'
/** The journal is emptied before an append once it holds this much (LevelDB has all of it then). */
export const JOURNAL_TRUNCATE_BYTES = 1024 * 1024

/** A relay's mailbox for one recipient holds at most this many envelopes (DESIGN.md §6). */
export const MAILBOX_MAX_ENVELOPES = 10_000
/** ... and at most this many bytes of envelopes. */
export const MAILBOX_MAX_BYTES = 64 * 1024 * 1024
/** A held envelope is purged this long after its deposit. */
export const MAILBOX_TTL = 30 * day
/** Largest page one mailbox fetch returns. */
export const MAX_FETCH_LIMIT = 1000
/** A relay keeps at most this many archive entries per agent ... */
export const ARCHIVE_MAX_ENTRIES = 200_000
/** ... of at most this many bytes together ... */
export const ARCHIVE_MAX_BYTES = 256 * 1024 * 1024
/** ... each at most this large (one encrypted message record). */
export const ARCHIVE_MAX_BLOB_BYTES = 96 * 1024
