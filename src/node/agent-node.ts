/**
 * The agent node: one object an agent holds to message other agents.
 *
 * Data flows one way: the facade seals through the session manager, writes
 * message + session + outbox in one atomic batch, and hands the peer to the
 * DM transport; the transport calls back with incoming envelopes (opened and
 * persisted in one batch before they are acked) and with acks (which move a
 * message's delivery state forward and empty the outbox).
 */
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { defaultPrimitives, fingerprint, publicKeyFromPeerIdBytes, safetyNumber } from '../crypto/index.js'
import { CardNotFoundError, cardService, signCard } from '../protocols/card/index.js'
import { encodeBody, validateBody } from '../protocols/dm/body.js'
import { MAX_RECEIPT_IDS } from '../protocols/dm/constants.js'
import { Consent, Receipt } from '../protocols/dm/body.pb.js'
import { Ack } from '../protocols/dm/dm.pb.js'
import { DmService } from '../protocols/dm/dm-service.js'
import { relayService } from '../protocols/relay/index.js'
import { ChallengeFrameError, decodeCredential, isCredentialValid, requestCredential, verifyCredential, verifyService } from '../protocols/verify/index.js'
import { openStore } from '../store/index.js'
import { Lru } from '../lru.js'
import { conversationId } from './conversation-id.js'
import { openDataDir } from './data-dir.js'
import { InvalidPeerError, NodeOptionsError, RequestNotFoundError } from './errors.js'
import { ContentRules } from './content-policy.js'
import { InboxGate, INBOX_POLICIES } from './inbox-gate.js'
import { PeerLimits } from './limits.js'
import { MessageExpiry } from './expiry.js'
import { createAgentLibp2p } from './libp2p.js'
import { PrekeyManager } from './prekeys.js'
import { SessionManager } from './session-manager.js'
import { Coalescer, DeliveryQueue, SentHold } from './delivery-queue.js'
import { recordFields } from './message-record.js'
import { Receiver, requestEvent } from './receiver.js'
import { RelayManager } from './relays.js'
import { HistoryArchive } from './archive.js'
import { DenManager } from './dens.js'
import type { DenPostRecord, RequestRecord } from '../store/index.js'
import type { ContentPolicy, SpamOptions } from './content-policy.js'
import type { InboxPolicy } from './inbox-gate.js'
import type { RateLimitOptions } from './limits.js'
import type { RestoreResult } from './archive.js'
import { TERMINAL_STATES, TaskTracker } from './tasks.js'
import type { OpenTask } from './tasks.js'
import type { AgentLibp2p, AgentLibp2pOptions } from './libp2p.js'
import type { Identity, PrekeyBundle, Primitives, RatchetOptions } from '../crypto/index.js'
import type { AgentSkill, CardService, ResolvedCard } from '../protocols/card/index.js'
import type { OutgoingBody } from '../protocols/dm/body.js'
import type { DmInit } from '../protocols/dm/dm-service.js'
import type { RelayRefusedError, RelayService } from '../protocols/relay/index.js'
import type { RequestCredentialOptions, VerifiedCredential, VerifyService } from '../protocols/verify/index.js'
import type {
  ContactRecord, ContactTrust, ConversationListOptions, ConversationRecord, DeliveryStatus, EventStore, HistoryOptions, HistoryPage, InboxOptions, InboxPage, MessageRecord, Store, StoreOp,
  WebhookStore
} from '../store/index.js'
import type { PeerId } from '@libp2p/interface'

const log = logger('agentmsg:node')

/** How often expired envelope ids are purged from the replay store. */
const REPLAY_PURGE_INTERVAL = 24 * 60 * 60 * 1000

/** How long `start()` waits to join the network and publish its card before it returns anyway. */
const READY_TIMEOUT = 5_000

function logError (err: Error): void {
  log.error('store write failed: %e', err)
}

async function raceTimeout (promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([promise, new Promise(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}

export type { InboxPolicy }

export interface AgentNodeOptions {
  /** Holds the identity (0600) and the databases. */
  dataDir: string
  /** Encrypts the identity file. */
  passphrase?: string
  /** @default 'agent' */
  name?: string
  description?: string
  /** A2A skills advertised in the card. */
  skills?: Array<Pick<AgentSkill, 'id' | 'name'> & Partial<AgentSkill>>
  /**
   * Whose messages reach the inbox (DESIGN §5): `open` (everyone),
   * `verified` (a valid credential from a trusted issuer in their card),
   * `contacts` (contacts only). A first message from anyone else becomes a
   * request (`connection.request`), held until `acceptRequest` or
   * `declineRequest`. Contacts and agents we already have a conversation
   * with are always let in.
   * @default 'open'
   */
  inboxPolicy?: InboxPolicy
  /** Bounds of message requests: how many wait at once (1 000), how many messages one holds (6: the first and 5 more). */
  requests?: { maxPending?: number, maxHeld?: number }
  /**
   * Per-peer rate limits (DESIGN §8): DMs sent to and accepted from one
   * peer (120 a minute), history reads of one conversation (300), den posts
   * per author and den (20). `Infinity` turns one off.
   */
  rateLimits?: RateLimitOptions
  /**
   * The agent's own content policy, consulted on every message sent and
   * received after the built-in rules (types, sizes, spam). A refusal on send
   * throws `ContentPolicyError`; on receive the message is refused unread.
   */
  contentPolicy?: ContentPolicy
  /** The spam rule: the same content to more than `spamRecipients` (10) agents within `spamWindowMs` (10 min) is refused. */
  spam?: SpamOptions
  /** @default loopback TCP and WebSockets on random ports */
  listen?: string[]
  /** Multiaddrs with /p2p/<peer id>. @default [] */
  bootstrap?: string[]
  /** Serve the DHT (bootstrap and relay nodes). @default false */
  dhtServer?: boolean
  /** Start before returning. @default true */
  start?: boolean
  /** @default defaultPrimitives() */
  primitives?: Primitives
  ratchet?: RatchetOptions
  dm?: DmInit
  /** Anything else for libp2p, overriding the defaults piece by piece. */
  libp2p?: Omit<AgentLibp2pOptions, 'privateKey' | 'datastorePath' | 'listen' | 'bootstrap' | 'dhtServer' | 'start' | 'primitives'>
  /** How long `send` waits to resolve an unknown peer's card. @default 15 s */
  resolveTimeout?: number
  /**
   * Serve as a relay: hold envelopes for offline agents and their history
   * archives (DESIGN.md §6). Implies `dhtServer`.
   * @default false
   */
  relay?: boolean | RelayNodeOptions
  /**
   * Relays this agent lists in its card, as multiaddrs with `/p2p/<peer id>`:
   * mail for it waits there while it is offline.
   * @default none: up to `discoverRelays` relays announced in the DHT
   */
  relays?: string[]
  /** With no `relays`, how many relays found in the DHT to use. @default 2 */
  discoverRelays?: number
  /** Issuers (PeerIds) whose credentials this node accepts, e.g. for posts in verified dens. @default [] */
  trustedIssuers?: string[]
  /**
   * Our own credential (from an issuer's speed challenge), shown in verified
   * dens. One earned with `verify()` is kept in the store and used instead.
   */
  credential?: Uint8Array
  /**
   * Serve the speed challenge (`/agentmsg/verify/1.0.0`) and sign credentials
   * with this node's identity for the agents that pass it.
   * @default false
   */
  issuer?: boolean | IssuerNodeOptions
  /**
   * Keep the durable event log (every event with a cursor, written in the
   * batch of the change it reports) that the HTTP API serves on `/v1/events`
   * and to webhooks. An embedding agent has the in-process events and can
   * leave it off: each event is one more sealed write.
   * @default false (`agentmsg start` turns it on)
   */
  eventLog?: boolean
  /** Dens: posts one author may make per minute in one den (sent and accepted). @default 20 (`rateLimits.denPostsPerMinute` wins) */
  denPostsPerMinute?: number
}

/** Limits of a node that serves the speed challenge. */
export interface IssuerNodeOptions {
  /** Attempts one peer may make per hour. @default 5 */
  attemptsPerHour?: number
}

/** How long the `verified` inbox policy looks for a stranger's card before it holds its message as a request. */
const CREDENTIAL_LOOKUP_TIMEOUT = 3_000

/** Where `verify()` keeps the credential it earned. */
const CREDENTIAL_KEY = 'credential'

/** Limits of a node that serves as a relay. */
export interface RelayNodeOptions {
  /** @default 120 */
  depositsPerMinute?: number
  /** History-archive pages one agent may read per minute (restores wait when refused). @default 300 */
  historyReadsPerMinute?: number
  /** Envelopes held per recipient. @default 10 000 */
  maxEnvelopes?: number
  /** Bytes held per recipient. @default 64 MiB */
  maxBytes?: number
  /** Dens kept for their members (DenHost). @default 1 000 */
  maxHostedDens?: number
  /** History-archive entries held per agent. @default 200 000 */
  maxArchiveEntries?: number
  /** History-archive bytes held per agent. @default 256 MiB */
  maxArchiveBytes?: number
}

/** Envelopes deposited at relays per attempt, at most. */
const MAX_DEPOSIT_BATCH = 1000

/**
 * Messages sealed and written together at most, per peer. Small enough that
 * a burst reaches the wire batch by batch while the next one is sealed (256
 * held the first frame back until ~40 ms of sealing had run).
 */
const MAX_SEND_BATCH = 64

/**
 * Batches per peer sealed and queued for the store at once: the next one is
 * sealed while the one before it is written.
 */
const SEND_BATCHES_IN_FLIGHT = 2

/** Peers whose conversation id `send` remembers (the least recently used forgotten first). */
const SEND_PEERS_CACHED = 1024

/** A message written to a stream (no `ack`), the peer's ack of it, or a relay's (`relayed`). */
interface StatusItem {
  peer: string
  messageId: string
  ack?: { status: Ack.Status, reason: string }
  relayed?: true
}

interface OutgoingJob {
  plaintext: Uint8Array
  sentAt: number
  extraOps(messageId: string): StoreOp[] | Promise<StoreOp[]>
  record?(messageId: string, sentAt: number): MessageRecord
  resolve(messageId: string): void
  reject(err: Error): void
}

/** What `send` returns. */
export interface SendResult {
  messageId: string
  conversationId: string
  status: DeliveryStatus
  sentAt: number
}

export interface StatusChange {
  messageId: string
  conversationId?: string
  peer: string
  status: DeliveryStatus
  reason?: string
}

export interface AgentNodeEvents {
  'message.received': CustomEvent<MessageRecord>
  'message.status': CustomEvent<StatusChange>
  'message.read': CustomEvent<{ messageId: string, conversationId: string }>
  /** a response to a task we requested */
  'task.response': CustomEvent<MessageRecord>
  /** a message reached its `expiresAt` and was deleted here (the other side deletes its copy too) */
  'message.expired': CustomEvent<{ messageId: string, conversationId: string }>
  /** a task we requested reached its deadline without a terminal response */
  'task.expired': CustomEvent<OpenTask>
  /** a post in a den we joined (ours included when it comes back from a catch-up, never twice) */
  'den.message': CustomEvent<DenPostRecord>
  /** a den we were in was destroyed by its owner: nothing of it is kept */
  'den.destroyed': CustomEvent<{ denId: string }>
  /** an agent the inbox policy does not admit wrote to us: its messages wait in a request */
  'connection.request': CustomEvent<ConnectionRequest>
  /** an agent accepted our message request: the messages it held are in its inbox */
  'connection.accepted': CustomEvent<ConsentAnswer>
  /** an agent declined our message request: the messages it held were dropped unread */
  'connection.declined': CustomEvent<ConsentAnswer>
  /**
   * a relay of the recipient did not take a message we could not deliver directly:
   * `reason` is the relay's refusal (`RATE_LIMITED`, `MAILBOX_FULL`, `TOO_LARGE`, ...)
   * or `RelayUnavailableError`; the message stays queued and is tried again
   */
  'relay.refused': CustomEvent<RelayRefusal>
}

/** Counters of the node (tests, metrics). */
export interface NodeStats {
  x3dhInitiated: number
  rejectedFrames: number
  /** envelopes refused: bad signature, undecryptable, invalid body, policy */
  rejectedEnvelopes: number
  duplicates: number
  /** messages from blocked agents that reached us through a relay, dropped unread */
  blockedDrops: number
  /** messages refused by the receiving rate limit or the content policy */
  policyRefusals: number
  /** messages held in message requests */
  held: number
}

export interface ConnectionRequest {
  peer: string
  /** ms since the epoch */
  firstAt: number
  /** the message that opened the request */
  message?: MessageRecord
}

export interface ConsentAnswer {
  peer: string
  /** our messages the request held */
  messageIds: string[]
}

export interface RelayRefusal {
  messageId: string
  peer: string
  relay: string
  reason: string
  retryAfterMs?: number
}

/** A conversation with one peer, for agents that think in sessions. */
export interface AgentSession {
  readonly peer: string
  readonly conversationId: string
  send(body: OutgoingBody): Promise<SendResult>
  /** Calls `handler` for each message from this peer; returns the unsubscribe function. */
  onMessage(handler: (message: MessageRecord) => void): () => void
}

type NodeServices = { card: CardService, dm: DmService, relay?: RelayService, verify?: VerifyService }

interface NodeParts {
  prims: Primitives
  identity: Identity
  store: Store
  libp2p: AgentLibp2p<NodeServices>
  relays: RelayManager
  archive: HistoryArchive
  dens: DenManager
  /** peers whose trust is `blocked` (the connection gater reads it) */
  blocked: Set<string>
  prekeys: PrekeyManager
  sessions: SessionManager
  tasks: TaskTracker
  options: AgentNodeOptions
  /** the credential `verify()` earned (kept in store.meta), else `options.credential` */
  credential: { bytes?: Uint8Array }
  gate: InboxGate
  limits: PeerLimits
  rules: ContentRules
  expiry: MessageExpiry
}

export class AgentNode extends EventTarget {
  readonly peerId: string
  readonly libp2p: AgentLibp2p<NodeServices>
  readonly #parts: NodeParts
  readonly #self: Uint8Array
  #started = false
  readonly #stats = { rejectedFrames: 0 }
  readonly #queue = new DeliveryQueue()
  #purgeTimer?: ReturnType<typeof setInterval>
  readonly #receiver: Receiver
  /** plaintexts waiting to be sealed, per peer (group commit) */
  readonly #outgoing = new Map<string, OutgoingJob[]>()
  readonly #draining = new Set<string>()
  /** per peer: the last send still checking policy and limits before it queues */
  readonly #sendTurns = new Map<string, Promise<void>>()
  /** peer id string → conversation id, for peers sent to lately (#sendConversation) */
  readonly #sendPeers = new Lru<string>(SEND_PEERS_CACHED)
  /** `sent` states, ack results and relay deposits, written lazily (§16.4 rule 4), together */
  readonly #statuses = new Coalescer<StatusItem>(async (items) => { await this.#recordStatuses(items) }, logError,
    // messages first: a send (or a received message) being written goes out before this bookkeeping takes the thread
    async () => { await this.#receiver.settled() })
  /** `sent` states wait a little for their ack, to be written with it */
  readonly #sentHold = new SentHold<StatusItem>((item) => { this.#statuses.push(item) })
  /** peers whose mail is being deposited at their relays now */
  readonly #depositing = new Set<string>()
  #discovery?: AbortController
  /** aborted at stop: card lookups still running give up at once instead of holding stop() up */
  readonly #stopping = new AbortController()

  private constructor (parts: NodeParts) {
    super()
    this.#parts = parts
    this.libp2p = parts.libp2p
    this.peerId = parts.libp2p.peerId.toString()
    this.#self = parts.identity.peerId
    this.#receiver = new Receiver({
      store: parts.store,
      sessions: parts.sessions,
      tasks: parts.tasks,
      self: this.#self,
      peerId: this.peerId,
      received: (record) => {
        if (record.expiresAt !== undefined) parts.expiry.note(record.expiresAt)
        this.dispatchEvent(new CustomEvent('message.received', { detail: record }))
        if (record.type === 'task-response') this.dispatchEvent(new CustomEvent('task.response', { detail: record }))
      },
      status: (change) => { this.#emitStatus(change) },
      den: async (from, control) => await parts.dens.controlOps(from, control),
      reply: async (to, body) => await this.send(to, body),
      gate: parts.gate,
      limits: parts.limits,
      rules: parts.rules,
      blocked: (peer) => parts.blocked.has(peer),
      requested: (request, first) => {
        if (first) this.dispatchEvent(new CustomEvent('connection.request', { detail: requestEvent(request) }))
      },
      consent: (peer, decision, messageIds) => {
        this.dispatchEvent(new CustomEvent(`connection.${decision}`, { detail: { peer, messageIds } }))
      }
    })
    // every stored or changed message goes to the history archive at our relays
    const archive = (evt: Event): void => { parts.archive.mark((evt as CustomEvent<{ messageId: string }>).detail.messageId) }
    for (const type of ['message.received', 'message.status', 'message.read']) this.addEventListener(type, archive)
  }

  /** @internal use createAgentNode */
  static async create (options: AgentNodeOptions): Promise<AgentNode> {
    const prims = options.primitives ?? defaultPrimitives()
    if (options.inboxPolicy !== undefined && !INBOX_POLICIES.includes(options.inboxPolicy)) {
      throw new NodeOptionsError(`inboxPolicy: expected one of ${INBOX_POLICIES.join(', ')}`)
    }
    const limits = new PeerLimits({ denPostsPerMinute: options.denPostsPerMinute, ...options.rateLimits })
    const rules = new ContentRules({ ...options.spam, policy: options.contentPolicy })
    const dir = await openDataDir(options.dataDir, { passphrase: options.passphrase, primitives: prims })
    const relayOptions = options.relay === true ? {} : options.relay === false ? undefined : options.relay
    const store = await openStore({
      path: dir.storePath,
      storageKey: dir.storageKey,
      mailbox: relayOptions,
      archive: { maxEntries: relayOptions?.maxArchiveEntries, maxBytes: relayOptions?.maxArchiveBytes },
      eventLog: options.eventLog ?? false
    })
    const issuerOptions = options.issuer === true ? {} : options.issuer === false ? undefined : options.issuer
    const credential: NodeParts['credential'] = {}
    const prekeys = new PrekeyManager(prims, dir.identity, store)
    // the services are built before the node that handles their callbacks
    const ref: { node?: AgentNode } = {}
    const late = (): AgentNode => {
      if (ref.node == null) throw new Error('agent node not ready')
      return ref.node
    }
    let libp2p: NodeParts['libp2p']
    // blocked peers are refused by the connection gater, before any stream opens
    const blocked = new Set<string>()
    try {
      await prekeys.refresh()
      options = await withSavedProfile(store, options)
      credential.bytes = await savedCredential(store) ?? options.credential
      for (const contact of await store.contacts.list()) if (contact.trust === 'blocked') blocked.add(contact.peerId)
      const extraBlock = options.libp2p?.isBlocked
      libp2p = await createAgentLibp2p({
        ...options.libp2p,
        isBlocked: (peer) => blocked.has(peer.toString()) || (extraBlock?.(peer) ?? false),
        privateKey: dir.privateKey,
        datastorePath: dir.datastorePath,
        listen: options.listen,
        bootstrap: options.bootstrap,
        dhtServer: options.dhtServer ?? relayOptions != null,
        primitives: prims,
        start: false,
        services: {
          ...options.libp2p?.services,
          card: cardService({
            identity: dir.identity,
            primitives: prims,
            takeOneTimePrekey: async () => await prekeys.handOut(),
            // verified again when read back; a DHT miss falls back to it, across restarts too
            cache: {
              get: async (peer) => {
                const entry = await store.meta.get<{ bytes: string, fetchedAt: number }>(`card/${peer.toString()}`)
                return entry == null ? undefined : { bytes: new Uint8Array(Buffer.from(entry.bytes, 'base64')), fetchedAt: entry.fetchedAt }
              },
              put: async (peer, entry) => {
                await store.meta.put(`card/${peer.toString()}`, { bytes: Buffer.from(entry.bytes).toString('base64'), fetchedAt: entry.fetchedAt })
              }
            }
          }),
          dm: (components: ConstructorParameters<typeof DmService>[0]) => new DmService(components, {
            deliver: async (from, envelope) => await late().#receiver.deliver(from, envelope),
            pending: async (peer) => late().#queue.pending(peer),
            sent: (peer, id) => { late().#sentHold.hold(id, { peer, messageId: id }) },
            acked: async (peer, id, status, reason) => { late().#onAck(peer, id, status, reason) },
            rejectedFrame: () => { late().#stats.rejectedFrames++ },
            unreachable: async (peer) => {
              // held at its relays: nothing left to look for now
              if (!await late().#depositAtRelays(peer)) await late().#relocate(peer)
            }
          }, options.dm),
          ...(relayOptions == null
            ? {}
            : {
                relay: relayService({
                  store,
                  primitives: prims,
                  depositsPerMinute: relayOptions.depositsPerMinute,
                  historyReadsPerMinute: relayOptions.historyReadsPerMinute,
                  // the den store: keep dens' envelopes for members that catch up
                  hostDen: async (descriptor, roster, requester) => { await late().#parts.dens.host(descriptor, roster, requester) }
                })
              }),
          ...(issuerOptions == null
            ? {}
            : { verify: verifyService({ identity: dir.identity, primitives: prims, attemptsPerHour: issuerOptions.attemptsPerHour }) })
        }
      }) as unknown as NodeParts['libp2p']
    } catch (err) {
      await store.close()
      throw err
    }
    const sessions = new SessionManager({
      prims,
      identity: dir.identity,
      storage: { get: async (peer) => await store.sessions.get(peer) },
      bundle: async (peer) => await late().#bundle(peer),
      prekeys: async (x3dh) => await prekeys.forHeader(x3dh),
      ratchet: options.ratchet
    })
    const tasks = new TaskTracker(store, (task) => { late().dispatchEvent(new CustomEvent('task.expired', { detail: task })) })
    const relays = new RelayManager({
      dial: async (peer, protocol, opts) => await libp2p.dialProtocol(peer, protocol, opts),
      peerStore: libp2p.peerStore,
      contentRouting: libp2p.contentRouting,
      events: libp2p,
      deliver: async (relay, envelope) => await late().#receiver.deliver(relay, envelope, { relayed: true }),
      delivered: (items) => { late().#acknowledgeRelayed(items) }
    }, { relays: options.relays, discover: options.discoverRelays })
    const archive = new HistoryArchive({ prims, store, archiveKey: dir.archiveKey, relays: () => relays.ownClients() })
    const self = libp2p.peerId.toString()
    const dens = new DenManager({
      prims,
      identity: dir.identity,
      self,
      store,
      pubsub: libp2p.services.pubsub,
      contentRouting: libp2p.contentRouting,
      events: libp2p,
      dial: async (peer, opts) => await libp2p.dial(peer, opts),
      dialProtocol: async (peer, protocol, opts) => await libp2p.dialProtocol(peer, protocol, opts),
      handle: async (protocol, handler) => { await libp2p.handle(protocol, (stream, connection) => { handler(stream, connection) }) },
      unhandle: async (protocol) => { await libp2p.unhandle(protocol) },
      sendControl: async (to, control) => { await late().#sendDenControl(to, control) },
      emit: (type, detail) => { late().dispatchEvent(new CustomEvent(type, { detail })) },
      credential: () => credential.bytes,
      trustedIssuers: options.trustedIssuers ?? [],
      relays: () => relays.relayIds,
      hostAtRelays: async (descriptor, roster) => {
        const results = await Promise.allSettled(relays.ownClients().map(async client => { await client.hostDen(descriptor, roster) }))
        const failed = results.filter(r => r.status === 'rejected')
        if (failed.length > 0 && failed.length === results.length) throw (failed[0] as PromiseRejectedResult).reason
      },
      postsPerMinute: limits.limits.denPostsPerMinute,
      maxHostedDens: relayOptions?.maxHostedDens
    })
    const gate = new InboxGate({
      store,
      policy: () => late().#parts.options.inboxPolicy ?? 'open',
      hasCredential: async (peer) => await late().#hasCredential(peer, AbortSignal.timeout(CREDENTIAL_LOOKUP_TIMEOUT)),
      maxPending: options.requests?.maxPending,
      maxHeld: options.requests?.maxHeld
    })
    const expiry = new MessageExpiry({
      store,
      expired: (records) => {
        for (const { messageId, conversationId } of records) late().dispatchEvent(new CustomEvent('message.expired', { detail: { messageId, conversationId } }))
      }
    })
    const node = new AgentNode({ prims, identity: dir.identity, store, libp2p, prekeys, sessions, tasks, relays, archive, dens, blocked, options, credential, gate, limits, rules, expiry })
    ref.node = node
    if (options.start !== false) await node.start()
    return node
  }

  get isStarted (): boolean {
    return this.#started
  }

  /** Counters for tests and metrics. */
  get stats (): NodeStats {
    return { x3dhInitiated: this.#parts.sessions.x3dhInitiated, ...this.#stats, ...this.#receiver.stats }
  }

  /**
   * Dens and channels (DESIGN.md §7): `create`, `join`, `leave`, `post`,
   * `feed`, `addMembers`, `removeMembers`, `destroy`, `listPublicDens`;
   * posts arrive as `den.message` events.
   */
  get dens (): DenManager {
    return this.#parts.dens
  }

  /** A den control body to one peer over its 1:1 session (reliable: outbox, relays). */
  async #sendDenControl (to: string, control: Uint8Array): Promise<void> {
    const convId = conversationId(this.#self, parsePeer(to).toMultihash().bytes)
    await this.#sealAndQueue(to, encodeBody({ type: 'den', den: control }, convId), () => [])
  }

  /** 30 digits of our identity key, to read out to another agent's operator. */
  get fingerprint (): string {
    return fingerprint(this.peerId)
  }

  /** 60 digits both agents compute identically: compare them out of band, then mark the peer `trusted`. */
  safetyNumber (peer: string): string {
    parsePeer(peer)
    return safetyNumber(this.peerId, peer)
  }

  /**
   * Set a peer's trust level (DESIGN §8: blocked < unknown < verified <
   * contact < trusted) and alias. `blocked` takes effect at once: existing
   * connections are closed and the connection gater refuses every new one,
   * before any stream opens, across restarts too; a waiting message request
   * is dropped. `contact` and `trusted` admit the peer under every inbox
   * policy: a waiting request is accepted.
   */
  async setContact (peer: string, contact: { trust: ContactTrust, alias?: string }): Promise<ContactRecord> {
    const pid = parsePeer(peer)
    if (pid.equals(this.libp2p.peerId)) throw new InvalidPeerError('cannot make ourselves a contact')
    const { store, gate, blocked } = this.#parts
    const record = await store.contacts.put({ peerId: peer, trust: contact.trust, ...(contact.alias == null ? {} : { alias: contact.alias }) })
    if (record.trust === 'blocked') {
      blocked.add(peer)
      await this.libp2p.hangUp(pid).catch(err => { log('closing connections to blocked %s: %s', peer, (err as Error).message) })
      // a waiting request is dropped unanswered
      await this.#receiver.commit(this.#receiver.epoch, async () => await gate.dropOps(peer))
    } else {
      blocked.delete(peer)
    }
    if (record.trust === 'contact' || record.trust === 'trusted') {
      // a contact is admitted: a refusal is forgotten, a waiting request delivered
      await store.write(store.requests.undeclineOps(peer))
      await this.#acceptIfPending(peer)
    }
    return record
  }

  async #acceptIfPending (peer: string): Promise<void> {
    await this.acceptRequest(peer).catch(err => { if ((err as Error).name !== 'RequestNotFoundError') throw err })
  }

  /**
   * The trust level we give `peer` (DESIGN §8): its contact record's when
   * that is `blocked`, `contact` or `trusted`; else `verified` when its card
   * shows a valid credential from one of our trusted issuers (looked up in
   * the cache, the DHT or the peer); else what the record says, or `unknown`.
   */
  async trustLevel (peer: string, options: { signal?: AbortSignal } = {}): Promise<ContactTrust> {
    const stored = (await this.contact(peer))?.trust
    if (stored === 'blocked' || stored === 'contact' || stored === 'trusted') return stored
    const verified = await this.#hasCredential(peer, options.signal ?? AbortSignal.timeout(CREDENTIAL_LOOKUP_TIMEOUT)).catch(() => false)
    return verified ? 'verified' : stored ?? 'unknown'
  }

  /** Whether `peer`'s card shows a credential about it from one of our trusted issuers, unexpired. */
  async #hasCredential (peer: string, signal: AbortSignal): Promise<boolean> {
    const { card } = await this.libp2p.services.card.resolve(parsePeer(peer), { signal })
    const trustedIssuers = this.#parts.options.trustedIssuers ?? []
    return card.credentials.some(bytes => isCredentialValid(this.#parts.prims, bytes, { trustedIssuers, subject: peer }))
  }

  async contact (peer: string): Promise<ContactRecord | undefined> {
    return await this.#parts.store.contacts.get(parsePeer(peer).toString())
  }

  async contacts (): Promise<ContactRecord[]> {
    return await this.#parts.store.contacts.list()
  }

  /** Forget a contact (a blocked peer is let in again). false when there was none. */
  async removeContact (peer: string): Promise<boolean> {
    const removed = await this.#parts.store.contacts.remove(parsePeer(peer).toString())
    this.#parts.blocked.delete(peer)
    return removed
  }

  /** The directory this node keeps its identity and databases in. */
  get dataDir (): string {
    return this.#parts.options.dataDir
  }

  /** Listen addresses with our peer id. */
  get addresses (): string[] {
    return this.libp2p.getMultiaddrs().map(a => a.toString())
  }

  async start (): Promise<void> {
    if (this.#started) return
    await this.libp2p.start()
    await this.#parts.tasks.start()
    // messages whose expiresAt passed while we were stopped go now
    await this.#parts.expiry.start()
    this.#started = true
    this.libp2p.addEventListener('peer:connect', (evt) => { this.#parts.libp2p.services.dm.flush(evt.detail.toString()) })
    // our mailboxes first: subscribe and fetch what waited for us while we join the network
    await this.#parts.relays.start()
    await this.#parts.dens.start()
    // Ready means reachable: with a bootstrap list, wait (briefly) to join the network and
    // publish our card; the card service keeps retrying a put that reached no DHT peer.
    if ((this.#parts.options.bootstrap?.length ?? 0) > 0) await this.#joined(READY_TIMEOUT)
    const publishing = this.publishCard().catch(err => { log('card not published yet: %s', (err as Error).message) })
    if (this.libp2p.getConnections().length > 0) await raceTimeout(publishing, READY_TIMEOUT)
    for (const peer of await this.#queue.load(this.#parts.store)) this.libp2p.services.dm.flush(peer)
    this.libp2p.services.relay?.afterStart()
    this.#discoverRelays()
    // envelope ids older than the replay window (30 days) are forgotten: now, then daily
    this.#purgeReplayIds()
    this.#purgeTimer = setInterval(() => { this.#purgeReplayIds() }, REPLAY_PURGE_INTERVAL)
    this.#purgeTimer.unref?.()
  }

  #purgeReplayIds (): void {
    this.#parts.store.replay.purge()
      .then(n => { if (n > 0) log('forgot %d envelope ids past the replay window', n) })
      .catch(logError)
    this.#parts.store.events.prune().catch(logError)
  }

  /** Resolves on the first connection, or after `timeout` ms. */
  async #joined (timeout: number): Promise<void> {
    if (this.libp2p.getConnections().length > 0) return
    await raceTimeout(new Promise<void>(resolve => {
      this.libp2p.addEventListener('peer:connect', () => { resolve() }, { once: true })
    }), timeout)
  }

  async stop (): Promise<void> {
    if (!this.#started) return
    this.#started = false
    this.#stopping.abort()
    clearInterval(this.#purgeTimer)
    this.#discovery?.abort()
    await this.#parts.archive.stop()
    await this.#parts.dens.stop()
    this.#parts.relays.stop()
    this.#parts.tasks.stop()
    this.#parts.expiry.stop()
    await this.#parts.expiry.idle()
    await this.libp2p.stop()
    this.#sentHold.flush()
    await this.#statuses.idle()
    this.#parts.sessions.clear()
    await this.#parts.store.close()
  }

  /** Sign our card (name, skills, signed prekey) and put it in the DHT. */
  async publishCard (): Promise<void> {
    const { prims, identity, options, prekeys } = this.#parts
    const { bytes } = signCard(prims, identity, {
      name: options.name ?? 'agent',
      description: options.description,
      signedPrekey: prekeys.current,
      inboxPolicy: options.inboxPolicy ?? 'open',
      skills: options.skills,
      relays: this.#parts.relays.cardRelays,
      credentials: this.#parts.credential.bytes == null ? [] : [this.#parts.credential.bytes]
    })
    await this.libp2p.services.card.publish(bytes)
  }

  /**
   * Run the speed challenge at `issuer` (a PeerId string) and keep the
   * credential it signs: checked against that issuer and ourselves, stored
   * (it outlives restarts), shown in verified dens and in our card, which is
   * published again.
   *
   * @throws WrongAnswerError | TooSlowError | ChallengeRateLimitedError | ChallengeRefusedError - the issuer refused
   * @throws IssuerUnavailableError - it could not be reached or is no issuer
   * @throws ChallengeFrameError - it broke the protocol or signed a credential we refuse
   */
  async verify (issuer: string, options: Pick<RequestCredentialOptions, 'signal' | 'solve'> = {}): Promise<VerifiedCredential> {
    const { prims, store } = this.#parts
    const issuerId = parsePeer(issuer)
    const bytes = await requestCredential(async (peer, protocol, opts) => await this.libp2p.dialProtocol(peer, protocol, opts), issuerId, { ...options, primitives: prims })
    let verified: VerifiedCredential
    try {
      verified = verifyCredential(prims, bytes, { trustedIssuers: [issuerId.toString()], subject: this.peerId })
    } catch (err) {
      // about someone else, from another issuer, expired, forged: the issuer broke the protocol
      throw new ChallengeFrameError(`issuer ${issuer} sent a credential we refuse: ${(err as Error).message}`, { cause: err })
    }
    await store.meta.put(CREDENTIAL_KEY, Buffer.from(verified.bytes).toString('base64'))
    this.#parts.credential.bytes = verified.bytes
    // as in start(): wait briefly, the card service keeps retrying a put that reached no DHT peer
    await raceTimeout(this.publishCard().catch(err => { log('card not published yet: %s', (err as Error).message) }), READY_TIMEOUT)
    return verified
  }

  /** The credential this node shows (earned with `verify()`, else the one it was given), if any. */
  get credential (): Uint8Array | undefined {
    return this.#parts.credential.bytes
  }

  /** Another agent's card, from the cache, the DHT or the agent itself. */
  async getCard (peer: string, options: { signal?: AbortSignal } = {}): Promise<ResolvedCard> {
    return await this.libp2p.services.card.resolve(parsePeer(peer), options)
  }

  /**
   * Seal and queue a message; it goes out now if the peer is reachable and
   * otherwise when it is. Throws `BodyValidationError` before anything is
   * stored or sent, `InvalidPeerError` for a bad peer id,
   * `ContentPolicyError` when the content policy refuses it (the spam rule,
   * or the agent's own), `RateLimitedError` past the DMs a minute to this
   * peer (its `retryAfterMs` says when to try again), and
   * `CardNotFoundError` when no session exists and the peer's card cannot be
   * found. Delivery progress arrives as `message.status` events. Writing to
   * a peer whose message request waits accepts the request.
   */
  async send (to: string, body: OutgoingBody): Promise<SendResult> {
    const valid = validateBody(body)
    const convId = this.#sendConversation(to)
    const { tasks, rules, limits, gate } = this.#parts
    // one send at a time per peer up to its queueing, in call order: concurrent sends keep their order
    const { queued, processedReceiptFor } = await this.#inTurn(to, async () => {
      await rules.checkSend(valid, { peer: to, conversationId: convId })
      limits.sendDm(to)
      // answering a message request accepts it: what it held reaches the inbox first
      if (await gate.hasPending(to)) await this.#acceptIfPending(to)
      let taskOps: (messageId: string) => StoreOp[] = () => []
      let processedReceiptFor: string | undefined
      if (valid.type === 'task-request') {
        const task = valid.task!
        taskOps = (messageId) => tasks.openOps({ taskId: task.taskId, messageId, peer: to, deadline: task.deadline! })
      } else if (valid.type === 'task-response') {
        const answered = await tasks.answered(to, valid)
        taskOps = () => answered.ops
        if (TERMINAL_STATES.has(valid.task!.state!)) processedReceiptFor = answered.requestMessageId
      }
      // queued now (not awaited: the write is shared with the sends behind this one)
      const queued = this.#sealAndQueue(to, encodeBody(valid, convId), taskOps, (messageId, sentAt) => ({
        messageId,
        conversationId: convId,
        direction: 'out',
        from: this.peerId,
        to,
        ...recordFields(valid),
        sentAt,
        read: true,
        status: 'queued'
      }))
      return { queued, processedReceiptFor }
    })
    const result = await queued
    if (valid.expiresAt !== undefined) this.#parts.expiry.note(valid.expiresAt)
    if (valid.type === 'task-request') tasks.armed(valid.task!.taskId)
    if (processedReceiptFor != null) {
      // signed proof for the requester that its task was processed
      await this.#sendReceipt(to, convId, Receipt.Kind.PROCESSED, processedReceiptFor, valid.task!.taskId)
    }
    return { ...result, conversationId: convId }
  }

  /**
   * The conversation id of a peer we may send to (its PeerId parsed and
   * checked: an agent, not us). Remembered for the last SEND_PEERS_CACHED
   * peers: parsing and hashing cost ~5 µs a message.
   */
  #sendConversation (to: string): string {
    const known = this.#sendPeers.get(to)
    if (known !== undefined) return known
    const peer = parsePeer(to)
    if (peer.equals(this.libp2p.peerId)) throw new InvalidPeerError('cannot send to ourselves')
    const convId = conversationId(this.#self, peer.toMultihash().bytes)
    this.#sendPeers.set(to, convId)
    return convId
  }

  /** Runs `fn` after every earlier `fn` for `to` settled: per-peer order for work that awaits before it queues. */
  async #inTurn<T> (to: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#sendTurns.get(to) ?? Promise.resolve()).then(fn)
    const settled = run.then(() => {}, () => {})
    this.#sendTurns.set(to, settled)
    void settled.then(() => { if (this.#sendTurns.get(to) === settled) this.#sendTurns.delete(to) })
    return await run
  }

  async #sendReceipt (to: string, convId: string, kind: Receipt.Kind, messageId: string, taskId = ''): Promise<void> {
    await this.#sealAndQueue(to, encodeBody({ type: 'receipt', receipt: { kind, messageIds: [messageId], taskId } }, convId), () => [])
  }

  /**
   * Queue a plaintext for `to`. Messages queued for the same peer while an
   * earlier batch is being written are sealed and written together (group
   * commit): one store write per batch, not per message. Each resolves once
   * its batch is on disk, and only then goes to the transport.
   */
  async #sealAndQueue (to: string, plaintext: Uint8Array, extraOps: (messageId: string) => StoreOp[] | Promise<StoreOp[]>, record?: (messageId: string, sentAt: number) => MessageRecord): Promise<Omit<SendResult, 'conversationId'>> {
    const sentAt = Date.now()
    const messageId = await new Promise<string>((resolve, reject) => {
      let queue = this.#outgoing.get(to)
      if (queue == null) {
        queue = []
        this.#outgoing.set(to, queue)
      }
      queue.push({ plaintext, sentAt, extraOps, record, resolve, reject })
      if (queue.length === 1 && !this.#draining.has(to)) void this.#drain(to)
    })
    return { messageId, status: 'queued', sentAt }
  }

  /** Hand what was just queued for `to` to the transport, as soon as it is on disk (once per batch). */
  #transmit (to: string): void {
    const { dm } = this.libp2p.services
    // a peer that just could not be reached gets its mail at its relays, without another dial
    if (dm.isBackingOff(to)) void this.#depositAtRelays(to)
    else dm.flush(to)
  }

  async #drain (to: string): Promise<void> {
    this.#draining.add(to)
    // batches sealed and queued for the store, oldest first: the next batch is sealed while the
    // one before it is being written (group commit keeps their order), at most SEND_BATCHES_IN_FLIGHT
    const writing: Array<Promise<void>> = []
    try {
      for (;;) {
        const queue = this.#outgoing.get(to)
        if (queue == null || queue.length === 0) {
          // done only with nothing queued and nothing being written (a send may come meanwhile)
          if (writing.length === 0) break
          await writing.shift()
          continue
        }
        if (writing.length >= SEND_BATCHES_IN_FLIGHT) await writing.shift()
        const batch = queue.splice(0, MAX_SEND_BATCH)
        writing.push(this.#sealBatch(to, batch))
        // let the transport and incoming acks run before sealing the next batch: a burst of sends
        // otherwise seals and writes everything before the first frame goes out
        if ((this.#outgoing.get(to)?.length ?? 0) > 0) await new Promise(resolve => setImmediate(resolve))
      }
    } finally {
      this.#draining.delete(to)
      this.#outgoing.delete(to)
    }
  }

  /**
   * Seal `batch` for `to` and queue its write, without holding the session
   * lock while the write runs. Resolves (never rejects) once the batch has
   * settled: on disk, `queued` emitted and handed to the transport, each
   * send resolved; or each send rejected. A failed write rejects every
   * write queued behind it and drops the sessions in memory (the receiver's
   * group commit), so no batch sealed from that state reaches the disk.
   */
  async #sealBatch (to: string, batch: OutgoingJob[]): Promise<void> {
    const { store, sessions } = this.#parts
    try {
      // read before the session is: a write failing in between fails this batch (send again)
      const epoch = this.#receiver.epoch
      const { ids, written } = await sessions.sealMany(to, batch, async (sealed, session) => {
        const ids = sealed.map(s => Buffer.from(s.id).toString('hex'))
        // in the same ordered group commit as received messages, so a send never stores
        // session state past a received message whose write failed; not awaited under the lock
        const written = this.#receiver.commit(epoch, async () => {
          const ops: StoreOp[] = []
          for (let i = 0; i < batch.length; i++) {
            const job = batch[i]!
            const id = ids[i]!
            if (job.record != null) {
              const record = job.record(id, job.sentAt)
              // the id of the envelope just sealed: new by construction
              ops.push(...await store.messages.putOps(record, { fresh: true }), ...statusEventOps(store, { messageId: id, conversationId: record.conversationId, peer: to, status: 'queued' }))
            }
            ops.push(...await store.outbox.enqueueOps({ messageId: id, to, envelope: sealed[i]!.envelope, createdAt: job.sentAt }))
            ops.push(...await job.extraOps(id))
          }
          ops.push(...store.sessions.putOps(to, session, true))
          return ops
        })
        const queued = written.then(() => { for (let i = 0; i < batch.length; i++) this.#queue.add(to, ids[i]!, sealed[i]!.envelope) })
        // awaited below, once the lock is released; a failure is handled there
        queued.catch(() => {})
        return { ids, written: queued }
      })
      await written
      // 'queued' before the transport can report 'sent'
      batch.forEach((job, i) => { if (job.record != null) this.#emitStatus({ messageId: ids[i]!, peer: to, status: 'queued' }) })
      this.#transmit(to)
      batch.forEach((job, i) => { job.resolve(ids[i]!) })
    } catch (err) {
      for (const job of batch) job.reject(err as Error)
    }
  }

  /** A conversation-shaped view of one peer. */
  createSession (to: string): AgentSession {
    const peer = parsePeer(to)
    const convId = conversationId(this.#self, peer.toMultihash().bytes)
    return {
      peer: to,
      conversationId: convId,
      send: async (body) => await this.send(to, body),
      onMessage: (handler) => {
        const listener = (evt: Event): void => {
          const message = (evt as CustomEvent<MessageRecord>).detail
          if (message.from === to) handler(message)
        }
        this.addEventListener('message.received', listener)
        return () => { this.removeEventListener('message.received', listener) }
      }
    }
  }

  async inbox (options?: InboxOptions): Promise<InboxPage> {
    return await this.#parts.store.messages.inbox(options)
  }

  async conversations (options?: ConversationListOptions): Promise<ConversationRecord[]> {
    return await this.#parts.store.conversations.list(options)
  }

  /** A page of one conversation. `RateLimitedError` past the reads a minute of one conversation (300). */
  async history (conversationId: string, options?: HistoryOptions): Promise<HistoryPage> {
    this.#parts.limits.readHistory(conversationId)
    return await this.#parts.store.messages.history(conversationId, options)
  }

  /** Message requests waiting for an answer, oldest first, each with the messages it holds. */
  async requests (): Promise<RequestRecord[]> {
    return await this.#parts.store.requests.list()
  }

  /**
   * Accept the message request of `peer`: the messages it held reach the
   * inbox in the order they came (with their `message.received` events), the
   * peer becomes a contact, and it is told. Returns the delivered messages.
   * @throws RequestNotFoundError - no request waits from that peer
   */
  async acceptRequest (peer: string): Promise<MessageRecord[]> {
    const held = await this.#answerRequest(peer, async (store) => {
      const accepted = await this.#parts.gate.acceptOps(peer)
      if (accepted == null) return undefined
      const ops = [...accepted.ops, ...store.requests.undeclineOps(peer)]
      for (const record of accepted.held) ops.push(...await this.#receiver.deliveryOps(record))
      return { ops, held: accepted.held }
    })
    for (const record of held) await this.#receiver.delivered(record)
    await this.#sendConsent(peer, Consent.Decision.ACCEPTED, held.map(m => m.messageId))
    return held
  }

  /**
   * Decline the message request of `peer`: the messages it held are dropped
   * unread, its later messages are refused (until it is made a contact), and
   * it is told in a signed `consent` body, which it sees as
   * `connection.declined`. Returns the ids of the dropped messages.
   * @throws RequestNotFoundError - no request waits from that peer
   */
  async declineRequest (peer: string): Promise<string[]> {
    const held = await this.#answerRequest(peer, async () => {
      const declined = await this.#parts.gate.declineOps(peer)
      return declined == null ? undefined : { ops: declined.ops, held: declined.held }
    })
    const dropped = held.map(m => m.messageId)
    await this.#sendConsent(peer, Consent.Decision.DECLINED, dropped)
    return dropped
  }

  /**
   * Accept or decline inside the group commit of received messages, so a
   * message from the peer is held before, or admitted after, never lost in
   * between.
   */
  async #answerRequest (peer: string, build: (store: Store) => Promise<{ ops: StoreOp[], held: MessageRecord[] } | undefined>): Promise<MessageRecord[]> {
    parsePeer(peer)
    let held: MessageRecord[] | undefined
    await this.#receiver.commit(this.#receiver.epoch, async () => {
      const answered = await build(this.#parts.store)
      held = answered?.held
      return answered?.ops ?? []
    })
    if (held == null) throw new RequestNotFoundError(`no message request from ${peer}`)
    return held
  }

  async #sendConsent (peer: string, decision: Consent.Decision, messageIds: string[]): Promise<void> {
    const convId = conversationId(this.#self, parsePeer(peer).toMultihash().bytes)
    await this.#sealAndQueue(peer, encodeBody({ type: 'consent', consent: { decision, messageIds } }, convId), () => [])
  }

  /**
   * The worker's signed receipt that it processed a task we sent (the raw
   * envelope: its signature verifies against the worker's PeerId), once it came.
   */
  async taskProof (messageId: string): Promise<Uint8Array | undefined> {
    const proof = await this.#parts.store.meta.get<string>(`proof/${messageId}`)
    return proof == null ? undefined : new Uint8Array(Buffer.from(proof, 'base64'))
  }

  async message (messageId: string): Promise<MessageRecord | undefined> {
    return await this.#parts.store.messages.get(messageId)
  }

  /** Mark an incoming message read and tell its sender (a read receipt). false for an unknown id. */
  async markRead (messageId: string): Promise<boolean> {
    const { store } = this.#parts
    const message = await store.messages.get(messageId)
    if (message == null || message.direction !== 'in') return false
    if (message.read) return true
    // the read flag and the receipt that tells the sender are written together
    const receipt = encodeBody({ type: 'receipt', receipt: { kind: Receipt.Kind.READ, messageIds: [messageId], taskId: '' } }, message.conversationId)
    await this.#sealAndQueue(message.from, receipt, async () => [
      ...(await store.messages.markReadOps(messageId)).ops,
      ...store.events.appendOps('message.read', { messageId, conversationId: message.conversationId })
    ])
    this.dispatchEvent(new CustomEvent('message.read', { detail: { messageId, conversationId: message.conversationId } }))
    return true
  }

  /**
   * Look a peer's addresses up again in the DHT after a failed dial (it may
   * have restarted on other ports), replacing what the peer store had.
   */
  async #relocate (peer: string): Promise<void> {
    const pid = parsePeer(peer)
    try {
      const found = await this.libp2p.peerRouting.findPeer(pid, { signal: AbortSignal.timeout(5_000), useCache: false })
      if (found.multiaddrs.length > 0) await this.libp2p.peerStore.patch(pid, { multiaddrs: found.multiaddrs })
    } catch (err) {
      log('%s not found in the DHT: %s', peer, (err as Error).message)
    }
  }

  /** The prekey bundle for a peer we have no session with: its card, and a one-time prekey if it is online. */
  async #bundle (peer: string): Promise<PrekeyBundle> {
    const card = this.libp2p.services.card
    const pid = parsePeer(peer)
    const signal = AbortSignal.any([AbortSignal.timeout(this.#parts.options.resolveTimeout ?? 15_000), this.#stopping.signal])
    const resolved = await this.#resolveWithRetry(pid, signal)
    if (resolved.addrs.length > 0) {
      await this.libp2p.peerStore.merge(pid, { multiaddrs: resolved.addrs }).catch(() => {})
    }
    const bundle: PrekeyBundle = {
      identityKey: publicKeyFromPeerIdBytes(resolved.card.peerId),
      signedPrekey: resolved.card.signedPrekey!
    }
    if (this.libp2p.getConnections(pid).length > 0) {
      try {
        const direct = await card.fetchDirect(pid, { signal })
        if (direct.oneTimePrekey != null && direct.card.signedPrekey?.id === bundle.signedPrekey.id) {
          bundle.oneTimePrekey = direct.oneTimePrekey
        }
      } catch (err) {
        log('no one-time prekey from %s: %s', peer, (err as Error).message)
      }
    }
    return bundle
  }

  /**
   * A card that is not in the DHT yet (its agent just came up, its first put
   * is in flight) is a passing state: look again with backoff until `signal`.
   */
  async #resolveWithRetry (pid: PeerId, signal: AbortSignal): Promise<ResolvedCard> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        return await this.libp2p.services.card.resolve(pid, { signal })
      } catch (err) {
        if ((err as Error).name !== 'CardNotFoundError' || signal.aborted) throw err
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay)
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
      })
      if (signal.aborted) throw new CardNotFoundError(`no card found for ${pid.toString()}`)
    }
  }

  /**
   * Bring back conversations and messages from the history archive at our
   * relays (a fresh data dir with the same identity). Records already here
   * are kept as they are. `onProgress` gets the count restored so far.
   */
  async restoreHistory (onProgress?: (restored: number) => void): Promise<RestoreResult> {
    return await this.#parts.archive.restore(onProgress)
  }

  /** Upload every stored message to the history archive now (it otherwise follows each change). */
  async archiveHistory (): Promise<void> {
    await this.#parts.archive.syncAll()
  }

  /** The relays we list in our card (configured or found in the DHT). */
  get relays (): string[] {
    return this.#parts.relays.relayIds
  }

  /** With no relays configured, find some in the DHT; publish the card again when the list changed. */
  #discoverRelays (): void {
    if ((this.#parts.options.relays?.length ?? 0) > 0 || (this.#parts.options.discoverRelays ?? 2) === 0) return
    this.#discovery = new AbortController()
    const signal = AbortSignal.any([this.#discovery.signal, AbortSignal.timeout(30_000)])
    this.#parts.relays.discover(signal)
      .then(async (changed) => { if (changed && this.#started) await this.publishCard() })
      .catch(err => { log('relay discovery: %s', (err as Error).message) })
  }

  /**
   * The peer cannot be reached directly: hold its mail at every relay its
   * card lists. What at least one relay stored leaves the outbox as
   * `relayed`; the rest stays for the next attempt.
   */
  async #depositAtRelays (peer: string): Promise<boolean> {
    if (this.#depositing.has(peer)) return false
    this.#depositing.add(peer)
    try {
      // until nothing is left, or a round stores nothing (no relays, all refusing)
      for (;;) {
        const pending = this.#queue.pending(peer).slice(0, MAX_DEPOSIT_BATCH)
        if (pending.length === 0) return true
        let relays
        try {
          relays = (await this.libp2p.services.card.resolve(parsePeer(peer), { signal: AbortSignal.timeout(5_000) })).card.relays
        } catch (err) {
          log('no card for %s, cannot use its relays: %s', peer, (err as Error).message)
          return false
        }
        if (relays.length === 0) return false
        const outcomes = await this.#parts.relays.deposit(relays, pending.map(p => p.envelope))
        let stored = 0
        outcomes.forEach((outcome, i) => {
          const { id } = pending[i]!
          if (outcome.successes.length > 0) {
            stored++
            this.#queue.remove(peer, id)
            this.#sentHold.take(id)
            this.#statuses.push({ peer, messageId: id, relayed: true })
          } else if (i === 0 || outcomes[i - 1]!.successes.length > 0) {
            // the first envelope no relay took: tell the agent why it waits (the rest wait behind it)
            log('could not deposit %s for %s: %s', id, peer, outcome.failures.map(f => `${f.relay}: ${f.error.message}`).join('; '))
            for (const failure of outcome.failures) {
              const refused = failure.error as Partial<RelayRefusedError>
              this.dispatchEvent(new CustomEvent('relay.refused', {
                detail: {
                  messageId: id,
                  peer,
                  relay: failure.relay,
                  reason: refused.refusal ?? failure.error.name,
                  ...(refused.retryAfterMs != null && refused.retryAfterMs > 0 ? { retryAfterMs: refused.retryAfterMs } : {})
                }
              }))
            }
          }
        })
        if (stored === 0) return false
      }
    } finally {
      this.#depositing.delete(peer)
    }
  }

  /** Messages that reached us through relays: tell each sender, one receipt per sender and page. */
  #acknowledgeRelayed (items: Array<{ from: string, messageId: string }>): void {
    const bySender = new Map<string, string[]>()
    for (const { from, messageId } of items) bySender.set(from, [...(bySender.get(from) ?? []), messageId])
    for (const [from, ids] of bySender) {
      const convId = conversationId(this.#self, parsePeer(from).toMultihash().bytes)
      for (let i = 0; i < ids.length; i += MAX_RECEIPT_IDS) {
        const receipt = encodeBody({ type: 'receipt', receipt: { kind: Receipt.Kind.DELIVERED, messageIds: ids.slice(i, i + MAX_RECEIPT_IDS), taskId: '' } }, convId)
        this.#sealAndQueue(from, receipt, () => []).catch(err => { log.error('delivery receipt to %s: %e', from, err) })
      }
    }
  }

  #onAck (peer: string, messageId: string, status: Ack.Status, reason: string): void {
    if (status === Ack.Status.RETRY) return
    // out of the transport's queue now; the store follows in the next batch, with its `sent` if that is still held
    this.#queue.remove(peer, messageId)
    this.#sentHold.take(messageId)
    this.#statuses.push({ peer, messageId, ack: { status, reason } })
  }

  /**
   * `sent` for messages written to a stream, the results of acks and relay
   * deposits since the last batch, in arrival order, in one write: a message
   * sent and acked within one batch has its record sealed once.
   */
  async #recordStatuses (items: StatusItem[]): Promise<void> {
    const { store } = this.#parts
    if (store.closed) return
    const changed: StatusChange[] = []
    await store.write(async () => {
      const ops: StoreOp[] = []
      for (const { peer, messageId, ack, relayed } of items) {
        if (relayed === true) {
          // held at a relay: out of the outbox
          const built = await store.messages.setStatusOps(messageId, 'relayed')
          ops.push(...await store.outbox.removeOps(messageId), ...built.ops)
          if (built.result) {
            const change: StatusChange = { messageId, conversationId: built.result.conversationId, peer, status: 'relayed' }
            ops.push(...statusEventOps(store, change))
            changed.push(change)
          }
          continue
        }
        if (ack == null) {
          const built = await store.messages.setStatusOps(messageId, 'sent')
          if (built.result) {
            const change: StatusChange = { messageId, conversationId: built.result.conversationId, peer, status: 'sent' }
            ops.push(...built.ops, ...statusEventOps(store, change))
            changed.push(change)
          }
          continue
        }
        // delivered (or failed) and out of the outbox
        const { status, reason } = ack
        const next: DeliveryStatus = status === Ack.Status.REJECTED ? 'failed' : 'delivered'
        const built = await store.messages.setStatusOps(messageId, next, next === 'failed' ? `rejected by recipient: ${reason}` : undefined)
        ops.push(...await store.outbox.removeOps(messageId), ...built.ops)
        if (built.result) {
          const change: StatusChange = { messageId, conversationId: built.result.conversationId, peer, status: next, ...(next === 'failed' ? { reason } : {}) }
          ops.push(...statusEventOps(store, change))
          changed.push(change)
        }
      }
      return ops
    })
    for (const change of changed) this.#emitStatus(change)
  }

  #emitStatus (change: StatusChange): void {
    this.dispatchEvent(new CustomEvent('message.status', { detail: change }))
  }

  // for the local HTTP API (src/api)

  /** The durable event log (every event above, with a cursor) behind `/v1/events` and webhooks. */
  get eventLog (): EventStore {
    return this.#parts.store.events
  }

  /** Webhooks and the deliveries owed to them. */
  get webhookStore (): WebhookStore {
    return this.#parts.store.webhooks
  }

  /** What our card says about us. */
  get profile (): AgentProfile {
    const { options } = this.#parts
    return { name: options.name ?? 'agent', description: options.description, inboxPolicy: options.inboxPolicy ?? 'open', skills: options.skills ?? [] }
  }

  /**
   * Change what our card says and republish it. Saved in the store: a restart
   * keeps it, except where its options say otherwise.
   */
  async updateProfile (changes: Partial<AgentProfile>): Promise<AgentProfile> {
    const { options, store } = this.#parts
    if (changes.inboxPolicy !== undefined && !INBOX_POLICIES.includes(changes.inboxPolicy)) {
      throw new NodeOptionsError(`inboxPolicy: expected one of ${INBOX_POLICIES.join(', ')}`)
    }
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined))
    this.#parts.options = { ...options, ...defined }
    await store.meta.put(PROFILE_KEY, this.profile)
    // a card no DHT peer took yet stays current and is retried by the card service
    await this.publishCard().catch(err => { log('card not published yet: %s', (err as Error).message) })
    return this.profile
  }

  /** false for an unknown conversation */
  async archiveConversation (conversationId: string): Promise<boolean> {
    return await this.#parts.store.conversations.archive(conversationId)
  }

  /** Envelopes waiting for an ack. */
  async outboxDepth (): Promise<number> {
    return await this.#parts.store.outbox.size()
  }
}

/** The parts of the card an agent edits. */
export interface AgentProfile {
  name: string
  description?: string
  inboxPolicy: InboxPolicy
  skills: NonNullable<AgentNodeOptions['skills']>
}

const PROFILE_KEY = 'profile'

/** Options with what `updateProfile` saved filled in where the options say nothing. */
async function withSavedProfile (store: Store, options: AgentNodeOptions): Promise<AgentNodeOptions> {
  const saved = await store.meta.get<Partial<AgentProfile>>(PROFILE_KEY)
  if (saved == null) return options
  return {
    ...options,
    name: options.name ?? saved.name,
    description: options.description ?? saved.description,
    inboxPolicy: options.inboxPolicy ?? saved.inboxPolicy,
    skills: options.skills ?? saved.skills
  }
}

/** A `message.status` event for the durable log, written in the batch that changes the status. */
function statusEventOps (store: Store, change: StatusChange): StoreOp[] {
  return store.events.appendOps('message.status', change)
}

function parsePeer (peer: string): PeerId {
  try {
    const pid = peerIdFromString(peer)
    if (pid.type !== 'Ed25519') throw new Error('not an Ed25519 peer id')
    return pid
  } catch (err) {
    throw new InvalidPeerError(`not an agent peer id: ${(err as Error).message}`)
  }
}

/** Create an agent node (and start it unless `start: false`). */
export async function createAgentNode (options: AgentNodeOptions): Promise<AgentNode> {
  return await AgentNode.create(options)
}

/** The credential `verify()` kept, while it still decodes and has not expired. */
async function savedCredential (store: Store): Promise<Uint8Array | undefined> {
  const saved = await store.meta.get<string>(CREDENTIAL_KEY)
  if (saved == null) return undefined
  try {
    const bytes = new Uint8Array(Buffer.from(saved, 'base64'))
    return decodeCredential(bytes).expiresAt > Date.now() ? bytes : undefined
  } catch (err) {
    log('kept credential refused: %s', (err as Error).message)
    return undefined
  }
}
