/**
 * Builds the libp2p node an agent runs on (DESIGN §2–4, §11): TCP and
 * WebSockets, Noise, yamux (./yamux.ts), identify, ping (./ping.ts), a kad-dht on the
 * private protocol `/agentmsg/kad/1.0.0` with validators for our records,
 * gossipsub, optional bootstrap peers, a level datastore so the peer store
 * and DHT records survive restarts, and a connection gater that keeps
 * blocked agents out.
 *
 * Every part has a default and every default can be replaced: pass
 * `transports`, `streamMuxers`, extra `services` (a service with the name of a default one
 * replaces it), `dht`/`gossipsub`/`identify`/`ping` options, or a whole
 * `datastore`.
 *
 * @example
 * ```ts
 * const dir = await openDataDir('~/.agentmsg')
 * const node = await createAgentLibp2p({
 *   privateKey: dir.privateKey,
 *   datastorePath: dir.datastorePath,
 *   bootstrap: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3Koo…'],
 *   isBlocked: (peer) => contacts.isBlocked(peer),
 *   services: { card: cardService({ identity: dir.identity }) }
 * })
 * ```
 */
import { createHash } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { bootstrap } from '@libp2p/bootstrap'
import { StrictSign, gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { logger } from '@libp2p/logger'
import { LevelDatastore } from 'datastore-level'
import { createLibp2p } from 'libp2p'
import { defaultPrimitives } from '../crypto/index.js'
import { agentPing } from './ping.js'
import { corkedTcp } from './tcp.js'
import { joinedWebSockets } from './websockets.js'
import { lazyWindowYamux } from './yamux.js'
import { CARD_KEY_PREFIX, DHT_NAMESPACE, cardRecordSelector, cardRecordValidator } from '../protocols/card/index.js'
import { startsWith } from '../crypto/bytes.js'
import type { Primitives } from '../crypto/index.js'
import type { BootstrapInit } from '@libp2p/bootstrap'
import type { GossipSub, GossipsubOpts } from '@libp2p/gossipsub'
import type { Identify, IdentifyInit } from '@libp2p/identify'
import { KEEP_ALIVE } from '@libp2p/interface'
import type { ConnectionGater, Libp2p, PeerId, PeerInfo, PrivateKey, ServiceMap, Startable } from '@libp2p/interface'
import type { KadDHT, KadDHTInit, SelectFn, ValidateFn } from '@libp2p/kad-dht'
import type { Ping, PingInit } from '@libp2p/ping'
import type { Datastore } from 'interface-datastore'
import type { ConnectionManagerInit, Libp2pOptions, ServiceFactoryMap } from 'libp2p'

const log = logger('agentmsg:libp2p')

/** Our DHT is private: it never mixes with the public IPFS (Amino) DHT. */
export const AGENTMSG_DHT_PROTOCOL = '/agentmsg/kad/1.0.0'

/** Loopback TCP and WebSockets on random ports: one machine works out of the box (DESIGN §11). */
export const DEFAULT_LISTEN: readonly string[] = Object.freeze(['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'])

/**
 * A kind of DHT record under `/agentmsg/...`. kad-dht looks up validators
 * and selectors by the key's first path component only (`agentmsg`), so this
 * module registers one dispatcher for the namespace that hands each record
 * to the type with the longest matching key prefix; a key no type claims is
 * refused.
 */
export interface DhtRecordType {
  /** key prefix, e.g. `/agentmsg/card/`; must start with `/agentmsg/` */
  prefix: string
  validate: ValidateFn
  select: SelectFn
}

/** The services every agent node has. */
export interface AgentLibp2pServices extends ServiceMap {
  identify: Identify
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
  /** opens the datastore before start and closes it after stop */
  datastoreLifecycle: Startable
}

/** The libp2p node `createAgentLibp2p` returns, with any extra services. */
export type AgentLibp2p<S extends ServiceMap = Record<string, never>> = Libp2p<AgentLibp2pServices & S>

export interface AgentLibp2pOptions<S extends ServiceMap = Record<string, never>> {
  /**
   * The node's key (from `openDataDir`).
   *
   * @default a fresh Ed25519 key
   */
  privateKey?: PrivateKey
  /**
   * Verifies DHT records.
   *
   * @default defaultPrimitives()
   */
  primitives?: Primitives
  /**
   * Directory for a level datastore (peer store, DHT records). Opened here,
   * closed after the node stops.
   *
   * @default none: an in-memory datastore, unless `datastore` is given
   */
  datastorePath?: string
  /** A datastore of your own; you open and close it. Wins over `datastorePath`. */
  datastore?: Datastore
  /**
   * @default DEFAULT_LISTEN (loopback TCP and WebSockets, random ports)
   */
  listen?: string[]
  /**
   * Addresses to advertise instead of the listen addresses.
   *
   * @default the listen addresses
   */
  announce?: string[]
  /**
   * Multiaddrs with `/p2p/<peer id>` to dial at start.
   *
   * @default [] (no bootstrap service)
   */
  bootstrap?: string[]
  /**
   * Other bootstrap options (`timeout` before dialling, tags).
   *
   * @default {}
   */
  bootstrapOptions?: Omit<BootstrapInit, 'list'>
  /**
   * Answer DHT queries and store records for others. Bootstrap and relay nodes
   * do; agents behind NAT should not.
   *
   * @default false
   */
  dhtServer?: boolean
  /**
   * @default AGENTMSG_DHT_PROTOCOL ('/agentmsg/kad/1.0.0')
   */
  dhtProtocol?: string
  /**
   * Filters the addresses the DHT passes on. The default keeps loopback and
   * private addresses so a local or LAN network works; a node on the public
   * internet may pass kad-dht's `removePrivateAddressesMapper`.
   *
   * @default passthroughMapper
   */
  peerInfoMapper?(peer: PeerInfo): PeerInfo
  /**
   * Record types under `/agentmsg/`.
   *
   * @default [agent cards]
   */
  dhtRecords?: DhtRecordType[]
  /** Any other kad-dht option; wins over what is derived above. */
  dht?: Partial<KadDHTInit>
  /**
   * gossipsub options (hardened by the dens work).
   *
   * @default {}
   */
  gossipsub?: Partial<GossipsubOpts>
  /** @default {} */
  identify?: IdentifyInit
  /**
   * Options of the ping service (`agentPing`: @libp2p/ping's protocol and
   * options; its order of closes and its two outbound streams per
   * connection keep the connection monitor from aborting healthy
   * connections, see ./ping.ts).
   *
   * @default {}
   */
  ping?: PingInit
  /**
   * Consulted on every dial and every inbound connection once the remote
   * peer is known: `true` refuses the connection.
   *
   * @default () => false
   */
  isBlocked?(peerId: PeerId): boolean
  /** More gater rules; the block list is checked before them. */
  connectionGater?: ConnectionGater
  /**
   * @default [corkedTcp(), joinedWebSockets()]: TCP, each send in one writev (./tcp.ts); WebSockets, each send in one message (./websockets.ts)
   */
  transports?: Libp2pOptions['transports']
  /**
   * @default [lazyWindowYamux()]: yamux, window updates at half a window (./yamux.ts)
   */
  streamMuxers?: Libp2pOptions['streamMuxers']
  /** Extra services, or replacements for the defaults by name. */
  services?: ServiceFactoryMap<S>
  /** @default libp2p's defaults */
  connectionManager?: ConnectionManagerInit
  /**
   * The ping every 10 s on each connection. On a host too busy to answer in
   * time (the den bench's setup: 51 nodes on two cores), libp2p's default of
   * aborting a connection on its first failed ping tears healthy connections
   * down; `{ abortConnectionOnPingFailure: false }` keeps them (the failed
   * probes go on every 10 s). Whether that costs CPU was not conclusive in
   * that bench (BENCHMARKS.md "den"), so the default stays libp2p's. A
   * probe refused with "Too many outbound protocol streams for protocol
   * /ipfs/ping/1.0.0" is another matter: in the dm bench that was a ping
   * stream held open by a race between @libp2p/ping's two ends, which our
   * ping service (./ping.ts) does not have.
   *
   * @default libp2p's defaults
   */
  connectionMonitor?: Libp2pOptions['connectionMonitor']
  /** libp2p metrics, e.g. `prometheusMetrics()` for the API's `/metrics`. @default none */
  metrics?: Libp2pOptions['metrics']
  /**
   * Start the node before returning.
   *
   * @default true
   */
  start?: boolean
}

/** Creates (and by default starts) an agent's libp2p node. */
export async function createAgentLibp2p<S extends ServiceMap = Record<string, never>> (options: AgentLibp2pOptions<S> = {}): Promise<AgentLibp2p<S>> {
  const prims = options.primitives ?? defaultPrimitives()
  const records = options.dhtRecords ?? [cardRecordType(prims)]
  const isBlocked = options.isBlocked ?? (() => false)

  let datastore = options.datastore
  let owned: LevelDatastore | undefined
  if (datastore == null && options.datastorePath != null) {
    owned = new LevelDatastore(options.datastorePath)
    await owned.open()
    datastore = owned
  }

  const gater = options.connectionGater ?? {}
  const connectionGater: ConnectionGater = {
    ...gater,
    denyDialPeer: async (peerId) => isBlocked(peerId) || (await gater.denyDialPeer?.(peerId) ?? false),
    denyInboundEncryptedConnection: async (peerId, maConn) =>
      isBlocked(peerId) || (await gater.denyInboundEncryptedConnection?.(peerId, maConn) ?? false),
    // a dial by address alone learns the peer id only here
    denyOutboundEncryptedConnection: async (peerId, maConn) =>
      isBlocked(peerId) || (await gater.denyOutboundEncryptedConnection?.(peerId, maConn) ?? false)
  }

  const services = {
    identify: identify(options.identify),
    ping: agentPing(options.ping),
    dht: kadDHT({
      protocol: options.dhtProtocol ?? AGENTMSG_DHT_PROTOCOL,
      clientMode: options.dhtServer !== true,
      peerInfoMapper: options.peerInfoMapper ?? passthroughMapper,
      validators: { [DHT_NAMESPACE]: namespaceValidator(records) },
      selectors: { [DHT_NAMESPACE]: namespaceSelector(records) },
      ...options.dht
    }),
    pubsub: gossipsub({ ...GOSSIPSUB_DEFAULTS, ...options.gossipsub }),
    datastoreLifecycle: () => datastoreLifecycle(owned),
    ...options.services
  } as unknown as ServiceFactoryMap<AgentLibp2pServices & S>

  const bootstrapList = options.bootstrap ?? []
  try {
    const node = await createLibp2p<AgentLibp2pServices & S>({
      privateKey: options.privateKey,
      datastore,
      addresses: {
        listen: [...(options.listen ?? DEFAULT_LISTEN)],
        announce: options.announce
      },
      transports: options.transports ?? [corkedTcp(), joinedWebSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: options.streamMuxers ?? [lazyWindowYamux()],
      peerDiscovery: bootstrapList.length > 0
        // tagged keep-alive: libp2p redials a bootstrap peer whose connection drops (with backoff,
        // 5 tries); @libp2p/bootstrap itself dials once, and a node that lost its only
        // connection would stay without a DHT or a den directory
        ? [bootstrap({ tagName: `${KEEP_ALIVE}-bootstrap`, ...options.bootstrapOptions, list: bootstrapList })]
        : [],
      connectionGater,
      // many agents on one machine (the demo, a test net) all connect from 127.0.0.1:
      // libp2p's default of 5 new inbound connections per second per host turns some away
      connectionManager: { inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_HOST, ...options.connectionManager },
      connectionMonitor: options.connectionMonitor,
      metrics: options.metrics,
      services,
      start: options.start
    })
    log('created %p (dht %s)', node.peerId, options.dhtServer === true ? 'server' : 'client')
    return node
  } catch (err) {
    await owned?.close().catch(() => {})
    throw err
  }
}

/** New inbound connections accepted per second from one host (libp2p's default is 5). */
export const INBOUND_CONNECTIONS_PER_HOST = 100

/**
 * Gossipsub, hardened (DESIGN.md §7, docs/protocol.md §18.6): every message
 * signed by its publisher's key (StrictSign); decode limits set where the
 * library's are far above what dens need; a den envelope is at most 64 KiB;
 * peer scoring on, with the library's thresholds written out (a peer below
 * −80 is graylisted: nothing it sends is processed) and den topics scored on
 * invalid messages as they are joined. Loopback is exempt from the IP
 * colocation penalty so that agents sharing one machine can talk. A post
 * with nobody subscribed yet is kept and served to those who catch up.
 */
export const GOSSIPSUB_DEFAULTS: Partial<GossipsubOpts> = {
  globalSignaturePolicy: StrictSign,
  fastMsgIdFn: fastMessageId,
  allowPublishToZeroTopicPeers: true,
  emitSelf: false,
  // Mesh degree (D 6, Dlo 4, Dhi 12), IDONTWANT (from 512 bytes), flood
  // publish and gossip stay the library's. A smaller mesh (4/4/6), IDONTWANT
  // only from 16 KiB and batch publish cut the den bench's RPCs per delivery
  // by ~45 %, but neither CPU per delivery nor latency moved beyond the noise
  // of a shared two-core host; Dlo 3 lost a directory announcement in the
  // integration tests; flood publish off left a member without mesh peers on
  // IHAVE gossip alone (BENCHMARKS.md "den", protocol.md §18.6).
  maxInboundDataLength: 64 * 1024 + 1024,
  decodeRpcLimits: {
    maxSubscriptions: 1024,
    maxMessages: 256,
    maxIhaveMessageIDs: 1000,
    maxIwantMessageIDs: 1000,
    maxIdontwantMessageIDs: 512,
    maxControlMessages: 256,
    maxPeerInfos: 16
  },
  scoreParams: {
    IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1'])
  },
  scoreThresholds: {
    gossipThreshold: -10,
    publishThreshold: -50,
    graylistThreshold: -80,
    acceptPXThreshold: 10,
    opportunisticGraftThreshold: 20
  }
}

/**
 * Gossipsub's cheap seen check: without it every copy of a message (one from
 * each mesh peer, D of them) has its StrictSign signature verified before it
 * is found to be a duplicate. The id is the spec'd one under StrictSign (the
 * publisher and its sequence number); gossipsub records it only for a copy
 * whose signature verified, so a forged copy cannot shadow the real message.
 */
export function fastMessageId (msg: Parameters<GossipsubOpts['fastMsgIdFn']>[0]): string {
  const { from, seqno, data } = msg
  // unsigned (a node configured without StrictSign): the content is the id
  if (from == null || seqno == null) return `#${createHash('sha256').update(data ?? new Uint8Array(0)).digest('base64')}`
  return `${base64(from)}/${base64(seqno)}`
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

/** The agent-card record type (`/agentmsg/card/<peer id>`). */
export function cardRecordType (prims: Primitives = defaultPrimitives()): DhtRecordType {
  return {
    prefix: CARD_KEY_PREFIX,
    validate: cardRecordValidator(prims),
    select: cardRecordSelector()
  }
}

/** One validator for the `agentmsg` namespace, dispatching on the longest key prefix. */
export function namespaceValidator (records: DhtRecordType[]): ValidateFn {
  return async (key, value, options) => {
    const type = recordTypeFor(records, key)
    if (type == null) throw new UnknownRecordTypeError('no agentmsg record type for this key')
    await type.validate(key, value, options)
  }
}

/** One selector for the `agentmsg` namespace, dispatching on the longest key prefix. */
export function namespaceSelector (records: DhtRecordType[]): SelectFn {
  return async (key, values) => {
    const type = recordTypeFor(records, key)
    if (type == null) throw new UnknownRecordTypeError('no agentmsg record type for this key')
    return type.select(key, values)
  }
}

/** A DHT key under `/agentmsg/` that no registered record type claims. */
export class UnknownRecordTypeError extends Error {
  override name = 'UnknownRecordTypeError'
}

const encoder = new TextEncoder()

function recordTypeFor (records: DhtRecordType[], key: Uint8Array): DhtRecordType | undefined {
  let best: DhtRecordType | undefined
  let bestLength = -1
  for (const type of records) {
    const prefix = encoder.encode(type.prefix)
    if (prefix.length > bestLength && key.length > prefix.length && startsWith(key, prefix)) {
      best = type
      bestLength = prefix.length
    }
  }
  return best
}

/**
 * libp2p does not open or close a datastore it is given; this service does
 * it for the one we opened. `afterStop` runs once every other component has
 * stopped, so nothing writes to a closed store.
 */
function datastoreLifecycle (store: LevelDatastore | undefined): Startable {
  return {
    async beforeStart () {
      if (store != null && store.db.status !== 'open') await store.open()
    },
    start () {},
    stop () {},
    async afterStop () {
      if (store != null && store.db.status === 'open') await store.close()
    }
  }
}
