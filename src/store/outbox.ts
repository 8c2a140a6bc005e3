/**
 * Sealed envelopes waiting for an ack (DESIGN.md §5), in enqueue order per
 * recipient, with the time of each one's next attempt.
 *
 * Keys (sublevel `outbox`):
 * - `m \0 messageId` → sealed entry: format byte 1, u32be length of a JSON header (every
 *   field but the envelope, with the sequence number), the header, the envelope's bytes.
 *   Entries written before this layout are JSON with the envelope in base64; they still read.
 * - `p \0 to \0 seq \0 messageId \0 nextAttemptAt` → empty: per-recipient order, and
 *   everything the in-memory index needs, so it loads from these keys alone
 * - `n` → sealed sequence reservation (see `Sequence`)
 *
 * Two keys an entry: one put each when it is queued, one delete each when it
 * is acked. Stores written before this layout kept the time in a third key,
 * `d \0 nextAttemptAt \0 seq \0 messageId`, beside `p \0 to \0 seq \0 messageId`;
 * `load` rewrites them into this layout in one batch.
 */
import { transientBytes, transientUtf8 } from '../crypto/transient-bytes.js'
import { checkBytes, fromBase64 } from './encoding.js'
import { OutboxFullError, StoreCorruptionError, StoreQueryError } from './errors.js'
import { joinKey, keyPart, padNumber, padTime, splitKey, under } from './keys.js'
import { checkOptionalString, checkTime } from './query.js'
import { Sequence } from './sequence.js'
import type { Bucket, Built, StoreContext, StoreOp } from './context.js'

export interface OutboxEntry {
  messageId: string
  /** recipient peer id */
  to: string
  /** the sealed, signed envelope as it goes on the wire */
  envelope: Uint8Array
  /** ms since the epoch */
  createdAt: number
  attempts: number
  nextAttemptAt: number
  lastError?: string
}

export interface OutboxEnqueue {
  messageId: string
  to: string
  envelope: Uint8Array
  /** @default now */
  createdAt?: number
  /** @default 0 */
  attempts?: number
  /** @default createdAt */
  nextAttemptAt?: number
}

export interface OutboxAttempt {
  /** when to try again, ms */
  nextAttemptAt: number
  /** why this attempt failed; an absent error keeps the previous one */
  error?: string
}

export interface OutboxStore {
  /**
   * Queue an envelope behind the recipient's earlier ones; nothing (an empty
   * list) when the id is already queued. Throws `OutboxFullError` at the
   * store's bound. Inside `store.write(async () => ...)`.
   */
  enqueueOps(entry: OutboxEnqueue): Promise<StoreOp[]>
  /** false when the id was already queued */
  enqueue(entry: OutboxEnqueue): Promise<boolean>
  /** Inside `store.write(async () => ...)`; an empty list for an id not queued. */
  removeOps(messageId: string): Promise<StoreOp[]>
  /** false when the id was not queued */
  remove(messageId: string): Promise<boolean>
  get(messageId: string): Promise<OutboxEntry | undefined>
  /** A recipient's entries, in enqueue order. */
  forPeer(peerId: string): Promise<OutboxEntry[]>
  /** Recipients with entries, by peer id. */
  peers(): Promise<string[]>
  /**
   * Entries with `nextAttemptAt <= now`, in enqueue order (the first `limit`
   * of them when given). An entry not due holds back nothing: per-recipient
   * order across retries is the caller's to keep (`forPeer`).
   */
  due(now: number, limit?: number): Promise<OutboxEntry[]>
  /** Count an attempt and schedule the next; the updated entry, undefined when not queued. */
  recordAttempt(messageId: string, attempt: OutboxAttempt): Promise<OutboxEntry | undefined>
  recordAttemptOps(messageId: string, attempt: OutboxAttempt): Promise<Built<OutboxEntry | undefined>>
  size(): Promise<number>
}

interface StoredEntry {
  messageId: string
  to: string
  envelope: Uint8Array
  createdAt: number
  attempts: number
  nextAttemptAt: number
  lastError?: string
  seq: number
}

/** The first byte of an entry's value in the binary layout; a JSON entry of the earlier one starts with `{`. */
const ENTRY_FORMAT = 1
const JSON_START = 0x7b
/** format byte + u32 header length */
const ENTRY_PREFIX = 5

/**
 * An entry's value: the envelope as raw bytes after a JSON header, not as
 * base64 inside the JSON (a fifth smaller sealed, and no base64 either way).
 */
function encodeEntry (entry: StoredEntry): Uint8Array {
  const { envelope, ...header } = entry
  const head = transientUtf8(JSON.stringify(header))
  const value = transientBytes(ENTRY_PREFIX + head.length + envelope.length)
  value[0] = ENTRY_FORMAT
  new DataView(value.buffer, value.byteOffset, value.byteLength).setUint32(1, head.length)
  value.set(head, ENTRY_PREFIX)
  value.set(envelope, ENTRY_PREFIX + head.length)
  return value
}

/** Either layout; the envelope is a copy (the plaintext may be wiped or shared). */
function decodeEntry (bucket: Bucket, key: string, plaintext: Uint8Array): StoredEntry {
  if (plaintext[0] === JSON_START) {
    const legacy = bucket.decodeJson<Omit<StoredEntry, 'envelope'> & { envelope: unknown }>(key, plaintext)
    return { ...legacy, envelope: fromBase64(legacy.envelope, bucket.name, key) }
  }
  if (plaintext[0] !== ENTRY_FORMAT || plaintext.length < ENTRY_PREFIX) throw new StoreCorruptionError(bucket.name, key, 'not an outbox entry')
  const end = ENTRY_PREFIX + new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).getUint32(1)
  if (end > plaintext.length) throw new StoreCorruptionError(bucket.name, key, 'outbox entry: its header runs past the value')
  const header = bucket.decodeJson<Omit<StoredEntry, 'envelope'>>(key, plaintext.subarray(ENTRY_PREFIX, end))
  return { ...header, envelope: plaintext.slice(end) }
}

const RECORD = 'm'
const PEER = 'p'
/** the due index of the earlier layout (see the header) */
const LEGACY_DUE = 'd'
const SEQUENCE = 'n'

function recordKey (messageId: string): string {
  return joinKey(RECORD, messageId)
}

function peerKey (s: Pick<StoredEntry, 'to' | 'seq' | 'messageId' | 'nextAttemptAt'>): string {
  return joinKey(PEER, s.to, padNumber(s.seq), s.messageId, padTime(s.nextAttemptAt))
}

function checkAttempts (value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new StoreQueryError('outbox: attempts must be a non-negative integer')
  return value
}

/** Where an entry's index keys are: all that removing it needs. */
interface EntryKeys {
  to: string
  seq: number
  nextAttemptAt: number
}

export class LevelOutboxStore implements OutboxStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket
  readonly #sequence: Sequence
  readonly #max: number
  /**
   * The index keys of every committed entry, by message id (at most `max`):
   * loaded at open from the index keys alone, moved by commits. An ack
   * removes its entry without reading and decrypting it, and a put checks
   * for a duplicate without a disk read.
   */
  readonly #index = new Map<string, EntryKeys>()
  /** `decodeEntry` for this bucket, as the bucket's decoding reads take it */
  readonly #decodeEntry = (key: string, plaintext: Uint8Array): StoredEntry => decodeEntry(this.#bucket, key, plaintext)

  constructor (ctx: StoreContext, max: number) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('outbox')
    this.#sequence = new Sequence(ctx, this.#bucket, SEQUENCE)
    this.#max = max
  }

  /** @internal */
  async load (): Promise<void> {
    await this.#sequence.load()
    this.#index.clear()
    // the earlier layout: d \0 nextAttemptAt \0 seq \0 messageId beside p \0 to \0 seq \0 messageId
    const legacyDue = new Map<string, number>()
    const rewrite: StoreOp[] = []
    for (const key of await this.#bucket.keys(under(LEGACY_DUE))) {
      const parts = splitKey(key)
      legacyDue.set(parts[3]!, Number(parts[1]))
      rewrite.push(this.#bucket.del(key))
    }
    for (const key of await this.#bucket.keys(under(PEER))) {
      const parts = splitKey(key)
      const [, to, seq, messageId] = parts as [string, string, string, string]
      let nextAttemptAt = Number(parts[4])
      if (parts.length === 4) {
        const legacy = legacyDue.get(messageId)
        // an entry without its time was never indexed: left as it was
        if (legacy === undefined) continue
        nextAttemptAt = legacy
        const keys = { to, seq: Number(seq), nextAttemptAt }
        rewrite.push(this.#bucket.del(key), this.#bucket.index(peerKey({ messageId, ...keys })))
      }
      this.#index.set(messageId, { to, seq: Number(seq), nextAttemptAt })
    }
    if (rewrite.length > 0) await this.#ctx.write(rewrite)
  }

  /** The entry's index keys as this write sees them: its own writes first, then what is committed. */
  async #keysOf (messageId: string): Promise<EntryKeys | undefined> {
    const pending = this.#bucket.pending(recordKey(messageId))
    if (pending === null) return undefined
    if (pending === undefined) return this.#index.get(messageId)
    const stored = decodeEntry(this.#bucket, recordKey(messageId), pending)
    return { to: stored.to, seq: stored.seq, nextAttemptAt: stored.nextAttemptAt }
  }

  async enqueueOps (entry: OutboxEnqueue): Promise<StoreOp[]> {
    const tx = this.#ctx.requireTx('outbox.enqueueOps')
    const messageId = keyPart(entry.messageId, 'messageId')
    const to = keyPart(entry.to, 'to')
    const envelope = checkBytes(entry.envelope, 'envelope')
    const createdAt = entry.createdAt === undefined ? this.#ctx.now() : checkTime(entry.createdAt, 'createdAt')
    const attempts = checkAttempts(entry.attempts ?? 0)
    const nextAttemptAt = entry.nextAttemptAt === undefined ? createdAt : checkTime(entry.nextAttemptAt, 'nextAttemptAt')
    if (await this.#keysOf(messageId) !== undefined) return []
    const pending = (tx.scratch.get(this) as number | undefined) ?? 0
    if (this.#index.size + pending >= this.#max) throw new OutboxFullError(this.#max)
    tx.scratch.set(this, pending + 1)

    const { seq, ops } = this.#sequence.take('outbox.enqueueOps')
    tx.afterCommit.push(() => { this.#index.set(messageId, { to, seq, nextAttemptAt }) })
    const stored: StoredEntry = { messageId, to, envelope, createdAt, attempts, nextAttemptAt, seq }
    ops.push(this.#bucket.put(recordKey(messageId), encodeEntry(stored), true), this.#bucket.index(peerKey(stored)))
    return ops
  }

  async enqueue (entry: OutboxEnqueue): Promise<boolean> {
    return await this.#ctx.transact(async () => {
      const ops = await this.enqueueOps(entry)
      return { ops, result: ops.length > 0 }
    })
  }

  async removeOps (messageId: string): Promise<StoreOp[]> {
    const tx = this.#ctx.requireTx('outbox.removeOps')
    keyPart(messageId, 'messageId')
    const keys = await this.#keysOf(messageId)
    if (keys === undefined) return []
    tx.scratch.set(this, ((tx.scratch.get(this) as number | undefined) ?? 0) - 1)
    tx.afterCommit.push(() => { this.#index.delete(messageId) })
    const stored = { messageId, ...keys }
    return [this.#bucket.del(recordKey(messageId)), this.#bucket.del(peerKey(stored))]
  }

  async remove (messageId: string): Promise<boolean> {
    return await this.#ctx.transact(async () => {
      const ops = await this.removeOps(messageId)
      return { ops, result: ops.length > 0 }
    })
  }

  async get (messageId: string): Promise<OutboxEntry | undefined> {
    const stored = await this.#read(messageId)
    return stored === undefined ? undefined : this.#decode(stored)
  }

  async forPeer (peerId: string): Promise<OutboxEntry[]> {
    const keys = await this.#bucket.keys(under(PEER, keyPart(peerId, 'peerId')))
    // p \0 to \0 seq \0 messageId \0 nextAttemptAt
    return await this.#entries(keys.map(key => splitKey(key)[3]!))
  }

  async peers (): Promise<string[]> {
    const peers: string[] = []
    const iterator = await this.#bucket.iterate(under(PEER))
    try {
      for (;;) {
        const key = await iterator.next()
        if (key === undefined) break
        const peer = splitKey(key)[1]!
        peers.push(peer)
        // past every entry of this peer
        iterator.seek(joinKey(PEER, peer) + '\x01')
      }
    } finally {
      await iterator.close()
    }
    return peers
  }

  async due (now: number, limit?: number): Promise<OutboxEntry[]> {
    checkTime(now, 'now')
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new StoreQueryError('outbox: limit must be a positive integer')
    this.#ctx.assertReadable()
    // every committed entry whose time, as its key holds it, is at most floor(now); in enqueue order
    const until = padTime(Math.floor(now))
    const due = [...this.#index].filter(([, keys]) => padTime(keys.nextAttemptAt) <= until).sort(([, a], [, b]) => a.seq - b.seq)
    return await this.#entries(due.slice(0, limit ?? due.length).map(([messageId]) => messageId))
  }

  async recordAttempt (messageId: string, attempt: OutboxAttempt): Promise<OutboxEntry | undefined> {
    return await this.#ctx.transact(async () => await this.recordAttemptOps(messageId, attempt))
  }

  async recordAttemptOps (messageId: string, attempt: OutboxAttempt): Promise<Built<OutboxEntry | undefined>> {
    this.#ctx.requireTx('outbox.recordAttemptOps')
    const nextAttemptAt = checkTime(attempt.nextAttemptAt, 'nextAttemptAt')
    const error = checkOptionalString(attempt.error, 'error')
    const stored = await this.#read(messageId)
    if (stored === undefined) return { ops: [], result: undefined }
    const next: StoredEntry = { ...stored, attempts: stored.attempts + 1, nextAttemptAt }
    if (error !== undefined) next.lastError = error
    const ops = [this.#bucket.put(recordKey(messageId), encodeEntry(next), true)]
    if (peerKey(next) !== peerKey(stored)) ops.push(this.#bucket.del(peerKey(stored)), this.#bucket.index(peerKey(next)))
    this.#ctx.currentTx()!.afterCommit.push(() => { this.#index.set(messageId, { to: next.to, seq: next.seq, nextAttemptAt: next.nextAttemptAt }) })
    return { ops, result: this.#decode(next) }
  }

  async size (): Promise<number> {
    this.#ctx.assertReadable()
    return this.#index.size
  }

  async #read (messageId: string): Promise<StoredEntry | undefined> {
    return await this.#bucket.getDecoded(recordKey(keyPart(messageId, 'messageId')), this.#decodeEntry)
  }

  async #entries (ids: string[]): Promise<OutboxEntry[]> {
    const stored = await this.#bucket.getManyDecoded(ids.map(recordKey), this.#decodeEntry)
    // an index entry read just before a concurrent remove took its record
    return stored.filter((s): s is StoredEntry => s !== undefined).map(s => this.#decode(s))
  }

  #decode (s: StoredEntry): OutboxEntry {
    const entry: OutboxEntry = {
      messageId: s.messageId,
      to: s.to,
      envelope: s.envelope,
      createdAt: s.createdAt,
      attempts: s.attempts,
      nextAttemptAt: s.nextAttemptAt
    }
    if (s.lastError !== undefined) entry.lastError = s.lastError
    return entry
  }
}
