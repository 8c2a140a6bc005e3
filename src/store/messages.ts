/**
 * Messages, incoming and outgoing, with the indexes the API pages through.
 *
 * Every message gets a sequence number when it is put: insertion order,
 * which is sending order for outgoing and arrival order for incoming
 * messages. The indexes are keyed by it.
 *
 * Keys (sublevel `messages`):
 * - `m \0 messageId` → sealed record (with its sequence number)
 * - `c \0 conversationId \0 seq \0 messageId` → empty (history)
 * - `i \0 seq \0 messageId` → empty (inbox: incoming messages)
 * - `u \0 seq \0 messageId` → empty (incoming messages not read yet)
 * - `n` → sealed sequence reservation (see `Sequence`)
 */
import { MESSAGE_CACHE_SIZE } from './constants.js'
import { StoreQueryError } from './errors.js'
import { StoredIds } from './id-filter.js'
import { joinKey, keyPart, lastPart, padNumber, padTime, splitKey, under } from './keys.js'
import { checkLimit, checkOffset, checkOptionalString, checkTime } from './query.js'
import { Sequence } from './sequence.js'
import type { LevelConversationStore } from './conversations.js'
import type { Bucket, Built, StoreContext, StoreOp, Tx } from './context.js'

export type DeliveryStatus = 'queued' | 'sent' | 'relayed' | 'delivered' | 'read' | 'processed' | 'failed'

export type MessageDirection = 'in' | 'out'

export interface MessageTask {
  taskId: string
  deadline?: number
  idempotencyKey?: string
  state?: string
  skill?: string
}

export interface MessageRecord {
  /** 32 lowercase hex characters: the 16-byte envelope id */
  messageId: string
  conversationId: string
  direction: MessageDirection
  /** peer id (base58btc) */
  from: string
  to: string
  /** body type: text, markdown, json, file-url, media, task-request, task-response */
  type: string
  content?: string
  payload?: unknown
  metadata?: Record<string, unknown>
  replyTo?: string
  /** ms since the epoch */
  sentAt: number
  receivedAt?: number
  expiresAt?: number
  read: boolean
  status: DeliveryStatus
  /** why it failed */
  statusReason?: string
  task?: MessageTask
}

export interface InboxOptions {
  /**
   * 1..500
   * @default 50
   */
  limit?: number
  /** @default 0 */
  offset?: number
  /**
   * only messages not read yet
   * @default false
   */
  unread?: boolean
}

export interface InboxPage {
  /** newest first */
  messages: MessageRecord[]
  /** how many messages match, over all pages */
  total: number
}

export interface HistoryOptions {
  /** a messageId of this conversation: the page ends just before it; the newest page when absent */
  before?: string
  /**
   * 1..500
   * @default 50
   */
  limit?: number
}

export interface HistoryPage {
  /** oldest first */
  messages: MessageRecord[]
  /** messages in the conversation */
  total: number
  /** whether older messages exist before this page */
  hasMore: boolean
}

export interface MessageStore {
  /**
   * Insert a message with its indexes and touch its conversation; nothing
   * (an empty list) when the id is already stored. Reads: call inside
   * `store.write(async () => ...)`. `fresh`: the caller made the id itself
   * just now (the id of an envelope it sealed, a hash over a fresh nonce),
   * so it cannot be stored already: the lookup is skipped. A LevelDB read
   * that misses costs ~13 µs of the sender's main thread per message.
   */
  putOps(record: MessageRecord, options?: { fresh?: boolean }): Promise<StoreOp[]>
  /** false when the id was already stored */
  put(record: MessageRecord): Promise<boolean>
  get(messageId: string): Promise<MessageRecord | undefined>
  /** The record and its position in this store's order (history, inbox): what a history archive keeps. */
  getOrdered(messageId: string): Promise<{ record: MessageRecord, seq: number } | undefined>
  has(messageId: string): Promise<boolean>
  /**
   * Move the delivery status forward: queued < sent < relayed < delivered <
   * read < processed; `failed` only from queued, sent or relayed, and a
   * failed message still moves to delivered, read or processed when proof of
   * delivery arrives. Returns the updated record, `false` when the change is
   * not allowed or changes nothing (nothing is written), `undefined` for an
   * unknown message.
   *
   * `sent` (written to a stream, no ack yet) is kept in memory, not written:
   * reads see it, but after a restart the message reads `queued` until it is
   * sent again. It is the one state a crash may lose without harm (the
   * outbox sends the message again), and writing it rewrote the whole record
   * between `queued` and `delivered`. At most the store's `maxOutbox` such
   * states are held (the outbox's own bound on messages waiting for an ack);
   * past that, `sent` is written like any other.
   */
  setStatus(messageId: string, status: DeliveryStatus, reason?: string): Promise<MessageRecord | false | undefined>
  setStatusOps(messageId: string, status: DeliveryStatus, reason?: string): Promise<Built<MessageRecord | false | undefined>>
  /**
   * Mark an incoming message read and take it off its conversation's unread
   * count. true when the message is (now, or already) read; false for an
   * unknown or outgoing message. Idempotent: a second call writes nothing.
   */
  markRead(messageId: string): Promise<boolean>
  markReadOps(messageId: string): Promise<Built<boolean>>
  /** Incoming messages, newest first. */
  inbox(options?: InboxOptions): Promise<InboxPage>
  /** One page of a conversation, oldest first within the page. */
  history(conversationId: string, options?: HistoryOptions): Promise<HistoryPage>
  /** Delete a conversation: its messages, their indexes and its record. */
  deleteConversationOps(conversationId: string): Promise<StoreOp[]>
  /**
   * Inside `store.write(async () => ...)`: remove the messages whose
   * `expiresAt` is at or before `now` (soonest first, at most `limit`); the
   * records removed.
   */
  expireOps(now: number, limit?: number): Promise<Built<MessageRecord[]>>
  /** The soonest `expiresAt` of a stored message, if any carries one. */
  nextExpiry(): Promise<number | undefined>
  /** Inside `store.write(async () => ...)`: remove one message and its index entries (an unread one leaves the unread count); the record removed. */
  deleteOps(messageId: string): Promise<Built<MessageRecord | undefined>>
  /** The number of messages deleted. */
  deleteConversation(conversationId: string): Promise<number>
}

interface StoredMessage extends MessageRecord {
  seq: number
}

const RECORD = 'm'
const CONVERSATION = 'c'
const INBOX = 'i'
const UNREAD = 'u'
const SEQUENCE = 'n'
/** `x \0 expiresAt \0 messageId`: messages that carry an expiry, soonest first */
const EXPIRY = 'x'

const MESSAGE_ID = /^[0-9a-f]{32}$/

const STATUS_RANK: Readonly<Record<DeliveryStatus, number>> = {
  queued: 0,
  sent: 1,
  relayed: 2,
  delivered: 3,
  read: 4,
  processed: 5,
  failed: -1
}

function isStatus (value: unknown): value is DeliveryStatus {
  return typeof value === 'string' && Object.hasOwn(STATUS_RANK, value)
}

/** The delivery state machine of DESIGN.md §5: only ever forward. */
export function statusTransitionAllowed (from: DeliveryStatus, to: DeliveryStatus): boolean {
  if (from === to) return false
  if (to === 'failed') return from === 'queued' || from === 'sent' || from === 'relayed'
  // an ack or receipt is proof of delivery, whatever the sender had concluded
  if (from === 'failed') return STATUS_RANK[to] >= STATUS_RANK.delivered
  return STATUS_RANK[to] > STATUS_RANK[from]
}

/**
 * Whether a record is worth keeping in memory once written: an outgoing
 * message that still waits for its ack, which will change its status.
 */
function awaitsAck (record: MessageRecord): boolean {
  return record.direction === 'out' && record.status !== 'failed' && STATUS_RANK[record.status] < STATUS_RANK.delivered
}

function recordKey (messageId: string): string {
  return joinKey(RECORD, messageId)
}

function isMessageId (value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_ID.test(value)
}

function optionalTime (value: unknown, what: string): number | undefined {
  return value === undefined ? undefined : checkTime(value, what)
}

function nonEmpty (value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new StoreQueryError(`messages: ${what} must be a non-empty string`)
  return value
}

/** A copy of the record with its known fields only, checked; undefined fields left out. */
function checkRecord (record: MessageRecord): MessageRecord {
  if (typeof record !== 'object' || record === null) throw new StoreQueryError('messages: record must be an object')
  if (!isMessageId(record.messageId)) throw new StoreQueryError('messages: messageId must be 32 lowercase hex characters')
  keyPart(record.conversationId, 'conversationId')
  if (record.direction !== 'in' && record.direction !== 'out') throw new StoreQueryError('messages: direction must be in or out')
  if (typeof record.read !== 'boolean') throw new StoreQueryError('messages: read must be a boolean')
  if (!isStatus(record.status)) throw new StoreQueryError('messages: unknown status')
  if (record.metadata !== undefined && (typeof record.metadata !== 'object' || record.metadata === null || Array.isArray(record.metadata))) {
    throw new StoreQueryError('messages: metadata must be an object')
  }
  if (record.task !== undefined) {
    if (typeof record.task !== 'object' || record.task === null) throw new StoreQueryError('messages: task must be an object')
    nonEmpty(record.task.taskId, 'task.taskId')
  }
  const out: MessageRecord = {
    messageId: record.messageId,
    conversationId: record.conversationId,
    direction: record.direction,
    from: keyPart(record.from, 'from'),
    to: keyPart(record.to, 'to'),
    type: nonEmpty(record.type, 'type'),
    content: checkOptionalString(record.content, 'content'),
    payload: record.payload,
    metadata: record.metadata,
    replyTo: checkOptionalString(record.replyTo, 'replyTo'),
    sentAt: checkTime(record.sentAt, 'sentAt'),
    receivedAt: optionalTime(record.receivedAt, 'receivedAt'),
    expiresAt: optionalTime(record.expiresAt, 'expiresAt'),
    read: record.read,
    status: record.status,
    statusReason: checkOptionalString(record.statusReason, 'statusReason'),
    task: record.task === undefined ? undefined : { ...record.task }
  }
  for (const key of Object.keys(out) as Array<keyof MessageRecord>) {
    if (out[key] === undefined) delete out[key]
  }
  return out
}

function toRecord (stored: StoredMessage): MessageRecord {
  const { seq: _, ...record } = stored
  return record
}

export class LevelMessageStore implements MessageStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket
  readonly #conversations: LevelConversationStore
  readonly #sequence: Sequence
  /** every message id ever put (since open, and on disk once filled): `putOps` skips its lookup for a new one */
  readonly #ids: StoredIds
  /** Messages whose `sent` is held in memory (stored as `queued`), at most `#maxSent`. */
  readonly #sent = new Set<string>()
  readonly #maxSent: number

  /** `maxSentInMemory`: the bound on `sent` states held in memory only (the outbox's size is a natural one). */
  constructor (ctx: StoreContext, conversations: LevelConversationStore, maxSentInMemory: number, idFilterBits?: number) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('messages', { cacheSize: MESSAGE_CACHE_SIZE })
    this.#ids = new StoredIds(this.#bucket, RECORD, idFilterBits)
    this.#conversations = conversations
    this.#sequence = new Sequence(ctx, this.#bucket, SEQUENCE)
    this.#maxSent = maxSentInMemory
  }

  /** @internal */
  async load (): Promise<void> {
    await this.#sequence.load()
  }

  /** @internal Read the message ids on disk into the filter, in the background (`putOps` and `has` use it once they are all in). */
  startFilter (): void {
    this.#ids.fill()
  }

  /** @internal Settles once the filter holds every message id on disk (or filling it stopped). */
  get filtered (): Promise<void> {
    return this.#ids.filled
  }

  async putOps (input: MessageRecord, options: { fresh?: boolean } = {}): Promise<StoreOp[]> {
    this.#ctx.requireTx('messages.putOps')
    const record = checkRecord(input)
    const id = record.messageId
    // a new id (the usual case) is ruled out by the filter without a LevelDB read
    if (options.fresh !== true && await this.#ids.has(id)) return []
    const { seq, ops } = this.#sequence.take('messages.putOps')
    // from now on, whether or not this write commits: the filter never rules out a stored id
    this.#ids.add(id)
    const padded = padNumber(seq)
    const incoming = record.direction === 'in'
    ops.push(
      this.#bucket.putJson(recordKey(id), { ...record, seq } satisfies StoredMessage, awaitsAck(record)),
      this.#bucket.index(joinKey(CONVERSATION, record.conversationId, padded, id))
    )
    if (incoming) {
      ops.push(this.#bucket.index(joinKey(INBOX, padded, id)))
      if (!record.read) ops.push(this.#bucket.index(joinKey(UNREAD, padded, id)))
    }
    if (record.expiresAt !== undefined) ops.push(this.#bucket.index(joinKey(EXPIRY, padTime(record.expiresAt), id)))
    ops.push(...await this.#conversations.touchOps({
      conversationId: record.conversationId,
      peer: incoming ? record.from : record.to,
      at: incoming ? (record.receivedAt ?? record.sentAt) : record.sentAt,
      incoming,
      unread: incoming && !record.read
    }))
    return ops
  }

  async put (record: MessageRecord): Promise<boolean> {
    return await this.#ctx.transact(async () => {
      const ops = await this.putOps(record)
      return { ops, result: ops.length > 0 }
    })
  }

  async get (messageId: string): Promise<MessageRecord | undefined> {
    const stored = await this.#read(messageId)
    return stored === undefined ? undefined : toRecord(stored)
  }

  async getOrdered (messageId: string): Promise<{ record: MessageRecord, seq: number } | undefined> {
    const stored = await this.#read(messageId)
    return stored === undefined ? undefined : { record: toRecord(stored), seq: stored.seq }
  }

  async has (messageId: string): Promise<boolean> {
    if (!isMessageId(messageId)) return false
    return await this.#ids.has(messageId)
  }

  async setStatus (messageId: string, status: DeliveryStatus, reason?: string): Promise<MessageRecord | false | undefined> {
    return await this.#ctx.transact(async () => await this.setStatusOps(messageId, status, reason))
  }

  async setStatusOps (messageId: string, status: DeliveryStatus, reason?: string): Promise<Built<MessageRecord | false | undefined>> {
    const tx = this.#ctx.requireTx('messages.setStatusOps')
    if (!isStatus(status)) throw new StoreQueryError('messages: unknown status')
    checkOptionalString(reason, 'reason')
    const stored = await this.#read(messageId)
    if (stored === undefined) return { ops: [], result: undefined }
    if (!statusTransitionAllowed(stored.status, status)) return { ops: [], result: false }
    const { statusReason: _, ...rest } = stored
    const next: StoredMessage = status === 'failed' && reason !== undefined ? { ...rest, status, statusReason: reason } : { ...rest, status }
    if (status === 'sent' && stored.status === 'queued' && this.#sent.size + (this.#pending(tx)?.size ?? 0) < this.#maxSent) {
      // what is stored stays `queued`; reads see `sent` from here on (see MessageStore.setStatusOps)
      this.#holdSent(tx, messageId)
      return { ops: [], result: toRecord(next) }
    }
    this.#forgetSent(tx, messageId)
    return { ops: [this.#bucket.putJson(recordKey(messageId), next, awaitsAck(next))], result: toRecord(next) }
  }

  /** Message ids `tx` moved to `sent` in memory: they join `#sent` when it commits. */
  #pending (tx: Tx | undefined): Set<string> | undefined {
    return tx?.scratch.get(this) as Set<string> | undefined
  }

  #holdSent (tx: Tx, messageId: string): void {
    let pending = this.#pending(tx)
    if (pending === undefined) {
      const created = pending = new Set<string>()
      tx.scratch.set(this, created)
      tx.afterCommit.push(() => { for (const id of created) this.#sent.add(id) })
    }
    pending.add(messageId)
  }

  /** The record is written or deleted by `tx`: its `sent` in memory goes when it commits. */
  #forgetSent (tx: Tx, messageId: string): void {
    this.#pending(tx)?.delete(messageId)
    if (this.#sent.has(messageId)) tx.afterCommit.push(() => { this.#sent.delete(messageId) })
  }

  /** The record as reads see it: `sent` when that is held in memory (this write's own first). */
  #view (stored: StoredMessage): StoredMessage {
    if (stored.status !== 'queued') return stored
    const id = stored.messageId
    return this.#sent.has(id) || this.#pending(this.#ctx.currentTx())?.has(id) === true ? { ...stored, status: 'sent' } : stored
  }

  async markRead (messageId: string): Promise<boolean> {
    return await this.#ctx.transact(async () => await this.markReadOps(messageId))
  }

  async markReadOps (messageId: string): Promise<Built<boolean>> {
    this.#ctx.requireTx('messages.markReadOps')
    const stored = await this.#read(messageId)
    if (stored === undefined || stored.direction !== 'in') return { ops: [], result: false }
    if (stored.read) return { ops: [], result: true }
    const ops = [
      this.#bucket.putJson(recordKey(messageId), { ...stored, read: true } satisfies StoredMessage, false),
      this.#bucket.del(joinKey(UNREAD, padNumber(stored.seq), messageId)),
      ...await this.#conversations.unreadOps(stored.conversationId, -1)
    ]
    return { ops, result: true }
  }

  async inbox (options: InboxOptions = {}): Promise<InboxPage> {
    const limit = checkLimit(options.limit)
    const offset = checkOffset(options.offset)
    if (options.unread !== undefined && typeof options.unread !== 'boolean') throw new StoreQueryError('messages: unread must be a boolean')
    const range = under(options.unread === true ? UNREAD : INBOX)
    const [keys, total] = await Promise.all([
      this.#bucket.keys({ ...range, reverse: true, limit: offset + limit }),
      this.#bucket.count(range)
    ])
    return { messages: await this.#records(keys.slice(offset).map(lastPart)), total }
  }

  async history (conversationId: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    keyPart(conversationId, 'conversationId')
    const limit = checkLimit(options.limit)
    const range = under(CONVERSATION, conversationId)
    let lt = range.lt
    if (options.before !== undefined) {
      const before = await this.#read(options.before)
      if (before === undefined || before.conversationId !== conversationId) {
        throw new StoreQueryError('messages: before is not a message of this conversation')
      }
      lt = joinKey(CONVERSATION, conversationId, padNumber(before.seq))
    }
    const [keys, total] = await Promise.all([
      this.#bucket.keys({ gte: range.gte, lt, reverse: true, limit: limit + 1 }),
      this.#bucket.count(range)
    ])
    const page = keys.slice(0, limit).reverse()
    return { messages: await this.#records(page.map(lastPart)), total, hasMore: keys.length > limit }
  }

  async deleteConversationOps (conversationId: string): Promise<StoreOp[]> {
    const tx = this.#ctx.requireTx('messages.deleteConversationOps')
    keyPart(conversationId, 'conversationId')
    const ops: StoreOp[] = []
    for (const key of await this.#bucket.keys(under(CONVERSATION, conversationId))) {
      // c \0 conversationId \0 seq \0 messageId: every index key of the message follows from it
      const parts = splitKey(key)
      const seq = parts[parts.length - 2]!
      const id = parts[parts.length - 1]!
      this.#forgetSent(tx, id)
      ops.push(
        this.#bucket.del(key),
        this.#bucket.del(recordKey(id)),
        this.#bucket.del(joinKey(INBOX, seq, id)),
        this.#bucket.del(joinKey(UNREAD, seq, id))
      )
    }
    ops.push(...await this.#conversations.deleteOps(conversationId))
    return ops
  }

  async deleteConversation (conversationId: string): Promise<number> {
    return await this.#ctx.transact(async () => {
      const ops = await this.deleteConversationOps(conversationId)
      return { ops, result: ops.filter(op => op.sublevel === this.#bucket.sublevel && op.key.startsWith(RECORD + '\0')).length }
    })
  }

  async nextExpiry (): Promise<number | undefined> {
    const [key] = await this.#bucket.keys({ ...under(EXPIRY), limit: 1 })
    return key === undefined ? undefined : Number(splitKey(key)[1])
  }

  async expireOps (now: number, limit = 500): Promise<Built<MessageRecord[]>> {
    this.#ctx.requireTx('messages.expireOps')
    const keys = await this.#bucket.keys({ gte: under(EXPIRY).gte, lt: joinKey(EXPIRY, padTime(now + 1)), limit })
    const ops: StoreOp[] = []
    const removed: MessageRecord[] = []
    for (const key of keys) {
      const deleted = await this.deleteOps(lastPart(key))
      ops.push(...deleted.ops)
      if (deleted.result !== undefined) removed.push(deleted.result)
      // an entry whose message went with its conversation goes too
      else ops.push(this.#bucket.del(key))
    }
    return { ops, result: removed }
  }

  async deleteOps (messageId: string): Promise<Built<MessageRecord | undefined>> {
    const tx = this.#ctx.requireTx('messages.deleteOps')
    const stored = await this.#read(messageId)
    if (stored === undefined) return { ops: [], result: undefined }
    this.#forgetSent(tx, messageId)
    const padded = padNumber(stored.seq)
    const ops = [
      this.#bucket.del(recordKey(messageId)),
      this.#bucket.del(joinKey(CONVERSATION, stored.conversationId, padded, messageId)),
      this.#bucket.del(joinKey(INBOX, padded, messageId)),
      this.#bucket.del(joinKey(UNREAD, padded, messageId))
    ]
    if (stored.expiresAt !== undefined) ops.push(this.#bucket.del(joinKey(EXPIRY, padTime(stored.expiresAt), messageId)))
    if (stored.direction === 'in' && !stored.read) ops.push(...await this.#conversations.unreadOps(stored.conversationId, -1))
    return { ops, result: toRecord(stored) }
  }

  async #read (messageId: string): Promise<StoredMessage | undefined> {
    if (!isMessageId(messageId)) return undefined
    const stored = await this.#bucket.getJson<StoredMessage>(recordKey(messageId))
    return stored === undefined ? undefined : this.#view(stored)
  }

  async #records (ids: string[]): Promise<MessageRecord[]> {
    const stored = await this.#bucket.getManyJson<StoredMessage>(ids.map(recordKey))
    // an index entry read just before a concurrent delete removed its record
    return stored.filter((s): s is StoredMessage => s !== undefined).map(s => toRecord(this.#view(s)))
  }
}
