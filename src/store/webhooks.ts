/**
 * Webhooks (DESIGN §9): their URLs, event filters and secrets, the
 * deliveries still owed to them, and how far the event log has been fanned
 * out to them. Secrets live only here, sealed like every value.
 *
 * A delivery is created by `fanOut` in the same batch that moves the
 * fanned-out cursor past its event, and removed (or rescheduled) by
 * `recordAttempt`: a restart finds every delivery still owed, with its
 * attempt count and next time.
 *
 * Keys (sublevel `webhooks`):
 * - `w \0 id` → sealed `WebhookRecord`
 * - `p \0 id \0 cursor` → sealed `PendingDelivery`
 * - `c` → sealed `{ cursor }`: events up to it are fanned out
 */
import { StoreQueryError } from './errors.js'
import { joinKey, keyPart, padNumber, under } from './keys.js'
import type { Bucket, StoreContext } from './context.js'
import type { StoredEvent } from './events.js'

/** Webhooks one node holds at most. */
export const MAX_WEBHOOKS = 10
/** Attempts remembered per webhook (newest last). */
export const WEBHOOK_ATTEMPTS_KEPT = 20

export interface WebhookAttempt {
  cursor: number
  type: string
  /** 1 for the first try */
  attempt: number
  /** ms since the epoch */
  at: number
  ok: boolean
  /** the receiver's HTTP status, when it answered */
  status?: number
  /** why it failed (timeout, connection refused, HTTP 500) */
  error?: string
  /** when the next try is due; absent when this was the last */
  nextAt?: number
}

export interface WebhookRecord {
  id: string
  url: string
  /** event types it receives */
  events: string[]
  /** HMAC-SHA256 key for `X-Agentmsg-Signature`; never leaves the node but in signatures */
  secret: string
  createdAt: number
  /** events up to this cursor happened before it existed */
  fromCursor: number
  attempts: WebhookAttempt[]
}

export interface WebhookInput {
  id: string
  url: string
  events: string[]
  secret: string
}

export interface PendingDelivery {
  webhookId: string
  cursor: number
  type: string
  /** the exact bytes signed and posted, as text */
  body: string
  /** attempts made so far */
  attempts: number
  /** ms since the epoch */
  nextAt: number
}

/** The node holds MAX_WEBHOOKS webhooks already. */
export class WebhookLimitError extends Error {
  override name = 'WebhookLimitError'
}

export interface WebhookStore {
  list(): Promise<WebhookRecord[]>
  get(id: string): Promise<WebhookRecord | undefined>
  /** Add a webhook that receives events after `fromCursor`. Throws `WebhookLimitError` at MAX_WEBHOOKS. */
  add(input: WebhookInput, fromCursor: number): Promise<WebhookRecord>
  /** Remove a webhook and the deliveries it is owed; false for an unknown id. */
  remove(id: string): Promise<boolean>
  /** The cursor up to which events are fanned out (0 at first). */
  fannedOut(): Promise<number>
  /**
   * Create the deliveries `events` owe to the webhooks that want them and
   * move the fanned-out cursor past the last one, in one batch. They are
   * due at `now` (default: the store's clock).
   */
  fanOut(events: StoredEvent[], body: (event: StoredEvent) => string, now?: number): Promise<PendingDelivery[]>
  /** Every delivery still owed. */
  pending(): Promise<PendingDelivery[]>
  /**
   * Remember an attempt; with `nextAt` the delivery is due again then,
   * without it the delivery is over (delivered, or given up).
   */
  recordAttempt(delivery: PendingDelivery, attempt: WebhookAttempt): Promise<void>
}

const WEBHOOK = 'w'
const PENDING = 'p'
const FANNED_OUT = 'c'

function pendingKey (webhookId: string, cursor: number): string {
  return joinKey(PENDING, webhookId, padNumber(cursor))
}

export class LevelWebhookStore implements WebhookStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket

  constructor (ctx: StoreContext) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('webhooks')
  }

  async list (): Promise<WebhookRecord[]> {
    const keys = await this.#bucket.keys(under(WEBHOOK))
    const records = await this.#bucket.getManyJson<WebhookRecord>(keys)
    return records.filter((r): r is WebhookRecord => r !== undefined).sort((a, b) => a.createdAt - b.createdAt)
  }

  async get (id: string): Promise<WebhookRecord | undefined> {
    return await this.#bucket.getJson<WebhookRecord>(joinKey(WEBHOOK, keyPart(id, 'id')))
  }

  async add (input: WebhookInput, fromCursor: number): Promise<WebhookRecord> {
    const id = keyPart(input.id, 'id')
    if (typeof input.url !== 'string' || typeof input.secret !== 'string' || !Array.isArray(input.events)) {
      throw new StoreQueryError('webhooks: url, secret and events are required')
    }
    return await this.#ctx.transact(async () => {
      const count = (await this.#bucket.keys(under(WEBHOOK))).length
      if (count >= MAX_WEBHOOKS) throw new WebhookLimitError(`at most ${MAX_WEBHOOKS} webhooks`)
      const record: WebhookRecord = {
        id, url: input.url, events: [...input.events], secret: input.secret, createdAt: this.#ctx.now(), fromCursor, attempts: []
      }
      return { ops: [this.#bucket.putJson(joinKey(WEBHOOK, id), record)], result: record }
    })
  }

  async remove (id: string): Promise<boolean> {
    keyPart(id, 'id')
    return await this.#ctx.transact(async () => {
      if (!await this.#bucket.has(joinKey(WEBHOOK, id))) return { ops: [], result: false }
      const owed = await this.#bucket.keys(under(PENDING, id))
      return { ops: [this.#bucket.del(joinKey(WEBHOOK, id)), ...owed.map(key => this.#bucket.del(key))], result: true }
    })
  }

  async fannedOut (): Promise<number> {
    return (await this.#bucket.getJson<{ cursor: number }>(FANNED_OUT))?.cursor ?? 0
  }

  async fanOut (events: StoredEvent[], body: (event: StoredEvent) => string, now = this.#ctx.now()): Promise<PendingDelivery[]> {
    if (events.length === 0) return []
    return await this.#ctx.transact(async () => {
      const webhooks = await this.list()
      const done = (await this.#bucket.getJson<{ cursor: number }>(FANNED_OUT))?.cursor ?? 0
      const created: PendingDelivery[] = []
      let last = done
      for (const event of events) {
        // fanned out already (by a call that raced this one)
        if (event.cursor <= done) continue
        last = Math.max(last, event.cursor)
        let text: string | undefined
        for (const hook of webhooks) {
          if (event.cursor <= hook.fromCursor || !hook.events.includes(event.type)) continue
          text ??= body(event)
          created.push({ webhookId: hook.id, cursor: event.cursor, type: event.type, body: text, attempts: 0, nextAt: now })
        }
      }
      if (last === done) return { ops: [], result: [] }
      const ops = created.map(d => this.#bucket.putJson(pendingKey(d.webhookId, d.cursor), d))
      ops.push(this.#bucket.putJson(FANNED_OUT, { cursor: last }))
      return { ops, result: created }
    })
  }

  async pending (): Promise<PendingDelivery[]> {
    const keys = await this.#bucket.keys(under(PENDING))
    const all = await this.#bucket.getManyJson<PendingDelivery>(keys)
    return all.filter((d): d is PendingDelivery => d !== undefined).sort((a, b) => a.cursor - b.cursor)
  }

  async recordAttempt (delivery: PendingDelivery, attempt: WebhookAttempt): Promise<void> {
    await this.#ctx.transact(async () => {
      const key = pendingKey(delivery.webhookId, delivery.cursor)
      const hook = await this.get(delivery.webhookId)
      // removed meanwhile: nothing is owed to it any more
      if (hook === undefined) return { ops: [this.#bucket.del(key)], result: undefined }
      const attempts = [...hook.attempts, attempt].slice(-WEBHOOK_ATTEMPTS_KEPT)
      const ops = [this.#bucket.putJson(joinKey(WEBHOOK, hook.id), { ...hook, attempts } satisfies WebhookRecord)]
      if (attempt.nextAt === undefined) ops.push(this.#bucket.del(key))
      else ops.push(this.#bucket.putJson(key, { ...delivery, attempts: attempt.attempt, nextAt: attempt.nextAt } satisfies PendingDelivery))
      return { ops, result: undefined }
    })
  }
}
