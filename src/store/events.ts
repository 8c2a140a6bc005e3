/**
 * The durable event log (DESIGN §9): every event the node reports to the
 * API, its WebSocket and webhooks, each with a cursor that only grows.
 *
 * An event is written by `appendOps` in the same atomic batch as the state
 * change it reports (the received message, the new delivery status), so a
 * crash loses both or neither. Listeners hear of an event only once its
 * batch is on disk, in cursor order (writes are serialised).
 *
 * Cursors come from a `Sequence`, reserved on disk a block at a time: they
 * increase across restarts but may skip numbers (a restart skips the rest of
 * a block, a failed batch the numbers it took). A consumer keeps the last
 * cursor it saw and asks for what came `after` it.
 *
 * Retention: the newest MAX_EVENTS (100 000) events, none older than
 * EVENT_RETENTION (30 days). `prune()` enforces both; appends past the count
 * bound by PRUNE_SLACK start one on their own.
 *
 * Keys (sublevel `events`):
 * - `e \0 cursor` → sealed `StoredEvent`
 * - `n` → sealed sequence reservation
 */
import { StoreQueryError } from './errors.js'
import { joinKey, lastPart, padNumber, under } from './keys.js'
import { Sequence } from './sequence.js'
import type { Bucket, StoreContext, StoreOp } from './context.js'

const day = 24 * 60 * 60 * 1000

/** Events kept at most. */
export const MAX_EVENTS = 100_000
/** Events older than this are pruned. */
export const EVENT_RETENTION = 30 * day
/** How far past MAX_EVENTS appends go before they prune on their own. */
const PRUNE_SLACK = 1_000
/** Events read per page by `after()` when no limit is given. */
const DEFAULT_PAGE = 100
const MAX_PAGE = 1_000
/** Keys deleted per batch while pruning. */
const PRUNE_CHUNK = 1_000

const EVENT = 'e'
const SEQUENCE = 'n'

export interface StoredEvent {
  /** ≥ 1, increasing in commit order */
  cursor: number
  /** `message.received`, `message.status`, ... */
  type: string
  /** ms since the epoch */
  at: number
  /** the event's detail, as the node reported it */
  data: unknown
}

export interface EventStore {
  /** Whether events are kept at all (`openStore({ eventLog: false })` keeps none). */
  readonly enabled: boolean
  /** Ops that append an event; inside `store.write(async () => ...)` only. */
  appendOps(type: string, data: unknown): StoreOp[]
  /** Append an event on its own. */
  append(type: string, data: unknown): Promise<void>
  /** Committed events with a cursor greater than `cursor`, oldest first. */
  after(cursor: number, limit?: number): Promise<StoredEvent[]>
  /** The newest committed cursor; 0 for an empty log. */
  readonly last: number
  /** How many events the log holds. */
  readonly size: number
  /** Called after each committed event, in cursor order; returns the unsubscribe function. */
  subscribe(listener: (event: StoredEvent) => void): () => void
  /**
   * Resolves once an event with a cursor greater than `cursor` is committed
   * (at once if there is one), or when `signal` aborts.
   */
  wait(cursor: number, signal?: AbortSignal): Promise<void>
  /** Drop events beyond the retention bounds; the number dropped. */
  prune(): Promise<number>
}

function eventKey (cursor: number): string {
  return joinKey(EVENT, padNumber(cursor))
}

export class LevelEventStore implements EventStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket
  readonly #sequence: Sequence
  readonly #listeners = new Set<(event: StoredEvent) => void>()
  readonly #maxEvents: number
  #last = 0
  #size = 0
  #pruning: Promise<number> | undefined

  /** false: `appendOps` and `append` write nothing (a node without the HTTP API needs no durable log) */
  readonly enabled: boolean

  constructor (ctx: StoreContext, maxEvents = MAX_EVENTS, enabled = true) {
    this.enabled = enabled
    this.#ctx = ctx
    this.#bucket = ctx.bucket('events')
    this.#sequence = new Sequence(ctx, this.#bucket, SEQUENCE)
    this.#maxEvents = maxEvents
  }

  /** @internal */
  async load (): Promise<void> {
    await this.#sequence.load()
    const [newest] = await this.#bucket.keys({ ...under(EVENT), reverse: true, limit: 1 })
    this.#last = newest === undefined ? 0 : Number(lastPart(newest))
    this.#size = await this.#bucket.count(under(EVENT))
  }

  get last (): number {
    return this.#last
  }

  get size (): number {
    return this.#size
  }

  appendOps (type: string, data: unknown): StoreOp[] {
    if (typeof type !== 'string' || type.length === 0) throw new StoreQueryError('events: type must be a non-empty string')
    if (!this.enabled) return []
    const tx = this.#ctx.requireTx('events.appendOps')
    const { seq, ops } = this.#sequence.take('events.appendOps')
    const event: StoredEvent = { cursor: seq + 1, type, at: this.#ctx.now(), data }
    ops.push(this.#bucket.putJson(eventKey(event.cursor), event))
    tx.afterCommit.push(() => { this.#committed(event) })
    return ops
  }

  async append (type: string, data: unknown): Promise<void> {
    if (!this.enabled) return
    await this.#ctx.transact(() => ({ ops: this.appendOps(type, data), result: undefined }))
  }

  async after (cursor: number, limit = DEFAULT_PAGE): Promise<StoredEvent[]> {
    if (!Number.isSafeInteger(cursor) || cursor < 0) throw new StoreQueryError('events: cursor must be a non-negative integer')
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new StoreQueryError(`events: limit must be an integer in 1..${MAX_PAGE}`)
    if (cursor >= this.#last) return []
    const keys = await this.#bucket.keys({ gt: eventKey(cursor), lt: under(EVENT).lt, limit })
    const events = await this.#bucket.getManyJson<StoredEvent>(keys)
    // a key read just before a prune removed its value
    return events.filter((e): e is StoredEvent => e !== undefined)
  }

  subscribe (listener: (event: StoredEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  async wait (cursor: number, signal?: AbortSignal): Promise<void> {
    if (this.#last > cursor || signal?.aborted === true) return
    await new Promise<void>(resolve => {
      const done = (): void => {
        unsubscribe()
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const unsubscribe = this.subscribe(event => { if (event.cursor > cursor) done() })
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  async prune (): Promise<number> {
    // one at a time: two would delete the same keys and miscount
    this.#pruning ??= this.#prune().finally(() => { this.#pruning = undefined })
    return await this.#pruning
  }

  async #prune (): Promise<number> {
    const oldest = this.#ctx.now() - EVENT_RETENTION
    let dropped = 0
    for (;;) {
      if (this.#ctx.closed) return dropped
      const keys = await this.#bucket.keys({ ...under(EVENT), limit: PRUNE_CHUNK })
      const overCount = Math.max(0, this.#size - this.#maxEvents)
      const doomed = keys.slice(0, overCount)
      // past the count bound, the age bound: events are in time order, so stop at the first young one
      const rest = keys.slice(overCount)
      const ages = await this.#bucket.getManyJson<StoredEvent>(rest)
      for (let i = 0; i < rest.length; i++) {
        const event = ages[i]
        if (event !== undefined && event.at >= oldest) break
        doomed.push(rest[i]!)
      }
      if (doomed.length === 0) return dropped
      await this.#ctx.write(doomed.map(key => this.#bucket.del(key)))
      this.#size = Math.max(0, this.#size - doomed.length)
      dropped += doomed.length
      if (doomed.length < keys.length) return dropped
    }
  }

  #committed (event: StoredEvent): void {
    this.#last = Math.max(this.#last, event.cursor)
    this.#size++
    for (const listener of [...this.#listeners]) {
      try {
        listener(event)
      } catch {
        // a listener's failure is its own; the event is stored
      }
    }
    if (this.#size > this.#maxEvents + PRUNE_SLACK) void this.prune().catch(() => {})
  }
}
