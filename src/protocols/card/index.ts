/**
 * @packageDocumentation
 *
 * Agent cards (DESIGN §4): the signed, self-describing record an agent
 * publishes in the DHT under `/agentmsg/card/<peer-id-bytes>` — its name,
 * A2A skills, signed prekey, relays and inbox policy — and serves to
 * connected peers on `/agentmsg/card/1.0.0`, together with a one-time prekey
 * that is handed out once.
 *
 * Resolving a card looks, in order, at a fresh cached copy, the DHT, and (if
 * connected) the peer itself; when all of these miss, a stale cached copy is
 * returned. Every card is verified where it enters — from the DHT, the wire
 * or the persistent cache — and the DHT's own validator refuses cards that do
 * not verify against the key's PeerId.
 *
 * @example
 * ```ts
 * import { cardService, signCard, cardRecordValidator, cardRecordSelector, DHT_NAMESPACE } from './protocols/card/index.js'
 *
 * const node = await createLibp2p({
 *   services: {
 *     dht: kadDHT({
 *       protocol: '/agentmsg/kad/1.0.0',
 *       validators: { [DHT_NAMESPACE]: cardRecordValidator(prims) },
 *       selectors: { [DHT_NAMESPACE]: cardRecordSelector() }
 *     }),
 *     card: cardService({ identity, takeOneTimePrekey: async () => pool.shift() })
 *   }
 * })
 *
 * const { bytes } = signCard(prims, identity, { name: 'summariser', signedPrekey, inboxPolicy: 'open' })
 * await node.services.card.publish(bytes)
 *
 * const { card, addrs, source } = await node.services.card.resolve(otherPeerId, { signal })
 * ```
 */
import { DefaultCardService } from './card-service.js'
import type { SignedCard } from './card.js'
import type { Identity, OneTimePrekeyPublic, Primitives } from '../../crypto/index.js'
import type { AbortOptions, ContentRouting, PeerId, PeerRouting } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Multiaddr } from '@multiformats/multiaddr'

export * from './card.js'
export * from './constants.js'
export * from './errors.js'
export { CardResponse } from './card.pb.js'

/** Where a resolved card came from. */
export type CardSource =
  /** our own current card */
  | 'self'
  /** a cached copy younger than the cache TTL */
  | 'cache'
  | 'dht'
  /** asked the (connected) peer on the card protocol */
  | 'direct'
  /** every other source missed: an older cached copy */
  | 'stale-cache'

export interface ResolvedCard extends SignedCard {
  source: CardSource
  /** when this copy was fetched (ms since the epoch) */
  fetchedAt: number
  /** where the peer can be dialled, from peer routing; empty when unknown */
  addrs: Multiaddr[]
}

export interface DirectCard extends SignedCard {
  /** handed out to us alone; absent when the peer has none left */
  oneTimePrekey?: OneTimePrekeyPublic
}

export interface ResolveOptions extends AbortOptions {
  /**
   * Where to look. Leaving one out skips it (tests use `['dht']`).
   *
   * @default ['cache', 'dht', 'direct']
   */
  sources?: Array<'cache' | 'dht' | 'direct'>
  /**
   * Also look up the peer's addresses with `peerRouting.findPeer`.
   *
   * @default true
   */
  findAddrs?: boolean
}

export interface PublishResult {
  /** DHT peers that acknowledged the record; `undefined` when only libp2p content routing was available to ask */
  peers: number | undefined
}

/** A persistent card cache (a store), consulted after the in-memory one. */
export interface CardCache {
  get(peerId: PeerId): Promise<{ bytes: Uint8Array, fetchedAt: number } | undefined> | { bytes: Uint8Array, fetchedAt: number } | undefined
  put(peerId: PeerId, entry: { bytes: Uint8Array, fetchedAt: number }): Promise<void> | void
}

export interface CardService {
  readonly protocol: string
  /** our current card, once published */
  readonly card: SignedCard | undefined
  /**
   * Makes a signed card (from `signCard`) our current one: serves it on the
   * card protocol, puts it in the DHT now, and again every
   * `republishInterval` (re-signed with a fresh `issuedAt` when the service
   * holds the identity). A failed put is retried with backoff.
   *
   * @throws CardEncodingError | CardSignatureError - not a valid card of ours, or older than the current one
   * @throws CardPublishError - no DHT peer stored it (the card stays current and is retried)
   */
  publish(card: Uint8Array, options?: AbortOptions): Promise<PublishResult>
  /**
   * Another agent's card and addresses.
   *
   * @throws CardNotFoundError
   */
  resolve(peerId: PeerId, options?: ResolveOptions): Promise<ResolvedCard>
  /**
   * Asks the peer itself on the card protocol (dialling it if needed); the
   * answer may carry a one-time prekey meant for us alone.
   *
   * @throws CardEncodingError | CardSignatureError | CardProtocolError, or a stream/dial error
   */
  fetchDirect(peerId: PeerId, options?: AbortOptions): Promise<DirectCard>
}

export interface CardServiceComponents {
  peerId: PeerId
  registrar: Pick<Registrar, 'handle' | 'unhandle'>
  connectionManager: Pick<ConnectionManager, 'openStream' | 'getConnections'>
  contentRouting: Pick<ContentRouting, 'get' | 'put'>
  peerRouting: Pick<PeerRouting, 'findPeer'>
  /**
   * The kad-dht service, when it is registered under the name `dht`. Used in
   * preference to `contentRouting` because its events show how many peers
   * stored a record and every record a lookup met.
   */
  dht?: Pick<KadDHT, 'get' | 'put'>
}

export interface CardServiceInit {
  /**
   * @default CARD_PROTOCOL ('/agentmsg/card/1.0.0')
   */
  protocol?: string
  /**
   * @default defaultPrimitives()
   */
  primitives?: Primitives
  /**
   * Our identity, so the republish timer can re-sign the card with a fresh
   * `issuedAt`. Without it the same bytes are put again, and they age out of
   * the DHT after `maxAge`.
   */
  identity?: Identity
  /**
   * Hands out one of our one-time prekeys, each at most once, to the peer
   * asking for our card on the card protocol. Not called for DHT lookups.
   */
  takeOneTimePrekey?(peer: PeerId): Promise<OneTimePrekeyPublic | undefined>
  /** a persistent cache behind the in-memory one */
  cache?: CardCache
  /**
   * @default CARD_CACHE_TTL (10 minutes)
   */
  cacheTtl?: number
  /**
   * @default CARD_CACHE_SIZE (1024)
   */
  cacheSize?: number
  /**
   * @default CARD_REPUBLISH_INTERVAL (12 hours)
   */
  republishInterval?: number
  /**
   * First retry after a failed publish; doubles up to `republishInterval`.
   *
   * @default CARD_PUBLISH_RETRY (30 seconds)
   */
  publishRetryInterval?: number
  /**
   * Only used to warn when our un-re-signable card grows too old for the DHT.
   *
   * @default CARD_MAX_AGE (48 hours)
   */
  maxAge?: number
  /**
   * @default CARD_FETCH_TIMEOUT (10 seconds)
   */
  fetchTimeout?: number
  /**
   * @default CARD_DHT_GET_TIMEOUT (30 seconds)
   */
  dhtGetTimeout?: number
  /**
   * @default CARD_DHT_PUT_TIMEOUT (60 seconds)
   */
  dhtPutTimeout?: number
  /**
   * @default CARD_FIND_PEER_TIMEOUT (30 seconds)
   */
  findPeerTimeout?: number
  /**
   * Serving one inbound request, one-time prekey lookup included.
   *
   * @default CARD_HANDLER_TIMEOUT (10 seconds)
   */
  handlerTimeout?: number
  /**
   * @default CARD_MAX_INBOUND_STREAMS (8)
   */
  maxInboundStreams?: number
  /**
   * @default CARD_MAX_OUTBOUND_STREAMS (8)
   */
  maxOutboundStreams?: number
}

/** The libp2p service factory: `services: { card: cardService(init) }`. */
export function cardService (init: CardServiceInit = {}): (components: CardServiceComponents) => CardService {
  return (components) => new DefaultCardService(components, init)
}
