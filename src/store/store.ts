/**
 * `openStore`: one level database, one sublevel per concern, every value
 * sealed under the storage key, and its journal in the database's directory
 * (`<path>/journal`, `journal.ts`; LevelDB leaves files it does not name alone).
 */
import { join } from 'node:path'
import { Level } from 'level'
import { JOURNAL_FILE, MAX_OUTBOX, STORAGE_KEY_LENGTH, STORE_FORMAT_VERSION } from './constants.js'
import { StoreContext } from './context.js'
import { LevelContactStore } from './contacts.js'
import { LevelRequestStore } from './requests.js'
import { LevelEventStore, MAX_EVENTS } from './events.js'
import { LevelConversationStore } from './conversations.js'
import { StoreCorruptionError, StoreQueryError } from './errors.js'
import { LevelArchiveStore } from './archive.js'
import { LevelDenStore } from './dens.js'
import { LevelMailboxStore } from './mailbox.js'
import { LevelMessageStore } from './messages.js'
import { LevelMetaStore } from './meta.js'
import { LevelOutboxStore } from './outbox.js'
import { LevelOwnPrekeyStore } from './prekeys.js'
import { MAX_ID_FILTER_BITS, MIN_ID_FILTER_BITS } from './id-filter.js'
import { LevelReplayStore } from './replay.js'
import { LevelSessionStore } from './sessions.js'
import { LevelWebhookStore } from './webhooks.js'
import { STORE_FORMATS } from './value-cipher.js'
import type { ValueCipherName } from './value-cipher.js'
import type { ContactStore } from './contacts.js'
import type { RequestStore } from './requests.js'
import type { Bucket, JournalBounds, StoreOp } from './context.js'
import type { ConversationStore } from './conversations.js'
import type { ArchiveLimits, ArchiveStore } from './archive.js'
import type { DenStore } from './dens.js'
import type { MailboxLimits, MailboxStore } from './mailbox.js'
import type { EventStore } from './events.js'
import type { MessageStore } from './messages.js'
import type { MetaStore } from './meta.js'
import type { OutboxStore } from './outbox.js'
import type { OwnPrekeyStore } from './prekeys.js'
import type { ReplayStore } from './replay.js'
import type { SessionStore } from './sessions.js'
import type { WebhookStore } from './webhooks.js'

export interface StoreOptions {
  /** Directory of the level database; created when missing. */
  path: string
  /** 32 bytes: every value is sealed under it (`value-cipher.ts`). The store keeps its own copy and wipes it at close. */
  storageKey: Uint8Array
  /**
   * Format of a store this call creates: 2 seals values with
   * ChaCha20-Poly1305, 1 with AES-256-GCM (what agentmsg wrote before format
   * 2, and all it can read). A store that exists keeps its own format.
   * @default STORE_FORMAT_VERSION (2)
   */
  format?: number
  /**
   * The clock, ms since the epoch (defaults of `createdAt`, `addedAt`, replay times).
   * @default Date.now
   */
  now?: () => number
  /**
   * Most entries the outbox holds; also the most `sent` states held in
   * memory only (see `MessageStore.setStatusOps`).
   * @default MAX_OUTBOX (10 000)
   */
  maxOutbox?: number
  /**
   * Size in bits of each in-memory filter of ids (id-filter.ts: the seen
   * envelope ids, the message ids): a power of two from 2^9 to 2^24. Their
   * false positives cost a LevelDB read each, ~1 % at 870,000 ids with the
   * default.
   * @default ID_FILTER_BITS (2^23: 1 MiB each)
   */
  idFilterBits?: number
  /** Limits of the mailboxes a relay holds for other agents. */
  mailbox?: MailboxLimits
  /** Quota of each agent's history archive a relay holds. */
  archive?: ArchiveLimits
  /**
   * Most events the event log keeps (the newest).
   * @default MAX_EVENTS (100 000)
   */
  maxEvents?: number
  /**
   * Keep the durable event log at all.
   * @default true
   */
  eventLog?: boolean
  /**
   * Bounds of the journal in the database's directory (`<path>/journal`, `journal.ts`).
   * @default { maxRecordBytes: JOURNAL_MAX_RECORD_BYTES (64 KiB), truncateBytes: JOURNAL_TRUNCATE_BYTES (1 MiB), maxBehindBytes: JOURNAL_MAX_BEHIND_BYTES (64 KiB) }
   */
  journal?: JournalBounds
}

/** What `store.write()` takes: operations, or a function that builds them while no other write runs. */
export type StoreWrite = StoreOp[] | (() => StoreOp[] | Promise<StoreOp[]>)

export interface Store {
  readonly messages: MessageStore
  readonly conversations: ConversationStore
  readonly sessions: SessionStore
  readonly outbox: OutboxStore
  readonly replay: ReplayStore
  readonly contacts: ContactStore
  /** messages held from agents the inbox policy does not admit */
  readonly requests: RequestStore
  readonly prekeys: OwnPrekeyStore
  readonly meta: MetaStore
  /** Envelopes held for other agents (relays only). */
  readonly mailbox: MailboxStore
  /** Other agents' encrypted history archives (relays only). */
  readonly archive: ArchiveStore
  /** Dens: records, posts, sender keys, tombstones. */
  readonly dens: DenStore
  /** the durable event log of the API (DESIGN §9) */
  readonly events: EventStore
  readonly webhooks: WebhookStore
  /** true from the moment `close()` is called */
  readonly closed: boolean
  /**
   * Commit operations of any stores in one atomic batch. Builders that read
   * before they write (`messages.putOps`, `outbox.enqueueOps`, ...) must be
   * called inside the function form, which runs while no other write does:
   *
   * ```ts
   * await store.write(async () => [
   *   ...await store.messages.putOps(record),
   *   ...store.sessions.putOps(peer, session),
   *   ...store.replay.addOps(record.messageId)
   * ])
   * ```
   */
  write(ops: StoreWrite): Promise<void>
  /** Waits for writes already started, then closes the database and wipes the key. Idempotent. */
  close(): Promise<void>
}

interface FormatCheck {
  format: number
}

const STORE = 'store'
const CHECK = 'check'

class LevelStore implements Store {
  readonly messages: LevelMessageStore
  readonly conversations: LevelConversationStore
  readonly sessions: LevelSessionStore
  readonly outbox: LevelOutboxStore
  readonly replay: LevelReplayStore
  readonly contacts: LevelContactStore
  readonly requests: LevelRequestStore
  readonly prekeys: LevelOwnPrekeyStore
  readonly meta: LevelMetaStore
  readonly mailbox: LevelMailboxStore
  readonly archive: LevelArchiveStore
  readonly dens: LevelDenStore
  readonly events: LevelEventStore
  readonly webhooks: LevelWebhookStore
  readonly #ctx: StoreContext

  constructor (ctx: StoreContext, maxOutbox: number, maxEvents: number, eventLog: boolean, mailbox: MailboxLimits = {}, archive: ArchiveLimits = {}, idFilterBits?: number) {
    this.#ctx = ctx
    this.conversations = new LevelConversationStore(ctx)
    this.messages = new LevelMessageStore(ctx, this.conversations, maxOutbox, idFilterBits)
    this.sessions = new LevelSessionStore(ctx)
    this.outbox = new LevelOutboxStore(ctx, maxOutbox)
    this.replay = new LevelReplayStore(ctx, idFilterBits)
    this.contacts = new LevelContactStore(ctx)
    this.requests = new LevelRequestStore(ctx)
    this.prekeys = new LevelOwnPrekeyStore(ctx)
    this.meta = new LevelMetaStore(ctx)
    this.mailbox = new LevelMailboxStore(ctx, mailbox)
    this.archive = new LevelArchiveStore(ctx, archive)
    this.dens = new LevelDenStore(ctx)
    this.events = new LevelEventStore(ctx, maxEvents, eventLog)
    this.webhooks = new LevelWebhookStore(ctx)
  }

  get closed (): boolean {
    return this.#ctx.closed
  }

  async write (ops: StoreWrite): Promise<void> {
    if (typeof ops === 'function') {
      await this.#ctx.transact(async () => ({ ops: await ops(), result: undefined }))
    } else {
      await this.#ctx.write(ops)
    }
  }

  async close (): Promise<void> {
    await this.#ctx.close()
  }
}

const JOURNAL_BOUNDS: ReadonlySet<string> = new Set<keyof JournalBounds>(['maxRecordBytes', 'truncateBytes', 'maxBehindBytes'])

function checkOptions (options: StoreOptions): void {
  if (typeof options.path !== 'string' || options.path.length === 0) throw new StoreQueryError('openStore: path must be a non-empty string')
  if (!(options.storageKey instanceof Uint8Array) || options.storageKey.length !== STORAGE_KEY_LENGTH) {
    throw new StoreQueryError(`openStore: storageKey must be ${STORAGE_KEY_LENGTH} bytes`)
  }
  if (options.format !== undefined && cipherOf(options.format) === undefined) {
    throw new StoreQueryError(`openStore: format must be one of ${Object.values(STORE_FORMATS).join(', ')}`)
  }
  if (options.maxOutbox !== undefined && (!Number.isSafeInteger(options.maxOutbox) || options.maxOutbox < 1)) {
    throw new StoreQueryError('openStore: maxOutbox must be a positive integer')
  }
  const bits = options.idFilterBits
  if (bits !== undefined && (!Number.isSafeInteger(bits) || bits < MIN_ID_FILTER_BITS || bits > MAX_ID_FILTER_BITS || (bits & (bits - 1)) !== 0)) {
    throw new StoreQueryError('openStore: idFilterBits must be a power of two from 2^9 to 2^24')
  }
  for (const [name, value] of Object.entries(options.journal ?? {})) {
    if (!JOURNAL_BOUNDS.has(name)) throw new StoreQueryError(`openStore: journal.${name} is not a journal bound (${[...JOURNAL_BOUNDS].join(', ')})`)
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) throw new StoreQueryError(`openStore: journal.${name} must be a positive integer`)
  }
}

function cipherOf (format: number): ValueCipherName | undefined {
  return (Object.keys(STORE_FORMATS) as ValueCipherName[]).find(name => STORE_FORMATS[name] === format)
}

/**
 * The check value, opened with the cipher of whichever format sealed it (the
 * context is left using that cipher); undefined in a new database. Throws
 * the first `StoreCorruptionError` when no cipher opens it: another storage key.
 */
async function readCheck (ctx: StoreContext, check: Bucket): Promise<FormatCheck | undefined> {
  const first = ctx.cipher
  try {
    return await check.getJson<FormatCheck>(CHECK)
  } catch (err) {
    if (!(err instanceof StoreCorruptionError)) throw err
    for (const other of Object.keys(STORE_FORMATS) as ValueCipherName[]) {
      if (other === first) continue
      ctx.useCipher(other)
      const found = await check.getJson<FormatCheck>(CHECK).catch(() => undefined)
      if (found !== undefined) return found
    }
    ctx.useCipher(first)
    throw err
  }
}

/**
 * Open (or create) the store at `path`. Throws `StoreCorruptionError` when
 * the database was written under another storage key, or in a format this
 * version does not know.
 */
export async function openStore (options: StoreOptions): Promise<Store> {
  checkOptions(options)
  // no Snappy: every value is ciphertext, which does not compress, and LevelDB would try each
  // block at every flush and compaction (8 % of each side's CPU in the dm bench); keys are
  // prefix-compressed within blocks either way, and blocks written compressed still read
  const db = new Level<string, Uint8Array>(options.path, { keyEncoding: 'utf8', valueEncoding: 'view', compression: false })
  const ctx = new StoreContext(db, options.storageKey, options.now ?? Date.now, cipherOf(options.format ?? STORE_FORMAT_VERSION)!, { path: join(options.path, JOURNAL_FILE), ...options.journal })
  const store = new LevelStore(ctx, options.maxOutbox ?? MAX_OUTBOX, options.maxEvents ?? MAX_EVENTS, options.eventLog ?? true, options.mailbox, options.archive, options.idFilterBits)
  const check = ctx.bucket(STORE)
  try {
    await ctx.ready()
    // a known value sealed under the key: a wrong key fails here, not at the first read; its cipher tells the format
    const found = await readCheck(ctx, check)
    if (found === undefined) {
      await ctx.write([check.putJson(CHECK, { format: STORE_FORMATS[ctx.cipher] } satisfies FormatCheck)])
    } else if (found.format !== STORE_FORMATS[ctx.cipher]) {
      throw new StoreCorruptionError(STORE, CHECK, `unknown format ${String(found.format)}`)
    }
    await store.messages.load()
    await store.outbox.load()
    await store.mailbox.load()
    await store.dens.load()
    await store.events.load()
    // not awaited: a store of many ids opens at once, and reads LevelDB until its filters are full
    store.replay.startFilter()
    store.messages.startFilter()
    return store
  } catch (err) {
    await ctx.close()
    throw err
  }
}
