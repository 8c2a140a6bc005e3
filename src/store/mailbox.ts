/**
 * A relay's mailboxes: envelopes held for recipients that were offline
 * (DESIGN.md §6), in deposit order, each until its recipient acks it or it
 * expires.
 *
 * Keys (sublevel `mailbox`):
 * - `m \0 recipient \0 seq` → sealed `id (16 bytes) || envelope` (fetch order = deposit order)
 * - `i \0 recipient \0 id` → sealed `{ seq, at, size }` (ack by id, duplicate check)
 * - `t \0 at \0 recipient \0 seq` → empty (time index: a purge reads only what it removes)
 * - `q \0 recipient` → sealed `{ count, bytes }` (the quota, kept in step in the same batch)
 * - `n` → the sequence reservation
 */
import { concatBytes, toHex } from '../crypto/bytes.js'
import { MAILBOX_MAX_BYTES, MAILBOX_MAX_ENVELOPES, MAILBOX_TTL, MAX_FETCH_LIMIT } from './constants.js'
import { MailboxFullError, StoreCorruptionError, StoreQueryError } from './errors.js'
import { joinKey, keyPart, padNumber, padTime, splitKey, under } from './keys.js'
import { checkTime } from './query.js'
import { Sequence } from './sequence.js'
import type { Bucket, Built, StoreContext, StoreOp } from './context.js'

export interface MailboxLimits {
  /** @default MAILBOX_MAX_ENVELOPES (10 000) */
  maxEnvelopes?: number
  /** @default MAILBOX_MAX_BYTES (64 MiB) */
  maxBytes?: number
}

export interface MailboxEntry {
  /** position in the recipient's mailbox: fetch `after` it for the next page */
  seq: number
  /** hex envelope id */
  id: string
  envelope: Uint8Array
}

export interface MailboxPage {
  entries: MailboxEntry[]
  hasMore: boolean
}

export interface MailboxUsage {
  count: number
  bytes: number
}

export interface DepositRequest {
  recipient: string
  /** hex envelope id, the de-duplication key */
  id: string
  envelope: Uint8Array
  /** ms; default now */
  at?: number
}

export interface MailboxStore {
  /**
   * Hold an envelope for its recipient. `duplicate` when it is already held
   * (nothing written). Throws `MailboxFullError` when it would take the
   * recipient past a limit. Inside a write only.
   */
  depositOps(request: DepositRequest): Promise<Built<{ seq: number, duplicate: boolean }>>
  deposit(request: DepositRequest): Promise<{ seq: number, duplicate: boolean }>
  /** The recipient's envelopes after `after` (exclusive), oldest first. */
  fetch(recipient: string, options?: { after?: number, limit?: number }): Promise<MailboxPage>
  /** Remove envelopes by id from the recipient's mailbox (ids it does not hold are ignored). Returns how many went. */
  ack(recipient: string, ids: string[]): Promise<number>
  usage(recipient: string): Promise<MailboxUsage>
  /** Remove envelopes deposited before `olderThan` (ms; default now − MAILBOX_TTL). Returns how many went. */
  purge(olderThan?: number): Promise<number>
}

interface Held {
  seq: number
  at: number
  size: number
}

const ENVELOPE = 'm'
const BY_ID = 'i'
const BY_TIME = 't'
const QUOTA = 'q'
const SEQUENCE = 'n'
const ID = /^[0-9a-f]{32}$/
const ID_BYTES = 16
/** Envelopes removed per purge batch. */
const PURGE_CHUNK = 500

function checkId (id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id)) throw new StoreQueryError('mailbox: an envelope id is 32 lowercase hex characters')
  return id
}

function checkLimit (value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) throw new StoreQueryError(`mailbox: ${what} must be a positive integer`)
  return value
}

export class LevelMailboxStore implements MailboxStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket
  readonly #sequence: Sequence
  readonly #maxEnvelopes: number
  readonly #maxBytes: number

  constructor (ctx: StoreContext, limits: MailboxLimits = {}) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('mailbox')
    this.#sequence = new Sequence(ctx, this.#bucket, SEQUENCE)
    this.#maxEnvelopes = checkLimit(limits.maxEnvelopes, MAILBOX_MAX_ENVELOPES, 'maxEnvelopes')
    this.#maxBytes = checkLimit(limits.maxBytes, MAILBOX_MAX_BYTES, 'maxBytes')
  }

  async load (): Promise<void> {
    await this.#sequence.load()
  }

  async depositOps (request: DepositRequest): Promise<Built<{ seq: number, duplicate: boolean }>> {
    this.#ctx.requireTx('mailbox.depositOps')
    const recipient = keyPart(request.recipient, 'recipient')
    const id = checkId(request.id)
    if (!(request.envelope instanceof Uint8Array) || request.envelope.length === 0) throw new StoreQueryError('mailbox: envelope must be non-empty bytes')
    const at = Math.max(0, Math.floor(checkTime(request.at ?? this.#ctx.now(), 'at')))
    const held = await this.#bucket.getJson<Held>(joinKey(BY_ID, recipient, id))
    if (held !== undefined) return { ops: [], result: { seq: held.seq, duplicate: true } }
    const usage = await this.#usage(recipient)
    const size = request.envelope.length
    if (usage.count + 1 > this.#maxEnvelopes) throw new MailboxFullError('envelopes', this.#maxEnvelopes)
    if (usage.bytes + size > this.#maxBytes) throw new MailboxFullError('bytes', this.#maxBytes)
    const { seq, ops } = this.#sequence.take('mailbox.depositOps')
    return {
      ops: [
        ...ops,
        this.#bucket.put(joinKey(ENVELOPE, recipient, padNumber(seq)), concatBytes(Buffer.from(id, 'hex'), request.envelope), true),
        this.#bucket.putJson(joinKey(BY_ID, recipient, id), { seq, at, size } satisfies Held),
        this.#bucket.index(joinKey(BY_TIME, padTime(at), recipient, padNumber(seq))),
        this.#bucket.putJson(joinKey(QUOTA, recipient), { count: usage.count + 1, bytes: usage.bytes + size } satisfies MailboxUsage)
      ],
      result: { seq, duplicate: false }
    }
  }

  async deposit (request: DepositRequest): Promise<{ seq: number, duplicate: boolean }> {
    return await this.#ctx.transact(async () => await this.depositOps(request))
  }

  async fetch (recipient: string, options: { after?: number, limit?: number } = {}): Promise<MailboxPage> {
    keyPart(recipient, 'recipient')
    const limit = checkLimit(options.limit, MAX_FETCH_LIMIT, 'limit')
    if (limit > MAX_FETCH_LIMIT) throw new StoreQueryError(`mailbox: limit must be at most ${MAX_FETCH_LIMIT}`)
    const range = under(ENVELOPE, recipient)
    const from = options.after === undefined ? { gte: range.gte } : { gt: joinKey(ENVELOPE, recipient, padNumber(options.after)) }
    const rows = await this.#bucket.rows({ ...from, lt: range.lt, limit: limit + 1 })
    const entries: MailboxEntry[] = []
    for (const [key, value] of rows.slice(0, limit)) {
      const held = this.#ctx.open(this.#bucket.name, key, value)
      if (held.length <= ID_BYTES) throw new StoreCorruptionError(this.#bucket.name, key, 'too short for an envelope')
      entries.push({ seq: Number(splitKey(key)[2]), id: toHex(held.subarray(0, ID_BYTES)), envelope: held.subarray(ID_BYTES) })
    }
    return { entries, hasMore: rows.length > limit }
  }

  async ack (recipient: string, ids: string[]): Promise<number> {
    keyPart(recipient, 'recipient')
    ids.forEach(checkId)
    return await this.#ctx.transact(async () => {
      const ops: StoreOp[] = []
      const usage = await this.#usage(recipient)
      let removed = 0
      for (const id of new Set(ids)) {
        const held = await this.#bucket.getJson<Held>(joinKey(BY_ID, recipient, id))
        if (held === undefined) continue
        ops.push(...this.#removeOps(recipient, id, held))
        usage.count--
        usage.bytes -= held.size
        removed++
      }
      if (removed > 0) ops.push(this.#quotaOp(recipient, usage))
      return { ops, result: removed }
    })
  }

  async usage (recipient: string): Promise<MailboxUsage> {
    keyPart(recipient, 'recipient')
    return await this.#usage(recipient)
  }

  async purge (olderThan: number = this.#ctx.now() - MAILBOX_TTL): Promise<number> {
    checkTime(olderThan, 'olderThan')
    const range = { gte: under(BY_TIME).gte, lt: joinKey(BY_TIME, padTime(Math.ceil(olderThan))) }
    let purged = 0
    for (;;) {
      const { done, count } = await this.#ctx.transact(async () => {
        const keys = await this.#bucket.keys({ ...range, limit: PURGE_CHUNK })
        const ops: StoreOp[] = []
        const usages = new Map<string, MailboxUsage>()
        let count = 0
        for (const key of keys) {
          const [, , recipient, seq] = splitKey(key) as [string, string, string, string]
          ops.push(this.#bucket.del(key))
          const envelopeKey = joinKey(ENVELOPE, recipient, seq)
          const stored = await this.#bucket.get(envelopeKey)
          if (stored === undefined) continue
          const id = toHex(stored.subarray(0, ID_BYTES))
          stored.fill(0)
          const held = await this.#bucket.getJson<Held>(joinKey(BY_ID, recipient, id))
          if (held === undefined) continue
          let usage = usages.get(recipient)
          if (usage === undefined) {
            usage = await this.#usage(recipient)
            usages.set(recipient, usage)
          }
          ops.push(...this.#removeOps(recipient, id, held))
          usage.count--
          usage.bytes -= held.size
          count++
        }
        for (const [recipient, usage] of usages) ops.push(this.#quotaOp(recipient, usage))
        return { ops, result: { done: keys.length < PURGE_CHUNK, count } }
      })
      purged += count
      if (done) return purged
    }
  }

  #removeOps (recipient: string, id: string, held: Held): StoreOp[] {
    return [
      this.#bucket.del(joinKey(ENVELOPE, recipient, padNumber(held.seq))),
      this.#bucket.del(joinKey(BY_ID, recipient, id)),
      this.#bucket.del(joinKey(BY_TIME, padTime(held.at), recipient, padNumber(held.seq)))
    ]
  }

  #quotaOp (recipient: string, usage: MailboxUsage): StoreOp {
    if (usage.count <= 0) return this.#bucket.del(joinKey(QUOTA, recipient))
    return this.#bucket.putJson(joinKey(QUOTA, recipient), { count: usage.count, bytes: Math.max(0, usage.bytes) } satisfies MailboxUsage)
  }

  async #usage (recipient: string): Promise<MailboxUsage> {
    const usage = await this.#bucket.getJson<MailboxUsage>(joinKey(QUOTA, recipient))
    return usage === undefined ? { count: 0, bytes: 0 } : { count: usage.count, bytes: usage.bytes }
  }
}
