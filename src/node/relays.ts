/**
 * An agent's use of relays (DESIGN.md §6): its own mailboxes at the relays
 * it lists in its card, and deposits at other agents' relays.
 *
 * Its own mailboxes: on start, on every (re)connect to a relay and whenever
 * a subscription drops, it subscribes and then fetches everything pending.
 * Fetched pages and pushed envelopes go through one serial queue, so
 * envelopes are handed to `deliver` in deposit order and the relay is acked
 * only for what `deliver` persisted (or will never accept). Copies that also
 * came directly, or from another relay, are dropped by the receiver's replay
 * check and acked all the same.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { decodeEnvelope } from '../crypto/index.js'
import { Ack } from '../protocols/dm/dm.pb.js'
import { RelayClient, relayServiceCid } from '../protocols/relay/index.js'
import type { AckResult } from './receiver.js'
import type { CardRelay } from '../protocols/card/index.js'
import type { DialProtocol, HeldEnvelope } from '../protocols/relay/index.js'
import type { ContentRouting, PeerId, PeerStore, TypedEventTarget, Libp2pEvents } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('agentmsg:relays')

/** Envelopes fetched per page. */
const FETCH_PAGE = 500
/** Pushed envelopes handled together (one ack, one receipt per sender). */
const PUSH_BATCH = 256
/** First delay before subscribing again after a relay was unreachable; doubles up to RESYNC_MAX. */
const RESYNC_MIN = 1_000
const RESYNC_MAX = 60_000

export interface RelayManagerDeps {
  dial: DialProtocol
  peerStore: PeerStore
  contentRouting: ContentRouting
  events: TypedEventTarget<Libp2pEvents>
  /** Persist an envelope a relay held for us; must not throw. */
  deliver(relay: PeerId, envelope: Uint8Array): Promise<AckResult>
  /** Messages that arrived through relays and were stored: tell their senders (a delivery receipt). */
  delivered(items: Array<{ from: string, messageId: string }>): void
}

export interface RelayManagerOptions {
  /** Multiaddrs (with /p2p/<peer id>) of the relays we list in our card. */
  relays?: string[]
  /** With no `relays`, pick this many relays announced in the DHT. @default 2 */
  discover?: number
  dialTimeout?: number
  requestTimeout?: number
}

/** What a fan-out deposit did at each relay. */
export interface DepositOutcome {
  successes: string[]
  failures: Array<{ relay: string, error: Error }>
}

interface OwnRelay {
  peerId: PeerId
  addrs: Multiaddr[]
  client: RelayClient
  syncing: boolean
  again: boolean
  delay: number
  timer?: ReturnType<typeof setTimeout>
}

function parseRelay (addr: string): { peerId: PeerId, addr: Multiaddr } {
  const ma = multiaddr(addr)
  const id = ma.getComponents().findLast(c => c.name === 'p2p')?.value
  if (id == null) throw new TypeError(`relay address ${addr} has no /p2p/<peer id>`)
  return { peerId: peerIdFromString(id), addr: ma }
}

export class RelayManager {
  readonly #deps: RelayManagerDeps
  readonly #options: RelayManagerOptions
  readonly #own = new Map<string, OwnRelay>()
  /** clients of other agents' relays, by relay peer id */
  readonly #others = new Map<string, RelayClient>()
  /** fetched pages and pushes, one at a time, in arrival order */
  #queue: Promise<void> = Promise.resolve()
  #pushed: Array<{ relay: OwnRelay, held: HeldEnvelope }> = []
  #started = false
  readonly #onConnect = (evt: CustomEvent<PeerId>): void => {
    const own = this.#own.get(evt.detail.toString())
    if (own != null) this.#sync(own)
  }

  readonly stats = { fetched: 0, pushed: 0, acked: 0 }

  constructor (deps: RelayManagerDeps, options: RelayManagerOptions = {}) {
    this.#deps = deps
    this.#options = options
    for (const addr of options.relays ?? []) {
      const { peerId, addr: ma } = parseRelay(addr)
      const existing = this.#own.get(peerId.toString())
      if (existing != null) existing.addrs.push(ma)
      else this.#own.set(peerId.toString(), this.#makeOwn(peerId, [ma]))
    }
  }

  /** Our relays as the card lists them. */
  get cardRelays (): CardRelay[] {
    return [...this.#own.values()].map(r => ({ peerId: r.peerId.toMultihash().bytes, addrs: r.addrs.map(a => a.bytes) }))
  }

  get relayIds (): string[] {
    return [...this.#own.keys()]
  }

  async start (): Promise<void> {
    this.#started = true
    this.#deps.events.addEventListener('peer:connect', this.#onConnect)
    for (const own of this.#own.values()) {
      await this.#deps.peerStore.merge(own.peerId, { multiaddrs: own.addrs }).catch(() => {})
      this.#sync(own)
    }
  }

  stop (): void {
    this.#started = false
    this.#deps.events.removeEventListener('peer:connect', this.#onConnect)
    for (const own of this.#own.values()) {
      clearTimeout(own.timer)
      own.client.close()
    }
    for (const client of this.#others.values()) client.close()
    this.#others.clear()
  }

  /**
   * With no relays configured, look for relays announced in the DHT and
   * adopt up to `discover` of them. true when our relay list changed (the
   * card should be published again).
   */
  async discover (signal: AbortSignal): Promise<boolean> {
    const want = this.#options.discover ?? 2
    if ((this.#options.relays?.length ?? 0) > 0 || this.#own.size >= want) return false
    let changed = false
    try {
      for await (const provider of this.#deps.contentRouting.findProviders(relayServiceCid(), { signal })) {
        if (this.#own.has(provider.id.toString()) || provider.multiaddrs.length === 0) continue
        const own = this.#makeOwn(provider.id, provider.multiaddrs)
        this.#own.set(provider.id.toString(), own)
        await this.#deps.peerStore.merge(provider.id, { multiaddrs: provider.multiaddrs }).catch(() => {})
        changed = true
        log('using relay %p found in the DHT', provider.id)
        if (this.#started) this.#sync(own)
        if (this.#own.size >= want) break
      }
    } catch (err) {
      if (!signal.aborted) log('relay discovery: %s', (err as Error).message)
    }
    return changed
  }

  /**
   * Deposit envelopes (ours, for one recipient) at every relay the
   * recipient lists, in order. Per envelope: where it was stored, and why
   * not elsewhere. A relay that refuses or fails one envelope is not asked
   * for the ones after it (they would arrive out of order, or be refused
   * alike); they stay queued for the next attempt.
   */
  async deposit (relays: CardRelay[], envelopes: Uint8Array[]): Promise<DepositOutcome[]> {
    const outcomes: DepositOutcome[] = envelopes.map(() => ({ successes: [], failures: [] }))
    await Promise.all(relays.map(async (relay) => {
      let client: RelayClient
      let name: string
      try {
        client = await this.#clientFor(relay)
        name = client.relay.toString()
      } catch (err) {
        for (const outcome of outcomes) outcome.failures.push({ relay: 'invalid', error: err as Error })
        return
      }
      // pipelined: the relay answers in order
      const results = await Promise.allSettled(envelopes.map(async (envelope) => await client.deposit(envelope)))
      let broken = false
      results.forEach((result, i) => {
        if (result.status === 'fulfilled' && !broken) {
          outcomes[i]!.successes.push(name)
        } else {
          broken = true
          const error = result.status === 'rejected' ? result.reason as Error : new Error('an earlier envelope was not stored')
          outcomes[i]!.failures.push({ relay: name, error })
        }
      })
    }))
    return outcomes
  }

  /** Our own relays' clients (history archive). */
  ownClients (): RelayClient[] {
    return [...this.#own.values()].map(r => r.client)
  }

  async #clientFor (relay: CardRelay): Promise<RelayClient> {
    const peerId = peerIdFromMultihash(Digest.decode(relay.peerId))
    const key = peerId.toString()
    const own = this.#own.get(key)
    if (own != null) return own.client
    let client = this.#others.get(key)
    if (client == null) {
      const addrs = relay.addrs.flatMap(bytes => { try { return [multiaddr(bytes)] } catch { return [] } })
      if (addrs.length > 0) await this.#deps.peerStore.merge(peerId, { multiaddrs: addrs }).catch(() => {})
      client = new RelayClient(this.#deps.dial, peerId, { dialTimeout: this.#options.dialTimeout, requestTimeout: this.#options.requestTimeout })
      this.#others.set(key, client)
    }
    return client
  }

  #makeOwn (peerId: PeerId, addrs: Multiaddr[]): OwnRelay {
    const own: OwnRelay = {
      peerId,
      addrs,
      syncing: false,
      again: false,
      delay: RESYNC_MIN,
      client: new RelayClient(this.#deps.dial, peerId, {
        dialTimeout: this.#options.dialTimeout,
        requestTimeout: this.#options.requestTimeout,
        onPush: (held) => { this.#push(own, held) },
        onClosed: () => { this.#retry(own) }
      })
    }
    return own
  }

  /** Subscribe, then fetch and deliver everything held for us. */
  #sync (own: OwnRelay): void {
    if (!this.#started) return
    if (own.syncing) {
      own.again = true
      return
    }
    clearTimeout(own.timer)
    own.timer = undefined
    own.syncing = true
    const run = async (): Promise<void> => {
      do {
        own.again = false
        await own.client.subscribe()
        // the next page is on its way while this one is verified, opened and stored
        let next: Promise<{ held: HeldEnvelope[], hasMore: boolean }> | undefined = own.client.fetch(0, FETCH_PAGE)
        while (next != null && this.#started) {
          const page: { held: HeldEnvelope[], hasMore: boolean } = await next
          this.stats.fetched += page.held.length
          const last = page.held.at(-1)?.seq
          next = page.hasMore && last != null ? own.client.fetch(last, FETCH_PAGE) : undefined
          // a prefetch that fails is retried with the whole sync, not left unhandled
          next?.catch(() => {})
          const complete = await this.#serially(async () => await this.#deliverAll(own, page.held))
          if (!complete) throw new Error('some envelopes could not be stored now; fetching again later')
        }
      } while (own.again && this.#started)
      own.delay = RESYNC_MIN
    }
    run()
      .catch((err: Error) => {
        log('relay %p: %s', own.peerId, err.message)
        this.#retry(own)
      })
      .finally(() => { own.syncing = false })
  }

  #retry (own: OwnRelay): void {
    if (!this.#started) return
    clearTimeout(own.timer)
    own.timer = setTimeout(() => { this.#sync(own) }, own.delay)
    own.timer.unref?.()
    own.delay = Math.min(own.delay * 2, RESYNC_MAX)
  }

  #push (own: OwnRelay, held: HeldEnvelope): void {
    this.stats.pushed++
    this.#pushed.push({ relay: own, held })
    if (this.#pushed.length > 1) return
    void this.#serially(async () => {
      // everything pushed by the time this turn comes, in batches
      while (this.#pushed.length > 0) {
        const batch = this.#pushed.splice(0, PUSH_BATCH)
        const byRelay = new Map<OwnRelay, HeldEnvelope[]>()
        for (const { relay, held } of batch) byRelay.set(relay, [...(byRelay.get(relay) ?? []), held])
        for (const [relay, held] of byRelay) {
          if (!await this.#deliverAll(relay, held)) this.#retry(relay)
        }
      }
      return true
    }).catch(() => {})
  }

  async #serially (job: () => Promise<boolean>): Promise<boolean> {
    const run = this.#queue.then(job)
    this.#queue = run.then(() => {}, (err: Error) => { log('relay delivery: %s', err.message) })
    return await run
  }

  /**
   * Hand envelopes to the receiver (which groups their writes), then ack at
   * the relay the ones it persisted or will never accept; the rest stay
   * there for the next fetch. false when some could not be stored now.
   */
  async #deliverAll (own: OwnRelay, held: HeldEnvelope[]): Promise<boolean> {
    if (held.length === 0) return true
    const results = await Promise.all(held.map(async (h) => await this.#deps.deliver(own.peerId, h.envelope)))
    const done: Uint8Array[] = []
    const stored: Array<{ from: string, messageId: string }> = []
    let retry = false
    results.forEach((result, i) => {
      if (result.status === Ack.Status.RETRY) {
        retry = true
        return
      }
      done.push(result.id.length === 16 ? result.id : idOf(held[i]!.envelope))
      if (result.stored != null) stored.push(result.stored)
    })
    if (stored.length > 0) this.#deps.delivered(stored)
    const ids = done.filter(id => id.length === 16)
    if (ids.length > 0) {
      this.stats.acked += await own.client.ack(ids)
    }
    return !retry
  }
}

function idOf (envelope: Uint8Array): Uint8Array {
  try {
    return decodeEnvelope(envelope).id.slice()
  } catch {
    return new Uint8Array(0)
  }
}
