/**
 * The outbox as the DM transport reads it, kept in memory: loaded from the
 * store at start, appended after each send's write, trimmed on each ack. The
 * store stays the truth (a restart reloads it); this spares the transport a
 * read and decrypt of every queued envelope on every flush.
 *
 * It also coalesces the writes that may be lost in a crash without harm:
 * `sent` states and ack results are gathered and recorded together, one
 * batch at a time (`Coalescer`). A lost `sent` is reported again on the resend; a
 * lost ack means one resend, which the recipient acks as a duplicate.
 */
import type { PendingEnvelope } from '../protocols/dm/dm-service.js'
import type { Store, StoreOp } from '../store/index.js'

export class DeliveryQueue {
  readonly #queues = new Map<string, Map<string, Uint8Array>>()

  /** Load everything the store's outbox holds. */
  async load (store: Store): Promise<string[]> {
    const peers = await store.outbox.peers()
    for (const peer of peers) {
      for (const entry of await store.outbox.forPeer(peer)) this.add(peer, entry.messageId, entry.envelope)
    }
    return peers
  }

  add (peer: string, id: string, envelope: Uint8Array): void {
    let queue = this.#queues.get(peer)
    if (queue == null) {
      queue = new Map()
      this.#queues.set(peer, queue)
    }
    queue.set(id, envelope)
  }

  remove (peer: string, id: string): void {
    const queue = this.#queues.get(peer)
    if (queue == null) return
    queue.delete(id)
    if (queue.size === 0) this.#queues.delete(peer)
  }

  /** Oldest first. */
  pending (peer: string): PendingEnvelope[] {
    const queue = this.#queues.get(peer)
    if (queue == null) return []
    return [...queue].map(([id, envelope]) => ({ id, envelope }))
  }
}

/** How long a `sent` state waits for its ack before it is written alone (ms). */
export const SENT_HOLD = 200

/**
 * `sent` states held back for up to `hold` ms: one whose ack comes meanwhile
 * is released just before it, so the two go in one store write (with the
 * event log on, its two entries; the record itself keeps `sent` in memory
 * only, see `MessageStore.setStatusOps`). Safe because a lost `sent` costs
 * nothing (it is reported again on the resend); its event comes at most
 * `hold` ms later than the write to the stream.
 */
export class SentHold<T> {
  readonly #release: (item: T) => void
  readonly #hold: number
  readonly #held = new Map<string, T>()
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor (release: (item: T) => void, hold = SENT_HOLD) {
    this.#release = release
    this.#hold = hold
  }

  /** Hold `item`, the `sent` of message `id` (the first one only: a resend keeps the earlier). */
  hold (id: string, item: T): void {
    if (!this.#held.has(id)) this.#held.set(id, item)
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => { this.flush() }, this.#hold)
      this.#timer.unref?.()
    }
  }

  /** Release the `sent` of `id` now, if it is held (its ack or deposit is next). */
  take (id: string): void {
    const item = this.#held.get(id)
    if (item === undefined) return
    this.#held.delete(id)
    this.#release(item)
  }

  /** Release everything held, oldest first. */
  flush (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const items = [...this.#held.values()]
    this.#held.clear()
    for (const item of items) this.#release(item)
  }

  get size (): number {
    return this.#held.size
  }
}

/**
 * Gathers items and hands them to `flush` in batches, one batch at a time:
 * a batch is taken when its flush starts, so everything that arrived while
 * the previous flush ran goes in the next one (at most one per turn of the
 * event loop when flushes are quick).
 */
export class Coalescer<T> {
  readonly #flush: (items: T[]) => Promise<void>
  readonly #onError: (err: Error) => void
  readonly #yieldTo: (() => Promise<void>) | undefined
  #items: T[] = []
  #scheduled = false
  #running: Promise<void> = Promise.resolve()

  /**
   * `yieldTo`: writes that go first. Each flush waits for the one `yieldTo`
   * has in flight, then for a turn of the event loop, so what that write
   * releases (the frames of the messages it stored) goes out before this
   * flush takes the thread. Only the write in flight: a steady stream of
   * them delays a flush by one write at a time, never indefinitely.
   */
  constructor (flush: (items: T[]) => Promise<void>, onError: (err: Error) => void, yieldTo?: () => Promise<void>) {
    this.#flush = flush
    this.#onError = onError
    this.#yieldTo = yieldTo
  }

  push (item: T): void {
    this.#items.push(item)
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#running = this.#running.then(async () => {
        if (this.#yieldTo != null) {
          await this.#yieldTo()
          await new Promise(resolve => setImmediate(resolve))
        }
        this.#scheduled = false
        const items = this.#items
        this.#items = []
        if (items.length > 0) await this.#flush(items)
      }).catch(this.#onError)
    })
  }

  /** Resolves once everything pushed so far is flushed. */
  async idle (): Promise<void> {
    while (this.#scheduled || this.#items.length > 0) {
      await new Promise(resolve => setImmediate(resolve))
    }
    await this.#running
  }
}

/**
 * Group commit: builders pushed while a write is running are committed
 * together in the next store write, in push order (each sees the writes of
 * the ones before it). A failed write rejects its builders and every builder
 * still queued, and calls `onFailure` before anything else can run, so the
 * caller can drop state computed from writes that did not happen.
 */
export class GroupCommit {
  readonly #write: (build: () => Promise<StoreOp[]>) => Promise<void>
  readonly #onFailure: () => void
  readonly #max: number
  #queue: Array<{ build(): Promise<StoreOp[]>, resolve(): void, reject(err: Error): void }> = []
  #running = false
  /** the store write in flight, settled (never rejects) */
  #writing: Promise<void> | undefined

  constructor (write: (build: () => Promise<StoreOp[]>) => Promise<void>, onFailure: () => void, max = 256) {
    this.#write = write
    this.#onFailure = onFailure
    this.#max = max
  }

  async push (build: () => Promise<StoreOp[]>): Promise<void> {
    const done = new Promise<void>((resolve, reject) => { this.#queue.push({ build, resolve, reject }) })
    if (!this.#running) void this.#run()
    await done
  }

  async #run (): Promise<void> {
    this.#running = true
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#max)
        try {
          const written = this.#write(async () => {
            const ops: StoreOp[] = []
            for (const job of batch) ops.push(...await job.build())
            return ops
          })
          this.#writing = written.then(() => {}, () => {})
          await written
          for (const job of batch) job.resolve()
        } catch (err) {
          const queued = this.#queue.splice(0)
          this.#onFailure()
          for (const job of [...batch, ...queued]) job.reject(err as Error)
        }
      }
    } finally {
      this.#running = false
      this.#writing = undefined
    }
  }

  /** Resolves once the write in flight now (if any) has ended, whether or not it succeeded; writes queued behind it are not waited for. */
  async settled (): Promise<void> {
    await this.#writing
  }
}
