/**
 * Webhook delivery (DESIGN §9): every logged event a webhook asked for is
 * POSTed to it as the event JSON, signed with
 * `X-Agentmsg-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, with a
 * 10 s timeout, and tried again after 5 s, 30 s, 5 min, 30 min and 2 h
 * (six attempts in all) until it answers 2xx.
 *
 * Deliveries owed are in the store (created in the batch that marks their
 * events fanned out, rescheduled or removed with each attempt): a restart
 * picks up every one where it was. A crash between a receiver's 2xx and its
 * record means one more delivery: receivers dedupe on `X-Agentmsg-Cursor`.
 *
 * The clock and timers are injectable so tests need not wait minutes.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { apiEvent, iso } from './format.js'
import type { EventStore, PendingDelivery, StoredEvent, WebhookAttempt, WebhookRecord, WebhookStore } from '../store/index.js'

const log = logger('agentmsg:webhooks')

const second = 1000
const minute = 60 * second

/** Delays before the second, third, ... attempt. */
export const WEBHOOK_RETRY_DELAYS = [5 * second, 30 * second, 5 * minute, 30 * minute, 120 * minute]
export const WEBHOOK_TIMEOUT = 10 * second
/** Events read per fan-out batch. */
const FAN_OUT_PAGE = 500

export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms)
    timer.unref?.()
    return timer
  },
  clearTimeout: (handle) => { clearTimeout(handle as ReturnType<typeof setTimeout>) }
}

export interface WebhookDispatcherOptions {
  /** @default WEBHOOK_RETRY_DELAYS (5 s, 30 s, 5 min, 30 min, 2 h) */
  retryDelays?: number[]
  /** @default WEBHOOK_TIMEOUT (10 s) */
  timeout?: number
  /** @default the real clock */
  clock?: Clock
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** counted in metrics */
  onFailure?(): void
  /** our peer id: den posts of our own show as `sent` */
  self?: string
}

/** The signature header's value for a body. */
export function signWebhook (secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex')
}

/** A webhook as GET shows it: no secret. */
export interface WebhookView {
  id: string
  url: string
  events: string[]
  createdAt: string
  pending: number
  attempts: Array<Omit<WebhookAttempt, 'at' | 'nextAt'> & { at: string, nextAt?: string }>
}

export class WebhookDispatcher {
  readonly #log: EventStore
  readonly #store: WebhookStore
  readonly #retryDelays: number[]
  readonly #timeout: number
  readonly #clock: Clock
  readonly #fetch: typeof fetch
  readonly #onFailure: () => void
  readonly #body: (event: StoredEvent) => string
  readonly #timers = new Map<string, unknown>()
  readonly #inFlight = new Set<Promise<void>>()
  #unsubscribe?: () => void
  #fanning: Promise<void> | undefined
  #again = false
  #running = false
  #hooks = 0

  constructor (log: EventStore, store: WebhookStore, options: WebhookDispatcherOptions = {}) {
    this.#log = log
    this.#store = store
    this.#retryDelays = options.retryDelays ?? WEBHOOK_RETRY_DELAYS
    this.#timeout = options.timeout ?? WEBHOOK_TIMEOUT
    this.#clock = options.clock ?? realClock
    this.#fetch = options.fetch ?? globalThis.fetch
    this.#onFailure = options.onFailure ?? (() => {})
    this.#body = (event) => JSON.stringify(apiEvent(event, options.self))
  }

  /** Resume every owed delivery and follow the log. */
  async start (): Promise<void> {
    this.#running = true
    this.#hooks = (await this.#store.list()).length
    for (const delivery of await this.#store.pending()) this.#schedule(delivery)
    this.#unsubscribe = this.#log.subscribe(() => { this.#kick() })
    this.#kick()
    await this.#fanning
  }

  async stop (): Promise<void> {
    this.#running = false
    this.#unsubscribe?.()
    for (const handle of this.#timers.values()) this.#clock.clearTimeout(handle)
    this.#timers.clear()
    await this.#fanning
    await Promise.allSettled([...this.#inFlight])
  }

  async add (input: { url: string, events: string[], secret: string }): Promise<WebhookView> {
    const record = await this.#store.add({ id: randomUUID(), ...input }, this.#log.last)
    this.#hooks++
    return view(record, 0)
  }

  async remove (id: string): Promise<boolean> {
    const removed = await this.#store.remove(id)
    if (removed) {
      this.#hooks = Math.max(0, this.#hooks - 1)
      for (const [key, handle] of this.#timers) {
        if (key.startsWith(id + '/')) {
          this.#clock.clearTimeout(handle)
          this.#timers.delete(key)
        }
      }
    }
    return removed
  }

  async list (): Promise<WebhookView[]> {
    const [hooks, pending] = await Promise.all([this.#store.list(), this.#store.pending()])
    return hooks.map(h => view(h, pending.filter(d => d.webhookId === h.id).length))
  }

  /** Fan new events out, one pass at a time; a kick during a pass runs another. */
  #kick (): void {
    if (!this.#running) return
    if (this.#fanning != null) {
      this.#again = true
      return
    }
    this.#fanning = (async () => {
      do {
        this.#again = false
        try {
          await this.#fanOut()
        } catch (err) {
          if (this.#running) log.error('fan-out failed: %s', (err as Error).message)
        }
      } while (this.#again && this.#running)
    })().finally(() => { this.#fanning = undefined })
  }

  async #fanOut (): Promise<void> {
    // nobody listens: nothing to write for every event
    if (this.#hooks === 0) return
    for (;;) {
      const events = await this.#log.after(await this.#store.fannedOut(), FAN_OUT_PAGE)
      if (events.length === 0) return
      const created = await this.#store.fanOut(events, this.#body, this.#clock.now())
      for (const delivery of created) this.#schedule(delivery)
      if (events.length < FAN_OUT_PAGE) return
    }
  }

  #schedule (delivery: PendingDelivery): void {
    if (!this.#running) return
    const key = `${delivery.webhookId}/${delivery.cursor}`
    if (this.#timers.has(key)) return
    const handle = this.#clock.setTimeout(() => {
      this.#timers.delete(key)
      const attempt = this.#attempt(delivery).catch(err => { log.error('delivery of %d failed: %s', delivery.cursor, (err as Error).message) })
      this.#inFlight.add(attempt)
      void attempt.finally(() => this.#inFlight.delete(attempt))
    }, Math.max(0, delivery.nextAt - this.#clock.now()))
    this.#timers.set(key, handle)
  }

  async #attempt (delivery: PendingDelivery): Promise<void> {
    const hook = await this.#store.get(delivery.webhookId)
    if (hook == null || !this.#running) return
    const attempt = delivery.attempts + 1
    const at = this.#clock.now()
    let ok = false
    let status: number | undefined
    let error: string | undefined
    try {
      const response = await this.#fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'agentmsg-webhook/1',
          'x-agentmsg-signature': signWebhook(hook.secret, delivery.body),
          'x-agentmsg-event': delivery.type,
          'x-agentmsg-cursor': String(delivery.cursor),
          'x-agentmsg-attempt': String(attempt)
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeout)
      })
      status = response.status
      ok = response.status >= 200 && response.status < 300
      if (!ok) error = `HTTP ${response.status}`
      await response.body?.cancel().catch(() => {})
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? 'timeout' : `${(err as Error).name}: ${causeOf(err)}`
    }
    if (!ok) this.#onFailure()
    const delay = ok ? undefined : this.#retryDelays[attempt - 1]
    const nextAt = delay === undefined ? undefined : this.#clock.now() + delay
    if (!ok) log('webhook %s, event %d, attempt %d: %s%s', hook.id, delivery.cursor, attempt, error, nextAt == null ? ', giving up' : '')
    // recorded even while stopping (stop waits for it): a restart must not send a delivered event again
    await this.#store.recordAttempt(delivery, {
      cursor: delivery.cursor, type: delivery.type, attempt, at, ok,
      ...(status === undefined ? {} : { status }),
      ...(error === undefined ? {} : { error }),
      ...(nextAt === undefined ? {} : { nextAt })
    })
    if (nextAt !== undefined) this.#schedule({ ...delivery, attempts: attempt, nextAt })
  }
}

function causeOf (err: unknown): string {
  const cause = (err as { cause?: { code?: string, message?: string } }).cause
  return cause?.code ?? cause?.message ?? (err as Error).message
}

function view (hook: WebhookRecord, pending: number): WebhookView {
  return {
    id: hook.id,
    url: hook.url,
    events: hook.events,
    createdAt: iso(hook.createdAt),
    pending,
    attempts: hook.attempts.map(({ at, nextAt, ...rest }) => ({
      ...rest,
      at: iso(at),
      ...(nextAt === undefined ? {} : { nextAt: iso(nextAt) })
    }))
  }
}
