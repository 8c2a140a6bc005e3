/**
 * Message expiry (DESIGN §5): a body may carry `expiresAt`, after which both
 * sides delete the message. Each node deletes its own copy (record, indexes,
 * unread count) at that time, writes `message.expired` to the event log in
 * the same batch, and tells the agent. Timers are armed for the soonest
 * expiry only; a restart re-arms from the store's expiry index.
 */
import { logger } from '@libp2p/logger'
import type { MessageRecord, Store } from '../store/index.js'

const log = logger('agentmsg:expiry')

/** Messages deleted per write. */
const BATCH = 500
/** Longest timer (setTimeout's own limit is ~24.8 days): past it we look again. */
const MAX_DELAY = 60 * 60_000

export interface ExpiryDeps {
  store: Store
  /** messages just deleted */
  expired(records: MessageRecord[]): void
  now?(): number
}

export class MessageExpiry {
  readonly #deps: ExpiryDeps
  #timer?: ReturnType<typeof setTimeout>
  /** when the armed timer fires */
  #armedFor = Infinity
  #running?: Promise<void>
  #stopped = true

  constructor (deps: ExpiryDeps) {
    this.#deps = deps
  }

  #now (): number {
    return this.#deps.now?.() ?? Date.now()
  }

  async start (): Promise<void> {
    this.#stopped = false
    await this.#purge()
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#armedFor = Infinity
  }

  /** A message that expires at `at` was stored: make sure a timer fires by then. */
  note (at: number): void {
    if (this.#stopped || at >= this.#armedFor) return
    this.#arm(at)
  }

  /** Resolves when a purge in progress is done. */
  async idle (): Promise<void> {
    await this.#running
  }

  #arm (at: number): void {
    clearTimeout(this.#timer)
    const delay = Math.min(Math.max(0, at - this.#now()), MAX_DELAY)
    this.#armedFor = this.#now() + delay
    this.#timer = setTimeout(() => {
      this.#armedFor = Infinity
      this.#purge().catch(err => { log.error('expiry purge failed: %e', err) })
    }, delay)
    this.#timer.unref?.()
  }

  async #purge (): Promise<void> {
    if (this.#running != null) return await this.#running
    this.#running = (async () => {
      const { store } = this.#deps
      for (;;) {
        if (this.#stopped || store.closed) return
        let removed: MessageRecord[] = []
        await store.write(async () => {
          const built = await store.messages.expireOps(this.#now(), BATCH)
          removed = built.result
          return [...built.ops, ...removed.flatMap(m => store.events.appendOps('message.expired', { messageId: m.messageId, conversationId: m.conversationId }))]
        })
        if (removed.length > 0) {
          log('deleted %d expired messages', removed.length)
          this.#deps.expired(removed)
        }
        if (removed.length < BATCH) break
      }
      const next = await store.messages.nextExpiry()
      if (next !== undefined && !this.#stopped) this.#arm(next)
    })().finally(() => { this.#running = undefined })
    await this.#running
  }
}
