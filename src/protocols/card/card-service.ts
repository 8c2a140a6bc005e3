import { NotFoundError, serviceCapabilities, setMaxListeners } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { defaultPrimitives } from '../../crypto/index.js'
import { readFrame, writeFrame } from '../framing.js'
import { cardKey, compareCards, signCard, verifyCard } from './card.js'
import { CardResponse } from './card.pb.js'
import {
  CARD_CACHE_SIZE,
  CARD_CACHE_TTL,
  CARD_DHT_GET_TIMEOUT,
  CARD_DHT_PUT_TIMEOUT,
  CARD_FETCH_TIMEOUT,
  CARD_FIND_PEER_TIMEOUT,
  CARD_HANDLER_TIMEOUT,
  CARD_MAX_AGE,
  CARD_MAX_INBOUND_STREAMS,
  CARD_MAX_OUTBOUND_STREAMS,
  CARD_PROTOCOL,
  CARD_PUBLISH_RETRY,
  CARD_REPUBLISH_INTERVAL,
  CARD_VERSION,
  MAX_CARD_RESPONSE_BYTES
} from './constants.js'
import { CardEncodingError, CardNotFoundError, CardProtocolError, CardPublishError } from './errors.js'
import { equalBytes } from '../../crypto/bytes.js'
import type { SignedCard } from './card.js'
import type { CardCache, CardService, CardServiceComponents, CardServiceInit, DirectCard, PublishResult, ResolveOptions, ResolvedCard } from './index.js'
import type { Identity, OneTimePrekeyPublic, Primitives } from '../../crypto/index.js'
import type { AbortOptions, Connection, PeerId, Startable, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('agentmsg:card')

interface CacheEntry extends SignedCard {
  fetchedAt: number
}

/** Publishes our card, serves it on /agentmsg/card/1.0.0, and resolves other agents' cards. */
export class DefaultCardService implements CardService, Startable {
  readonly protocol: string
  readonly [Symbol.toStringTag] = 'agentmsg/card'
  readonly [serviceCapabilities] = ['@agentmsg/card']

  readonly #components: CardServiceComponents
  readonly #prims: Primitives
  readonly #identity?: Identity
  readonly #takeOneTimePrekey?: (peer: PeerId) => Promise<OneTimePrekeyPublic | undefined>
  readonly #cache?: CardCache
  readonly #cacheTtl: number
  readonly #cacheSize: number
  readonly #republishInterval: number
  readonly #retryInterval: number
  readonly #maxAge: number
  readonly #fetchTimeout: number
  readonly #dhtGetTimeout: number
  readonly #dhtPutTimeout: number
  readonly #findPeerTimeout: number
  readonly #handlerTimeout: number
  readonly #maxInboundStreams: number
  readonly #maxOutboundStreams: number
  readonly #memory = new Map<string, CacheEntry>()
  #current?: SignedCard
  #timer?: ReturnType<typeof setTimeout>
  #retryDelay: number
  #started = false
  #shutdown = new AbortController()

  constructor (components: CardServiceComponents, init: CardServiceInit = {}) {
    this.#components = components
    this.protocol = init.protocol ?? CARD_PROTOCOL
    this.#prims = init.primitives ?? defaultPrimitives()
    this.#identity = init.identity
    this.#takeOneTimePrekey = init.takeOneTimePrekey
    this.#cache = init.cache
    this.#cacheTtl = init.cacheTtl ?? CARD_CACHE_TTL
    this.#cacheSize = init.cacheSize ?? CARD_CACHE_SIZE
    this.#republishInterval = init.republishInterval ?? CARD_REPUBLISH_INTERVAL
    this.#retryInterval = init.publishRetryInterval ?? CARD_PUBLISH_RETRY
    this.#retryDelay = this.#retryInterval
    this.#maxAge = init.maxAge ?? CARD_MAX_AGE
    this.#fetchTimeout = init.fetchTimeout ?? CARD_FETCH_TIMEOUT
    this.#dhtGetTimeout = init.dhtGetTimeout ?? CARD_DHT_GET_TIMEOUT
    this.#dhtPutTimeout = init.dhtPutTimeout ?? CARD_DHT_PUT_TIMEOUT
    this.#findPeerTimeout = init.findPeerTimeout ?? CARD_FIND_PEER_TIMEOUT
    this.#handlerTimeout = init.handlerTimeout ?? CARD_HANDLER_TIMEOUT
    this.#maxInboundStreams = init.maxInboundStreams ?? CARD_MAX_INBOUND_STREAMS
    this.#maxOutboundStreams = init.maxOutboundStreams ?? CARD_MAX_OUTBOUND_STREAMS
    if (this.#identity != null && !equalBytes(this.#identity.peerId, components.peerId.toMultihash().bytes)) {
      throw new TypeError('card service: the identity is not this node\'s key')
    }
  }

  async start (): Promise<void> {
    if (this.#started) return
    this.#shutdown = new AbortController()
    setMaxListeners(Infinity, this.#shutdown.signal)
    await this.#components.registrar.handle(this.protocol, (stream, connection) => this.#onStream(stream, connection), {
      maxInboundStreams: this.#maxInboundStreams,
      maxOutboundStreams: this.#maxOutboundStreams,
      runOnLimitedConnection: true
    })
    this.#started = true
  }

  async stop (): Promise<void> {
    if (!this.#started) return
    this.#started = false
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#shutdown.abort(new Error('card service stopped'))
    await this.#components.registrar.unhandle(this.protocol)
  }

  isStarted (): boolean {
    return this.#started
  }

  get card (): SignedCard | undefined {
    return this.#current
  }

  async publish (bytes: Uint8Array, options: AbortOptions = {}): Promise<PublishResult> {
    const card = verifyCard(this.#prims, bytes, this.#components.peerId.toMultihash().bytes)
    const previous = this.#current
    if (previous != null && compareCards(card, previous.card) < 0) {
      throw new CardEncodingError(`card: seq ${card.seq} is older than the published ${previous.card.seq}`)
    }
    this.#current = { card, bytes }
    this.#remember(this.#components.peerId, { card, bytes, fetchedAt: Date.now() })
    return this.#publishCurrent(options)
  }

  async resolve (peerId: PeerId, options: ResolveOptions = {}): Promise<ResolvedCard> {
    const sources = new Set(options.sources ?? ['cache', 'dht', 'direct'])
    if (peerId.equals(this.#components.peerId) && this.#current != null) {
      return { ...this.#current, source: 'self', fetchedAt: Date.now(), addrs: [] }
    }
    const addrsPromise = options.findAddrs === false
      ? Promise.resolve([])
      : this.#findAddrs(peerId, options)

    const found = await this.#lookup(peerId, sources, options)
    return { ...found, addrs: await addrsPromise }
  }

  async fetchDirect (peerId: PeerId, options: AbortOptions = {}): Promise<DirectCard> {
    const signal = this.#signal(options, this.#fetchTimeout)
    const stream = await this.#components.connectionManager.openStream(peerId, this.protocol, {
      signal,
      runOnLimitedConnection: true
    })
    let frame: Uint8Array
    try {
      frame = await readFrame(stream, { maxLength: MAX_CARD_RESPONSE_BYTES, signal })
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
    let response: CardResponse
    try {
      response = CardResponse.decode(frame)
    } catch (err) {
      throw new CardProtocolError('card response: malformed protobuf', { cause: err })
    }
    if (response.version !== CARD_VERSION) {
      throw new CardProtocolError(`card response: unknown version ${response.version}`)
    }
    const card = verifyCard(this.#prims, response.card, peerId.toMultihash().bytes)
    let oneTimePrekey: OneTimePrekeyPublic | undefined
    if (response.oneTimePrekey != null) {
      if (response.oneTimePrekey.publicKey.length !== 32) {
        throw new CardProtocolError(`card response: one-time prekey of ${response.oneTimePrekey.publicKey.length} bytes, expected 32`)
      }
      oneTimePrekey = { id: response.oneTimePrekey.id, publicKey: response.oneTimePrekey.publicKey }
    }
    this.#remember(peerId, { card, bytes: response.card, fetchedAt: Date.now() })
    return { card, bytes: response.card, oneTimePrekey }
  }

  async #lookup (peerId: PeerId, sources: Set<string>, options: AbortOptions): Promise<Omit<ResolvedCard, 'addrs'>> {
    const cached = sources.has('cache') ? await this.#cached(peerId) : undefined
    if (cached != null && Date.now() - cached.fetchedAt < this.#cacheTtl) {
      return { ...cached, source: 'cache' }
    }

    if (sources.has('dht')) {
      try {
        const fromDht = await this.#getFromDht(peerId, options)
        if (fromDht != null) {
          // a stale cached copy can still be newer than what the DHT holds
          if (cached != null && compareCards(cached.card, fromDht.card) > 0) {
            return { ...cached, source: 'stale-cache' }
          }
          const entry = { ...fromDht, fetchedAt: Date.now() }
          this.#remember(peerId, entry)
          return { ...entry, source: 'dht' }
        }
      } catch (err) {
        options.signal?.throwIfAborted()
        log('dht lookup of %p failed - %e', peerId, err)
      }
    }

    if (sources.has('direct') && this.#components.connectionManager.getConnections(peerId).length > 0) {
      try {
        const direct = await this.fetchDirect(peerId, options)
        return { card: direct.card, bytes: direct.bytes, source: 'direct', fetchedAt: Date.now() }
      } catch (err) {
        options.signal?.throwIfAborted()
        log('direct card fetch from %p failed - %e', peerId, err)
      }
    }

    if (cached != null) {
      return { ...cached, source: 'stale-cache' }
    }
    throw new CardNotFoundError(`no card found for ${peerId}`)
  }

  async #getFromDht (peerId: PeerId, options: AbortOptions): Promise<SignedCard | undefined> {
    const signal = this.#signal(options, this.#dhtGetTimeout)
    const key = cardKey(peerId.toMultihash().bytes)
    const candidates: Uint8Array[] = []
    const dht = this.#dht()
    if (dht != null) {
      // kad-dht yields the best record last, after sending corrections to
      // peers holding older ones; a failed correction throws and would lose
      // the value, so every record seen on the way is kept
      try {
        for await (const event of dht.get(key, { signal })) {
          if (event.name === 'VALUE') candidates.push(event.value)
          else if (event.name === 'PEER_RESPONSE' && event.record != null) candidates.push(event.record.value)
        }
      } catch (err) {
        if (candidates.length === 0) throw err
        log('dht get for %p ended with an error after %d records - %e', peerId, candidates.length, err)
      }
    } else {
      try {
        candidates.push(await this.#components.contentRouting.get(key, { signal }))
      } catch (err) {
        if ((err as Error).name === 'NotFoundError' || err instanceof NotFoundError) return undefined
        throw err
      }
    }
    let best: SignedCard | undefined
    for (const bytes of candidates) {
      try {
        const card = verifyCard(this.#prims, bytes, peerId.toMultihash().bytes)
        if (best == null || compareCards(card, best.card) > 0) best = { card, bytes }
      } catch (err) {
        log('dropping an invalid card for %p from the dht - %e', peerId, err)
      }
    }
    return best
  }

  async #findAddrs (peerId: PeerId, options: AbortOptions): Promise<Multiaddr[]> {
    try {
      const signal = this.#signal(options, this.#findPeerTimeout)
      const info = await this.#components.peerRouting.findPeer(peerId, { signal })
      if (info.multiaddrs.length > 0) return info.multiaddrs
      // the peer store can know a peer without any address (an inbound
      // connection before identify finished); ask the network then
      const fresh = await this.#components.peerRouting.findPeer(peerId, { signal, useCache: false })
      return fresh.multiaddrs
    } catch (err) {
      log('no addresses found for %p - %e', peerId, err)
      return []
    }
  }

  async #publishCurrent (options: AbortOptions): Promise<PublishResult> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const current = this.#current
    if (current == null) return { peers: 0 }
    try {
      const peers = await this.#put(cardKey(current.card.peerId), current.bytes, options)
      if (peers === 0) {
        throw new CardPublishError('card publish reached no DHT peer')
      }
      log('published card seq %d to %s peers', current.card.seq, peers ?? 'some')
      this.#retryDelay = this.#retryInterval
      this.#schedule(this.#republishInterval)
      return { peers }
    } catch (err) {
      this.#schedule(this.#retryDelay)
      this.#retryDelay = Math.min(this.#retryDelay * 2, this.#republishInterval)
      throw err
    }
  }

  async #republish (): Promise<void> {
    const current = this.#current
    if (current == null) return
    // re-sign with a fresh issuedAt so the card never ages out of the DHT
    if (this.#identity != null) {
      const { card } = current
      const fresh = signCard(this.#prims, this.#identity, {
        name: card.name,
        description: card.description,
        signedPrekey: card.signedPrekey!,
        relays: card.relays,
        inboxPolicy: card.inboxPolicy,
        credentials: card.credentials,
        skills: card.skills,
        seq: card.seq
      })
      this.#current = fresh
      this.#remember(this.#components.peerId, { ...fresh, fetchedAt: Date.now() })
    } else if (Date.now() - current.card.issuedAt > this.#maxAge) {
      log.error('our card is older than the DHT accepts and no identity was given to re-sign it')
    }
    await this.#publishCurrent({ signal: this.#shutdown.signal })
  }

  #schedule (delay: number): void {
    if (!this.#started) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#republish().catch(err => { log('republish failed - %e', err) })
    }, delay)
    this.#timer.unref?.()
  }

  /** Number of DHT peers that stored the record, or undefined when only content routing was available. */
  async #put (key: Uint8Array, value: Uint8Array, options: AbortOptions): Promise<number | undefined> {
    const signal = this.#signal(options, this.#dhtPutTimeout)
    const dht = this.#dht()
    if (dht == null) {
      await this.#components.contentRouting.put(key, value, { signal })
      return undefined
    }
    let stored = 0
    for await (const event of dht.put(key, value, { signal })) {
      if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE' && event.record != null &&
        equalBytes(event.record.value, value)) {
        stored++
      }
    }
    return stored
  }

  async #onStream (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.#handlerTimeout)
    setMaxListeners(Infinity, signal)
    try {
      const current = this.#current
      if (current == null) {
        stream.abort(new CardNotFoundError('no card published yet'))
        return
      }
      let oneTimePrekey: OneTimePrekeyPublic | undefined
      if (this.#takeOneTimePrekey != null) {
        try {
          oneTimePrekey = await this.#takeOneTimePrekey(connection.remotePeer)
        } catch (err) {
          log.error('one-time prekey provider failed - %e', err)
        }
      }
      const response = CardResponse.encode({
        version: CARD_VERSION,
        card: current.bytes.slice(),
        oneTimePrekey: oneTimePrekey == null
          ? undefined
          : { id: oneTimePrekey.id, publicKey: oneTimePrekey.publicKey.slice() }
      })
      await writeFrame(stream, response, { signal })
      await stream.close({ signal })
    } catch (err) {
      log('serving card to %p failed - %e', connection.remotePeer, err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  async #cached (peerId: PeerId): Promise<CacheEntry | undefined> {
    const hit = this.#memory.get(peerId.toString())
    if (hit != null) return hit
    if (this.#cache == null) return undefined
    try {
      const stored = await this.#cache.get(peerId)
      if (stored == null) return undefined
      // the store is outside our trust boundary as much as the network is
      const card = verifyCard(this.#prims, stored.bytes, peerId.toMultihash().bytes)
      const entry = { card, bytes: stored.bytes, fetchedAt: stored.fetchedAt }
      this.#rememberInMemory(peerId, entry)
      return entry
    } catch (err) {
      log('persistent card cache read for %p failed - %e', peerId, err)
      return undefined
    }
  }

  #remember (peerId: PeerId, entry: CacheEntry): void {
    const existing = this.#memory.get(peerId.toString())
    if (existing != null && compareCards(existing.card, entry.card) > 0) return
    this.#rememberInMemory(peerId, entry)
    if (this.#cache != null) {
      Promise.resolve(this.#cache.put(peerId, { bytes: entry.bytes, fetchedAt: entry.fetchedAt }))
        .catch(err => { log('persistent card cache write for %p failed - %e', peerId, err) })
    }
  }

  #rememberInMemory (peerId: PeerId, entry: CacheEntry): void {
    const id = peerId.toString()
    this.#memory.delete(id)
    this.#memory.set(id, entry)
    while (this.#memory.size > this.#cacheSize) {
      const oldest = this.#memory.keys().next().value
      if (oldest == null) break
      this.#memory.delete(oldest)
    }
  }

  /**
   * kad-dht directly when a service named `dht` exists: its events tell how
   * many peers stored a record. libp2p's components object throws for a
   * missing service, hence the try.
   */
  #dht (): CardServiceComponents['dht'] {
    try {
      return this.#components.dht
    } catch {
      return undefined
    }
  }

  #signal (options: AbortOptions, timeout: number): AbortSignal {
    const signals = [AbortSignal.timeout(timeout), this.#shutdown.signal]
    if (options.signal != null) signals.push(options.signal)
    const signal = AbortSignal.any(signals)
    setMaxListeners(Infinity, signal)
    return signal
  }
}
