/**
 * Typed errors of the store. Tests and the HTTP layer match on `name`, never
 * on message text. No message ever carries a stored value: at most the
 * sublevel and the key, which are plaintext on disk anyway.
 */

/**
 * A stored value did not decrypt (wrong storage key, tampered bytes, or a
 * value moved to another key) or did not decode. Nothing is returned for it
 * and nothing is dropped: the caller decides.
 */
export class StoreCorruptionError extends Error {
  override name = 'StoreCorruptionError'
  /** The sublevel the value was read from. */
  readonly sublevel: string
  /** The key it was read under (keys are plaintext: ids, peer ids, counters). */
  readonly key: string

  constructor (sublevel: string, key: string, reason: string, options?: ErrorOptions) {
    super(`store: value of ${sublevel}/${printable(key)} is unreadable (${reason})`, options)
    this.sublevel = sublevel
    this.key = key
  }
}

/** A store method got an argument it does not accept: a limit out of bounds, a malformed id, an unknown cursor. */
export class StoreQueryError extends Error {
  override name = 'StoreQueryError'
}

/** The outbox holds its maximum number of entries; nothing was queued. */
export class OutboxFullError extends Error {
  override name = 'OutboxFullError'
  readonly limit: number

  constructor (limit: number) {
    super(`outbox: full (${limit} entries)`)
    this.limit = limit
  }
}

/** A relay mailbox would go past one of its limits; nothing was stored. */
export class MailboxFullError extends Error {
  override name = 'MailboxFullError'
  readonly limit: number
  readonly kind: 'envelopes' | 'bytes'

  constructor (kind: 'envelopes' | 'bytes', limit: number) {
    super(`mailbox: full (${limit} ${kind})`)
    this.kind = kind
    this.limit = limit
  }
}

/** An agent's archive at a relay would go past one of its limits; nothing was stored. */
export class ArchiveFullError extends Error {
  override name = 'ArchiveFullError'
  readonly limit: number
  readonly kind: 'entries' | 'bytes'

  constructor (kind: 'entries' | 'bytes', limit: number) {
    super(`archive: full (${limit} ${kind})`)
    this.kind = kind
    this.limit = limit
  }
}

/** The store was closed (or is closing): no read or write is served. */
export class StoreClosedError extends Error {
  override name = 'StoreClosedError'

  constructor (message = 'store: closed') {
    super(message)
  }
}

/**
 * LevelDB failed a write the journal already holds (a full or failing
 * disk). The commit it belonged to stands: reads still see it, and the
 * journal replays it when the store is opened again. Every later write and
 * range read fails with this error until then.
 */
export class StoreWriteError extends Error {
  override name = 'StoreWriteError'
}

/**
 * A write was composed in a way that could lose an update: a builder that
 * reads before it writes was called outside `store.write(async () => ops)`,
 * or a write was started from inside another write (which would wait for
 * itself forever). A programming error, never caused by data.
 */
export class StoreTransactionError extends Error {
  override name = 'StoreTransactionError'
}

/** Keys use `\0` as a separator: shown as `/` so a message stays one readable line. */
function printable (key: string): string {
  return key.replaceAll('\0', '/')
}
