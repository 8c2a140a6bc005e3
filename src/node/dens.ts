/**
 * Dens and channels on gossipsub (DESIGN.md §7, docs/protocol.md §18): the
 * node's `dens` API, the topic validators, sender-key distribution over 1:1
 * sessions, catch-up from peers, the public directory and self-destruct.
 *
 * Every den message is a `DenEnvelope` signed by its author. A topic
 * validator accepts it only if it verifies and its author may post there
 * (anyone in a public den; a valid credential in a verified one; a member of
 * the current roster in a private or bounty den) within 20 posts a minute;
 * anything else is rejected, which costs the peer that forwarded it gossipsub
 * score. Accepted posts are decrypted, stored and announced as `den.message`.
 * Work on one den runs one step at a time, so sender-key state never races.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import { decodeBody, encodeBody, validateBody } from '../protocols/dm/body.js'
import { readFrame, writeFrame } from '../protocols/framing.js'
import { TokenBuckets } from '../protocols/token-bucket.js'
import {
  ANNOUNCE_INTERVAL, DEFAULT_CATCH_UP, DEN_SYNC_PROTOCOL, DEN_VERSION, DIRECTORY_TOPIC, INVALID_MESSAGE_WEIGHT, MAX_PENDING_POSTS,
  MAX_SYNC_PAGE, MAX_SYNC_RESPONSE_BYTES, POSTS_PER_MINUTE, SYNC_TIMEOUT
} from '../protocols/den/constants.js'
import { DenControl, DenSyncRequest, DenSyncResponse } from '../protocols/den/den.pb.js'
import {
  buf, denTopic, firstRoster, isPrivateKind, signDescriptor, signRoster, verifyDescriptor, verifyRoster
} from '../protocols/den/descriptor.js'
import { openDenPost, peekDenEnvelope, publicDenKey, sealDenEnvelope, verifyDenEnvelope } from '../protocols/den/envelope.js'
import { DenAccessError, DenNotFoundError, DenOptionsError, DenRateLimitError, NotDenOwnerError } from '../protocols/den/errors.js'
import { newSenderKey, nextMessageKey, receiveMessageKey } from '../protocols/den/sender-key.js'
import { verifyCredential } from '../protocols/verify/index.js'
import type { OutgoingBody } from '../protocols/dm/body.js'
import type { Den, DenKind, Roster } from '../protocols/den/descriptor.js'
import type { VerifiedDenEnvelope } from '../protocols/den/envelope.js'
import type { SenderKeyState } from '../protocols/den/sender-key.js'
import type { Identity, Primitives } from '../crypto/index.js'
import type { DenFeedOptions, DenFeedPage, DenPostRecord, DenRecord, Store, StoreOp } from '../store/index.js'
import type { GossipSub, Message } from '@libp2p/gossipsub'
import type { PeerScoreParams } from '@libp2p/gossipsub/score'
import type { AbortOptions, ContentRouting, Libp2pEvents, PeerId, Stream, TypedEventTarget } from '@libp2p/interface'

const log = logger('agentmsg:dens')

/** A den member alone on its topic looks for peers again this many times (after 1, 2, 4, … s). */
const FIND_PEERS_RETRIES = 5

/** A peer's directory is asked for again after this long. */
const DIRECTORY_RESYNC = 10 * 60_000

/**
 * A den control (a sender key, a roster, a Destroy) that could not be queued
 * for a member (no session yet and its card lookup failed, say) is tried
 * again this many times, after 1, 2, 4, … s, at most CONTROL_RETRY_MAX apart
 * (363 s, about 6 minutes, from the first failure to the last attempt).
 */
export const CONTROL_ATTEMPTS = 12
const CONTROL_RETRY_MAX = 60_000

/** How long after failed attempt `attempt` (1-based) the next one runs; undefined after the last. */
export function controlRetryDelay (attempt: number): number | undefined {
  if (!Number.isSafeInteger(attempt) || attempt < 1 || attempt >= CONTROL_ATTEMPTS) return undefined
  return Math.min(1000 * 2 ** (attempt - 1), CONTROL_RETRY_MAX)
}

/** What the den API returns about a den. */
export type DenInfo = Omit<DenRecord, 'descriptor' | 'roster'>

export interface CreateDenOptions {
  slug: string
  title: string
  kind: DenKind
  /** PeerIds; private and bounty dens only (public and verified ones are open) */
  members?: string[]
  expiresAt?: number
}

export interface DenManagerDeps {
  prims: Primitives
  identity: Identity
  self: string
  store: Store
  pubsub: GossipSub
  contentRouting: ContentRouting
  events: TypedEventTarget<Libp2pEvents>
  dial(peer: PeerId, options?: AbortOptions): Promise<unknown>
  dialProtocol(peer: PeerId, protocol: string, options?: AbortOptions): Promise<Stream>
  handle(protocol: string, handler: (stream: Stream, connection: { remotePeer: PeerId }) => void): Promise<void>
  unhandle(protocol: string): Promise<void>
  /** Seal a DenControl to one peer over its 1:1 session (the outbox makes it reliable). */
  sendControl(to: string, control: Uint8Array): Promise<void>
  emit(type: 'den.message' | 'den.destroyed', detail: unknown): void
  /** Our credential for verified dens, if we have one. */
  credential(): Uint8Array | undefined
  trustedIssuers: string[]
  /** Our relays' PeerIds: they keep our dens' envelopes for catch-up. */
  relays(): string[]
  /** Ask our relays to keep a den's envelopes (the relay den store). */
  hostAtRelays(descriptor: Uint8Array, roster: Uint8Array): Promise<void>
  now?(): number
  /**
   * Posts one author may make per minute in one den, counted when posting and
   * in the topic validator. Benchmarks raise it. @default POSTS_PER_MINUTE (20)
   */
  postsPerMinute?: number
  /** As a relay: dens kept for others, at most. @default 1 000 */
  maxHostedDens?: number
}

interface DenState {
  den: Den
  roster: Roster
  joined: boolean
  /** kept here for its members (we are a relay), not read */
  hosted?: boolean
}

/** Dens a relay keeps for others, at most. */
const MAX_HOSTED_DENS = 1000
/** How long a relay keeps a hosted den's envelopes. */
const HOSTED_TTL = 30 * 24 * 60 * 60_000
/** How often a relay purges hosted envelopes past their TTL. */
const HOSTED_PURGE_INTERVAL = 60 * 60_000
/** How often each joined den asks one random peer for posts we may have missed (and a den with none looks for peers). */
const ANTI_ENTROPY_INTERVAL = 60_000

type Verdict = { result: 'accept' } | { result: 'reject' | 'ignore', reason: string }

const accept: Verdict = { result: 'accept' }
const reject = (reason: string): Verdict => ({ result: 'reject', reason })
const ignore = (reason: string): Verdict => ({ result: 'ignore', reason })

function topicCid (topic: string): CID {
  return CID.createV1(raw.code, sha256.digest(new TextEncoder().encode(topic)) as Awaited<ReturnType<typeof sha256.digest>>)
}

function info (record: DenRecord): DenInfo {
  const { descriptor: _d, roster: _r, ...rest } = record
  return rest
}

export class DenManager {
  readonly #deps: DenManagerDeps
  readonly #dens = new Map<string, DenState>()
  readonly #destroyed = new Set<string>()
  readonly #inRate: TokenBuckets
  readonly #outRate: TokenBuckets
  readonly #postsPerMinute: number
  /** one step at a time per den */
  readonly #queues = new Map<string, Promise<unknown>>()
  /** envelopes the topic validator verified, by the message's bytes: not verified twice when they are delivered */
  readonly #verified = new WeakMap<Uint8Array, VerifiedDenEnvelope>()
  /** public and verified dens' message keys, by den id: derived once, not with an HKDF per post */
  readonly #publicKeys = new Map<string, Uint8Array>()
  #announceTimer?: ReturnType<typeof setInterval>
  /** pending retries of den controls to members (#sendControl) */
  readonly #controlRetries = new Set<ReturnType<typeof setTimeout>>()
  /** control attempts running now, waited for at stop */
  readonly #sending = new Set<Promise<void>>()
  #purgeTimer?: ReturnType<typeof setInterval>
  #antiEntropyTimer?: ReturnType<typeof setInterval>
  #announceSoon?: ReturnType<typeof setTimeout>
  #started = false
  readonly stats = { accepted: 0, rejected: 0, ignored: 0, hosted: 0, rejections: {} as Record<string, number> }

  readonly #onMessage = (evt: CustomEvent<Message>): void => {
    const message = evt.detail
    if (message.topic === DIRECTORY_TOPIC) {
      this.#onDirectory(message.data).catch(err => { log('directory message: %s', (err as Error).message) })
      return
    }
    if (!message.topic.startsWith('/agentmsg/den/')) return
    const verified = this.#verified.get(message.data)
    this.#verified.delete(message.data)
    this.#handle(message.data, verified).catch(err => { log('den message: %s', (err as Error).message) })
  }

  /** when we last caught up on a den from a peer, by `den/peer` */
  readonly #caughtUp = new Map<string, number>()
  /** when we last asked each peer for its directory */
  readonly #directorySynced = new Map<string, number>()

  readonly #onConnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail
    const last = this.#directorySynced.get(peer.toString())
    if (last != null && this.#now() - last < DIRECTORY_RESYNC) return
    this.#directorySynced.set(peer.toString(), this.#now())
    if (this.#directorySynced.size > 10_000) this.#directorySynced.clear()
    this.#syncDirectory(peer).catch(err => { log('directory from %p: %s', peer, (err as Error).message) })
  }

  /** A peer joined our mesh for a den topic: it may hold posts made before the mesh reached us. */
  readonly #onGraft = (evt: CustomEvent<{ peerId: string, topic: string }>): void => {
    const { peerId, topic } = evt.detail
    if (!topic.startsWith('/agentmsg/den/')) return
    const denId = topic.slice('/agentmsg/den/'.length)
    if (this.#dens.get(denId)?.joined === true) this.#catchUpFrom(denId, peerIdFromString(peerId))
  }

  readonly #onSubscription = (evt: CustomEvent<{ peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      if (!subscribe) continue
      // someone new on the directory: tell it about our dens soon
      if (topic === DIRECTORY_TOPIC) this.#scheduleAnnounce()
      // a peer in one of our dens: what it has that we missed (posts made before the mesh reached us)
      if (topic.startsWith('/agentmsg/den/')) {
        const denId = topic.slice('/agentmsg/den/'.length)
        if (this.#dens.get(denId)?.joined === true) this.#catchUpFrom(denId, evt.detail.peerId)
      }
    }
  }

  constructor (deps: DenManagerDeps) {
    this.#deps = deps
    this.#postsPerMinute = deps.postsPerMinute ?? POSTS_PER_MINUTE
    this.#inRate = new TokenBuckets({ capacity: this.#postsPerMinute, interval: 60_000 })
    this.#outRate = new TokenBuckets({ capacity: this.#postsPerMinute, interval: 60_000 })
  }

  #now (): number {
    return this.#deps.now?.() ?? Date.now()
  }

  async start (): Promise<void> {
    const { store, pubsub } = this.#deps
    await store.dens.eraseDestroyed()
    for (const record of await store.dens.list()) {
      try {
        const den = verifyDescriptor(this.#deps.prims, Buffer.from(record.descriptor, 'base64'))
        const roster = record.roster == null ? firstRoster(den) : verifyRoster(this.#deps.prims, den, Buffer.from(record.roster, 'base64'))
        this.#dens.set(den.id, { den, roster, joined: record.joined, ...(record.hosted === true ? { hosted: true } : {}) })
      } catch (err) {
        log.error('stored den %s does not verify: %e', record.denId, err)
      }
    }
    pubsub.addEventListener('message', this.#onMessage)
    pubsub.addEventListener('subscription-change', this.#onSubscription)
    pubsub.addEventListener('gossipsub:graft', this.#onGraft)
    pubsub.topicValidators.set(DIRECTORY_TOPIC, async (_peer, message) => this.#gossipVerdict(this.#checkAnnounce(message.data)))
    pubsub.subscribe(DIRECTORY_TOPIC)
    this.#deps.events.addEventListener('peer:connect', this.#onConnect)
    await this.#deps.handle(DEN_SYNC_PROTOCOL, (stream, connection) => { void this.#serveSync(stream, connection.remotePeer) })
    this.#started = true
    for (const state of this.#dens.values()) {
      if (state.joined || state.hosted === true) this.#subscribe(state)
      if (state.joined && state.den.owner === this.#deps.self) void this.#hostAtRelays(state)
    }
    this.#purgeTimer = setInterval(() => { void this.#purgeHosted() }, HOSTED_PURGE_INTERVAL)
    this.#purgeTimer.unref?.()
    // a safety net under gossip: now and then, ask one peer of each den what we may have missed
    this.#antiEntropyTimer = setInterval(() => { this.#antiEntropy() }, ANTI_ENTROPY_INTERVAL)
    this.#antiEntropyTimer.unref?.()
    this.#announceTimer = setInterval(() => { void this.#announceAll() }, ANNOUNCE_INTERVAL)
    this.#announceTimer.unref?.()
    // what was posted while we were away
    for (const state of this.#dens.values()) {
      if (state.joined) void this.#catchUpSoon(state.den.id)
    }
    this.#resendOwed().catch(err => { log('sending owed sender keys: %s', (err as Error).message) })
  }

  async stop (): Promise<void> {
    this.#started = false
    clearInterval(this.#announceTimer)
    clearInterval(this.#purgeTimer)
    clearInterval(this.#antiEntropyTimer)
    clearTimeout(this.#announceSoon)
    for (const timer of this.#controlRetries) clearTimeout(timer)
    this.#controlRetries.clear()
    // controls being queued now (the calls that started them did not wait): into the outbox before the
    // store closes; one still looking up a card gives up at once (the node aborts its lookups first)
    await Promise.allSettled([...this.#sending])
    const { pubsub } = this.#deps
    pubsub.removeEventListener('message', this.#onMessage)
    pubsub.removeEventListener('subscription-change', this.#onSubscription)
    pubsub.removeEventListener('gossipsub:graft', this.#onGraft)
    this.#deps.events.removeEventListener('peer:connect', this.#onConnect)
    await this.#deps.unhandle(DEN_SYNC_PROTOCOL).catch(() => {})
    await Promise.allSettled([...this.#queues.values()])
  }

  // ---- the API ----------------------------------------------------------

  async create (options: CreateDenOptions): Promise<DenInfo> {
    const { prims, identity, store } = this.#deps
    if (!isPrivateKind(options.kind) && (options.members?.length ?? 0) > 0) {
      throw new DenOptionsError('members: only private and bounty dens have members')
    }
    for (const member of options.members ?? []) checkPeer(member)
    const den = signDescriptor(prims, identity, { slug: options.slug, title: options.title, kind: options.kind, members: options.members, expiresAt: options.expiresAt })
    const state: DenState = { den, roster: firstRoster(den), joined: true }
    await store.write(store.dens.putOps(this.#record(state, { unreadCount: 0 })))
    this.#dens.set(den.id, state)
    this.#subscribe(state)
    if (isPrivateKind(den.kind)) {
      await this.#serially(den.id, async () => { await this.#ensureOwnKey(state) })
    } else {
      await this.#announce(state)
    }
    void this.#hostAtRelays(state)
    return info(this.#record(state, { unreadCount: 0 }))
  }

  /**
   * Join a den: one announced in the directory (by id), or from its signed
   * descriptor. Catches up on what was posted before.
   */
  async join (den: string | Uint8Array): Promise<DenInfo> {
    const { store } = this.#deps
    let state: DenState | undefined
    if (typeof den === 'string') {
      state = this.#dens.get(den)
      if (state == null || this.#destroyed.has(den)) throw new DenNotFoundError(`den ${den} is not known here`)
    } else {
      const verified = verifyDescriptor(this.#deps.prims, den)
      if (await this.#isDestroyed(verified.id)) throw new DenNotFoundError(`den ${verified.id} was destroyed`)
      state = this.#dens.get(verified.id) ?? { den: verified, roster: firstRoster(verified), joined: false }
    }
    if (isPrivateKind(state.den.kind) && !state.roster.members.includes(this.#deps.self)) {
      throw new DenAccessError('only members join a private den')
    }
    const joined: DenState = { ...state, joined: true }
    const existing = await store.dens.get(joined.den.id)
    await store.write(store.dens.putOps(this.#record(joined, existing ?? { unreadCount: 0 })))
    this.#dens.set(joined.den.id, joined)
    this.#subscribe(joined)
    if (isPrivateKind(joined.den.kind)) await this.#serially(joined.den.id, async () => { await this.#ensureOwnKey(joined) })
    void this.#hostAtRelays(joined)
    await this.#catchUp(joined.den.id).catch(err => { log('catch-up of %s: %s', joined.den.id, (err as Error).message) })
    return info(this.#record(joined, await store.dens.get(joined.den.id) ?? { unreadCount: 0 }))
  }

  async leave (denId: string): Promise<void> {
    const state = this.#known(denId)
    const { store, pubsub } = this.#deps
    pubsub.unsubscribe(denTopic(denId))
    pubsub.topicValidators.delete(denTopic(denId))
    const left: DenState = { ...state, joined: false }
    this.#dens.set(denId, left)
    const existing = await store.dens.get(denId)
    await store.write(store.dens.putOps(this.#record(left, existing ?? { unreadCount: 0 })))
  }

  /** Post to a den we joined. Throws `DenRateLimitError` past 20 posts a minute, `BodyValidationError` for a bad body. */
  async post (denId: string, body: OutgoingBody): Promise<DenPostRecord> {
    const state = this.#known(denId)
    if (!state.joined) throw new DenAccessError('join the den before posting')
    const valid = validateBody(body)
    if (valid.type === 'task-request' || valid.type === 'task-response') throw new DenOptionsError('tasks go 1:1, not to dens')
    const wait = this.#outRate.take(denId)
    if (wait > 0) throw new DenRateLimitError(`over ${this.#postsPerMinute} posts per minute in this den`, wait)
    const { prims, identity, store, self } = this.#deps
    if (state.den.kind === 'verified' && this.#deps.credential() == null) throw new DenAccessError('a verified den needs a credential to post')
    if (isPrivateKind(state.den.kind) && !state.roster.members.includes(self)) throw new DenAccessError('not a member of this den')
    const plaintext = encodeBody(valid, denId)
    const sealed = await this.#serially(denId, async () => {
      const current = this.#known(denId)
      let key: Uint8Array
      let epoch = 0
      let iteration = 0
      const ops: StoreOp[] = []
      if (isPrivateKind(current.den.kind)) {
        const own = await this.#ensureOwnKey(current)
        const next = nextMessageKey(prims, own)
        key = next.key
        epoch = current.roster.epoch
        iteration = next.iteration
        ops.push(...store.dens.putKeyOps(denId, epoch, self, next.state))
      } else {
        key = this.#publicKey(denId)
      }
      const envelope = sealDenEnvelope(prims, identity, {
        denId, kind: 'post', epoch, iteration, plaintext, key, credential: current.den.kind === 'verified' ? this.#deps.credential() : undefined
      })
      const record = this.#postRecord(envelope, valid, true)
      await store.write(async () => {
        const built = await store.dens.addPostOps(record, envelope.bytes)
        return [...ops, ...built.ops]
      })
      return { envelope, record }
    })
    await this.#publish(denTopic(denId), sealed.envelope.bytes)
    return sealed.record
  }

  async feed (denId: string, options?: DenFeedOptions): Promise<DenFeedPage> {
    this.#known(denId)
    return await this.#deps.store.dens.feed(denId, options)
  }

  async markRead (denId: string): Promise<void> {
    this.#known(denId)
    await this.#deps.store.dens.markRead(denId)
  }

  /** Dens we joined. */
  async list (): Promise<DenInfo[]> {
    return (await this.#deps.store.dens.list()).filter(r => r.joined).map(info)
  }

  /** Public and verified dens we know of, joined or only announced. */
  async listPublicDens (): Promise<DenInfo[]> {
    return (await this.#deps.store.dens.list()).filter(r => r.kind === 'public' || r.kind === 'verified').map(info)
  }

  async get (denId: string): Promise<DenInfo | undefined> {
    const record = await this.#deps.store.dens.get(denId)
    return record == null ? undefined : info(record)
  }

  async addMembers (denId: string, members: string[]): Promise<DenInfo> {
    const state = this.#owned(denId)
    members.forEach(checkPeer)
    return await this.#changeRoster(state, [...new Set([...state.roster.members, ...members])])
  }

  /** Remove members: every remaining member starts a new sender key, so they read nothing posted afterwards. */
  async removeMembers (denId: string, members: string[]): Promise<DenInfo> {
    const state = this.#owned(denId)
    if (members.includes(state.den.owner)) throw new DenOptionsError('the owner cannot be removed')
    return await this.#changeRoster(state, state.roster.members.filter(m => !members.includes(m)))
  }

  /**
   * End a den (the owner only): a signed Destroy goes to every member (on the
   * topic, and 1:1 for those offline), each erases its keys and history, and
   * later posts are rejected everywhere.
   */
  async destroy (denId: string): Promise<void> {
    const state = this.#owned(denId)
    const { prims, identity } = this.#deps
    const envelope = sealDenEnvelope(prims, identity, { denId, kind: 'destroy' })
    await this.#publish(denTopic(denId), envelope.bytes)
    const control = DenControl.encode({ descriptor: buf(state.den.bytes), roster: buf(state.roster.bytes), destroy: buf(envelope.bytes) })
    // not waited for, as sender keys are not (#ensureOwnKey)
    for (const m of state.roster.members.filter(m => m !== this.#deps.self)) void this.#sendControl(m, control, 'destroy', () => true)
    await this.#erase(denId)
  }

  /**
   * Keep a den's envelopes for its members (a relay's den store, 30 days):
   * anyone may ask for a public or verified den, only a member for a
   * private or bounty one. Throws `DenAccessError` otherwise.
   */
  async host (descriptor: Uint8Array, rosterBytes: Uint8Array, requester: string): Promise<void> {
    const { prims, store } = this.#deps
    const den = verifyDescriptor(prims, descriptor)
    if (await this.#isDestroyed(den.id)) throw new DenNotFoundError(`den ${den.id} was destroyed`)
    const offered = rosterBytes.length === 0 ? firstRoster(den) : verifyRoster(prims, den, rosterBytes)
    const known = this.#dens.get(den.id)
    const roster = known != null && known.roster.epoch > offered.epoch ? known.roster : offered
    if (isPrivateKind(den.kind) && !roster.members.includes(requester)) throw new DenAccessError('only a member asks to keep a private den')
    if (known?.hosted === true && known.roster.epoch >= roster.epoch) return
    const maxHosted = this.#deps.maxHostedDens ?? MAX_HOSTED_DENS
    if (known?.hosted !== true && [...this.#dens.values()].filter(s => s.hosted === true).length >= maxHosted) {
      throw new DenOptionsError(`this relay keeps at most ${maxHosted} dens`)
    }
    const state: DenState = { den, roster, joined: known?.joined ?? false, hosted: true }
    const existing = await store.dens.get(den.id)
    await store.write(store.dens.putOps(this.#record(state, existing ?? { unreadCount: 0 })))
    this.#dens.set(den.id, state)
    this.#subscribe(state)
  }

  async #hostAtRelays (state: DenState): Promise<void> {
    if (this.#deps.relays().length === 0) return
    await this.#deps.hostAtRelays(state.den.bytes, state.roster.bytes).catch(err => {
      log('relays keep %s: %s', state.den.id, (err as Error).message)
    })
  }

  async #purgeHosted (): Promise<void> {
    for (const state of this.#dens.values()) {
      if (state.hosted !== true || state.joined) continue
      await this.#deps.store.dens.purgeHosted(state.den.id, this.#now() - HOSTED_TTL).catch(err => {
        log('purging den %s: %s', state.den.id, (err as Error).message)
      })
    }
  }

  // ---- 1:1 control ------------------------------------------------------

  /**
   * A DenControl from `from` over a 1:1 session: the writes to commit with it
   * and what to do after. Never throws.
   */
  async controlOps (from: string, bytes: Uint8Array): Promise<{ ops: StoreOp[], after?(): void }> {
    const { prims, store, self } = this.#deps
    let control: DenControl
    let den: Den
    try {
      control = DenControl.decode(bytes)
      den = verifyDescriptor(prims, control.descriptor)
    } catch (err) {
      log('den control from %s refused: %s', from, (err as Error).message)
      return { ops: [] }
    }
    if (this.#destroyed.has(den.id) || await store.dens.destroyedAt(den.id) != null) return { ops: [] }
    if (control.destroy.length > 0) {
      let destroy: VerifiedDenEnvelope
      try {
        destroy = verifyDenEnvelope(prims, control.destroy)
      } catch {
        return { ops: [] }
      }
      if (destroy.kind !== 'destroy' || destroy.denId !== den.id || destroy.from !== den.owner) return { ops: [] }
      return { ops: [], after: () => { void this.#erase(den.id) } }
    }
    let roster: Roster
    try {
      roster = control.roster.length === 0 ? firstRoster(den) : verifyRoster(prims, den, control.roster)
    } catch (err) {
      log('den roster from %s refused: %s', from, (err as Error).message)
      return { ops: [] }
    }
    const known = this.#dens.get(den.id)
    const current = known != null && known.roster.epoch > roster.epoch ? known.roster : roster
    // only members speak for a private den, and only to members
    if (!current.members.includes(from) && from !== den.owner) return { ops: [] }
    if (!current.members.includes(self)) {
      // the owner's word that we were removed (the topic may not have reached us): as if it came on the topic
      if (known != null && from === den.owner && roster.epoch > known.roster.epoch) {
        return { ops: [], after: () => { void this.#serially(den.id, async () => { await this.#applyRoster(this.#dens.get(den.id) ?? known, control.roster) }).catch(() => {}) } }
      }
      return { ops: [] }
    }
    const state: DenState = { den, roster: current, joined: isPrivateKind(den.kind) ? true : (known?.joined ?? false) }
    const ops: StoreOp[] = []
    const existing = await store.dens.get(den.id)
    ops.push(...store.dens.putOps(this.#record(state, existing ?? { unreadCount: 0 })))
    const key = control.key
    let earlierKey = false
    if (key != null && Buffer.from(key.denId).toString('hex') === den.id && key.chainKey.length === 32 && current.members.includes(from)) {
      // a key we hold already is never reset: that would make used keys usable again
      if (await store.dens.getKey(den.id, key.epoch, from) == null) {
        ops.push(...store.dens.putKeyOps(den.id, key.epoch, from, { chainKey: Buffer.from(key.chainKey).toString('hex'), iteration: key.iteration, skipped: {} } satisfies SenderKeyState))
        // the key of a roster we are already past: what was posted under it was skipped by a catch-up without it
        earlierKey = known != null && key.epoch < current.epoch
      }
    }
    const epochChanged = known == null || known.roster.epoch < current.epoch
    // in memory at once: a post sealed from here on uses this roster's epoch (a post sealed for
    // the epoch before would be refused by members that already have this one)
    this.#dens.set(den.id, { ...state, ...(known?.hosted === true ? { hosted: true } : {}) })
    return {
      ops,
      after: () => {
        if (state.joined) this.#subscribe(state)
        if (state.joined && known?.joined !== true) void this.#catchUpSoon(den.id)
        else if (state.joined && earlierKey) void this.#catchUpSoon(den.id, true)
        void this.#serially(den.id, async () => {
          if (epochChanged && state.joined && isPrivateKind(den.kind)) await this.#ensureOwnKey(state)
          await this.#retryPending(den.id)
        }).catch(err => { log('den %s after control: %s', den.id, (err as Error).message) })
      }
    }
  }

  // ---- validation -------------------------------------------------------

  /** The gossipsub topic validator of a den topic. */
  #validator (denId: string) {
    return async (_peer: PeerId, message: Message): Promise<TopicValidatorResult> => {
      let verdict: Verdict
      try {
        const v = verifyDenEnvelope(this.#deps.prims, message.data)
        verdict = await this.#check(v, denId, true)
        if (verdict.result === 'accept') this.#verified.set(message.data, v)
      } catch (err) {
        verdict = reject((err as Error).name)
      }
      return this.#gossipVerdict(verdict)
    }
  }

  #gossipVerdict (verdict: Verdict): TopicValidatorResult {
    if (verdict.result === 'accept') {
      this.stats.accepted++
      return TopicValidatorResult.Accept
    }
    if (verdict.result === 'ignore') {
      this.stats.ignored++
      return TopicValidatorResult.Ignore
    }
    this.stats.rejected++
    this.stats.rejections[verdict.reason] = (this.stats.rejections[verdict.reason] ?? 0) + 1
    log('rejected a den message: %s', verdict.reason)
    return TopicValidatorResult.Reject
  }

  /** May this envelope be on this den's topic? Live posts also count against their author's rate. */
  async #check (v: VerifiedDenEnvelope, topicDen: string, live: boolean): Promise<Verdict> {
    if (v.denId !== topicDen) return reject('wrong den for this topic')
    const state = this.#destroyed.has(v.denId) ? undefined : this.#dens.get(v.denId)
    // a den we hold is not destroyed (#erase drops it from #dens): its tombstone is looked up only for one we do not hold
    if (state == null) return await this.#isDestroyed(v.denId) ? reject('den destroyed') : ignore('den unknown here')
    if (v.kind === 'announce') return reject('announce on a den topic')
    if (v.kind === 'roster' || v.kind === 'destroy') return v.from === state.den.owner ? accept : reject('only the owner changes a den')
    const { den, roster } = state
    if (den.kind === 'verified') {
      try {
        verifyCredential(this.#deps.prims, v.envelope.credential, { trustedIssuers: this.#deps.trustedIssuers, subject: v.from, now: this.#now() })
      } catch (err) {
        return reject(`credential: ${(err as Error).name}`)
      }
    }
    if (isPrivateKind(den.kind)) {
      if (v.envelope.epoch > roster.epoch) return ignore('a roster we have not seen yet')
      if (!roster.members.includes(v.from)) return reject('not a member')
      if (v.envelope.epoch < roster.epoch) {
        // live, a post sealed for an earlier roster reaches members removed since: refused
        if (live) return reject('sealed for an earlier roster')
        // caught up, it was posted before the roster changed: ours to read if its author gave us that epoch's key
        // (one that comes later starts a catch-up over the whole window: see controlOps)
        if (await this.#deps.store.dens.getKey(v.denId, v.envelope.epoch, v.from) == null) return ignore('no key for that earlier roster')
      }
    }
    // live posts only: a catch-up replays posts that were sent over time
    if (live && v.kind === 'post' && this.#inRate.take(`${v.denId}/${v.from}`) > 0) return reject('rate')
    return accept
  }

  #checkAnnounce (bytes: Uint8Array): Verdict {
    try {
      const v = verifyDenEnvelope(this.#deps.prims, bytes)
      if (v.kind !== 'announce') return reject('only announcements on the directory')
      const den = verifyDescriptor(this.#deps.prims, v.envelope.control)
      if (den.id !== v.denId || den.owner !== v.from) return reject('announced by someone else than the owner')
      if (den.kind !== 'public' && den.kind !== 'verified') return reject('private dens are not announced')
      return this.#destroyed.has(den.id) ? reject('den destroyed') : accept
    } catch (err) {
      return reject((err as Error).name)
    }
  }

  // ---- receiving --------------------------------------------------------

  async #handle (bytes: Uint8Array, verified?: VerifiedDenEnvelope): Promise<void> {
    const v = verified ?? verifyDenEnvelope(this.#deps.prims, bytes)
    await this.#serially(v.denId, async () => { await this.#apply(v) })
  }

  async #apply (v: VerifiedDenEnvelope): Promise<void> {
    const state = this.#dens.get(v.denId)
    if (state == null || this.#destroyed.has(v.denId)) return
    if (v.kind === 'destroy') {
      if (v.from === state.den.owner) await this.#erase(v.denId)
      return
    }
    if (v.kind === 'roster') {
      if (v.from === state.den.owner) await this.#applyRoster(state, v.envelope.control)
      return
    }
    if (v.kind === 'post') await this.#receivePost(state, v)
  }

  async #receivePost (state: DenState, v: VerifiedDenEnvelope): Promise<void> {
    const { prims, store } = this.#deps
    const denId = state.den.id
    if (await store.dens.hasPost(denId, v.id)) return
    if (state.hosted === true && !state.joined) {
      // a relay's den store: the signed envelope, for members that catch up; never opened here
      let added = false
      await store.write(async () => {
        const built = await store.dens.addHostedOps(denId, v.id, v.envelope.sentAt, v.bytes)
        added = built.result
        return built.ops
      })
      if (added) this.stats.hosted++
      return
    }
    let key: Uint8Array
    const ops: StoreOp[] = []
    if (isPrivateKind(state.den.kind)) {
      const keyState = await store.dens.getKey<SenderKeyState>(denId, v.envelope.epoch, v.from)
      if (keyState == null) {
        // the author's key is on its way over our 1:1 session: keep the post until it is here
        if ((await store.dens.pending(denId)).length < MAX_PENDING_POSTS) await store.write(store.dens.addPendingOps(denId, v.id, v.bytes))
        return
      }
      const next = receiveMessageKey(prims, keyState, v.envelope.iteration)
      key = next.key
      ops.push(...store.dens.putKeyOps(denId, v.envelope.epoch, v.from, next.state))
    } else {
      key = this.#publicKey(denId)
    }
    const decoded = decodeBody(openDenPost(prims, v, key))
    if (decoded.body == null || decoded.conversationId !== denId) return
    const record = this.#postRecord(v, decoded.body, v.from === this.#deps.self)
    let added = false
    await store.write(async () => {
      const built = await store.dens.addPostOps(record, v.bytes)
      added = built.result
      // the durable event log (the HTTP API's /v1/events and webhooks) gets it in the same batch
      // only a private den's posts wait for a key (public ones never do)
      const pending = isPrivateKind(state.den.kind) ? store.dens.removePendingOps(denId, v.id) : []
      return [...ops, ...built.ops, ...pending, ...(added ? store.events.appendOps('den.message', record) : [])]
    })
    if (added) this.#deps.emit('den.message', record)
  }

  async #retryPending (denId: string): Promise<void> {
    const state = this.#dens.get(denId)
    if (state == null) return
    for (const { envelope } of await this.#deps.store.dens.pending(denId)) {
      try {
        await this.#receivePost(state, verifyDenEnvelope(this.#deps.prims, envelope))
      } catch (err) {
        log('pending post in %s: %s', denId, (err as Error).message)
      }
    }
  }

  async #applyRoster (state: DenState, bytes: Uint8Array): Promise<void> {
    const { prims, store, self } = this.#deps
    const roster = verifyRoster(prims, state.den, bytes)
    if (roster.epoch <= state.roster.epoch) return
    const removed = !roster.members.includes(self)
    const next: DenState = { ...state, roster, joined: state.joined && !removed }
    const existing = await store.dens.get(state.den.id)
    await store.write(store.dens.putOps(this.#record(next, existing ?? { unreadCount: 0 })))
    this.#dens.set(state.den.id, next)
    if (removed) {
      this.#deps.pubsub.unsubscribe(denTopic(state.den.id))
      return
    }
    if (next.joined) await this.#ensureOwnKey(next)
    await this.#retryPending(state.den.id)
  }

  async #onDirectory (bytes: Uint8Array): Promise<void> {
    const v = verifyDenEnvelope(this.#deps.prims, bytes)
    const den = verifyDescriptor(this.#deps.prims, v.envelope.control)
    if (this.#dens.has(den.id) || await this.#isDestroyed(den.id)) return
    const state: DenState = { den, roster: firstRoster(den), joined: false }
    this.#dens.set(den.id, state)
    await this.#deps.store.write(this.#deps.store.dens.putOps(this.#record(state, { unreadCount: 0 })))
  }

  // ---- keys, rosters, announcements -------------------------------------

  /**
   * Our sender key for the den's current epoch: made and sent to every member
   * the first time. The sends are not waited for: the key is owed (on disk)
   * to each member until it is queued for it, and a member whose card cannot
   * be found yet would hold `create` or `post` up for the whole lookup
   * (`resolveTimeout`, 15 s); posts that reach a member before our key are
   * held and opened once it arrives.
   */
  async #ensureOwnKey (state: DenState): Promise<SenderKeyState> {
    const { prims, store, self } = this.#deps
    const { den, roster } = state
    const existing = await store.dens.getKey<SenderKeyState>(den.id, roster.epoch, self)
    if (existing != null) return existing
    const fresh = newSenderKey(prims)
    const control = DenControl.encode({
      descriptor: buf(den.bytes),
      roster: buf(roster.bytes),
      key: { denId: buf(Buffer.from(den.id, 'hex')), epoch: roster.epoch, chainKey: buf(Buffer.from(fresh.chainKey, 'hex')), iteration: fresh.iteration },
      destroy: new Uint8Array(0)
    })
    const others = roster.members.filter(m => m !== self)
    // owed to each member until queued for it: a restart before that sends it again (#resendOwed)
    await store.write([
      ...store.dens.putKeyOps(den.id, roster.epoch, self, fresh),
      ...others.flatMap(member => store.dens.owedOps(den.id, roster.epoch, member, control))
    ])
    for (const member of others) void this.#sendKey(den.id, roster.epoch, member, control)
    return fresh
  }

  /** Our sender key to `member`, settled once queued; not for a member removed since, nor after the den ended. */
  async #sendKey (denId: string, epoch: number, member: string, control: Uint8Array): Promise<void> {
    const { store } = this.#deps
    await this.#sendControl(member, control, 'sender key', () => this.#dens.get(denId)?.roster.members.includes(member) === true,
      async () => { await store.write(store.dens.settleOwedOps(denId, epoch, member)) })
  }

  /** Sender keys still owed to members when we stopped: sent again (or dropped, for a member or den gone since). */
  async #resendOwed (): Promise<void> {
    const { store } = this.#deps
    for (const { denId, epoch, member, control } of await store.dens.owed()) {
      if (this.#dens.get(denId)?.roster.members.includes(member) === true) {
        void this.#sendKey(denId, epoch, member, control)
      } else {
        await store.write(store.dens.settleOwedOps(denId, epoch, member))
      }
    }
  }

  /**
   * Queue a control for `member` over its 1:1 session (then the outbox
   * carries it: retries, relays). Queueing itself can fail: the first
   * message to a member needs its card, and the lookup can time out. A
   * member without our sender key could never read our posts, so a control
   * that could not be queued is tried again in the background (with backoff,
   * CONTROL_ATTEMPTS times) while `wanted()` holds. Never throws.
   */
  async #sendControl (member: string, control: Uint8Array, what: string, wanted: () => boolean, queued?: () => Promise<void>, attempt = 1): Promise<void> {
    const attempting = this.#attemptControl(member, control, what, wanted, queued, attempt)
    this.#sending.add(attempting)
    try {
      await attempting
    } finally {
      this.#sending.delete(attempting)
    }
  }

  async #attemptControl (member: string, control: Uint8Array, what: string, wanted: () => boolean, queued: (() => Promise<void>) | undefined, attempt: number): Promise<void> {
    try {
      await this.#deps.sendControl(member, control)
    } catch (err) {
      log('%s to %s (attempt %d): %s', what, member, attempt, (err as Error).message)
      const delay = controlRetryDelay(attempt)
      if (!this.#started || delay === undefined) return
      const timer = setTimeout(() => {
        this.#controlRetries.delete(timer)
        if (this.#started && wanted()) void this.#sendControl(member, control, what, wanted, queued, attempt + 1)
      }, delay)
      timer.unref?.()
      this.#controlRetries.add(timer)
      return
    }
    await queued?.().catch(err => { log('%s to %s queued, not recorded: %s', what, member, (err as Error).message) })
  }

  async #changeRoster (state: DenState, members: string[]): Promise<DenInfo> {
    const { prims, identity, store } = this.#deps
    if (!isPrivateKind(state.den.kind)) throw new DenOptionsError('public and verified dens have no members')
    return await this.#serially(state.den.id, async () => {
      const current = this.#owned(state.den.id)
      const roster = signRoster(prims, identity, current.den, current.roster.epoch + 1, members)
      const next: DenState = { ...current, roster }
      const existing = await store.dens.get(current.den.id)
      const record = this.#record(next, existing ?? { unreadCount: 0 })
      await store.write(store.dens.putOps(record))
      this.#dens.set(current.den.id, next)
      // on the topic for those online, 1:1 to every member for those that are not and for newcomers
      const envelope = sealDenEnvelope(prims, identity, { denId: current.den.id, kind: 'roster', control: roster.bytes })
      await this.#publish(denTopic(current.den.id), envelope.bytes)
      const control = DenControl.encode({ descriptor: buf(current.den.bytes), roster: buf(roster.bytes), destroy: new Uint8Array(0) })
      const denId = current.den.id
      // while this roster is the den's latest; not waited for, as sender keys are not (#ensureOwnKey);
      // to removed members too, which the topic may miss (they apply it, and leave)
      for (const m of new Set([...current.roster.members, ...roster.members].filter(m => m !== this.#deps.self))) {
        void this.#sendControl(m, control, 'roster', () => this.#dens.get(denId)?.roster.epoch === roster.epoch)
      }
      await this.#ensureOwnKey(next)
      for (const member of roster.members) void this.#connect(member)
      void this.#hostAtRelays(next)
      return info(record)
    })
  }

  async #announce (state: DenState): Promise<void> {
    if (state.den.owner !== this.#deps.self || isPrivateKind(state.den.kind)) return
    const envelope = sealDenEnvelope(this.#deps.prims, this.#deps.identity, { denId: state.den.id, kind: 'announce', control: state.den.bytes })
    await this.#publish(DIRECTORY_TOPIC, envelope.bytes)
  }

  async #announceAll (): Promise<void> {
    for (const state of this.#dens.values()) await this.#announce(state).catch(() => {})
  }

  #scheduleAnnounce (): void {
    if (this.#announceSoon != null || !this.#started) return
    this.#announceSoon = setTimeout(() => {
      this.#announceSoon = undefined
      void this.#announceAll()
    }, 200)
    this.#announceSoon.unref?.()
  }

  // ---- plumbing -----------------------------------------------------------

  #subscribe (state: DenState): void {
    const { pubsub } = this.#deps
    const topic = denTopic(state.den.id)
    if (!this.#started) return
    pubsub.topicValidators.set(topic, this.#validator(state.den.id))
    // an invalid message costs the peer that forwarded it (count² × weight): three put it below the graylist threshold
    const { params } = (pubsub as unknown as { score: { params: PeerScoreParams } }).score
    params.topics[topic] ??= createTopicScoreParams({
      topicWeight: 1,
      timeInMeshWeight: 0,
      timeInMeshQuantum: 1000,
      firstMessageDeliveriesWeight: 0,
      meshMessageDeliveriesWeight: 0,
      meshFailurePenaltyWeight: 0,
      invalidMessageDeliveriesWeight: INVALID_MESSAGE_WEIGHT,
      invalidMessageDeliveriesDecay: 0.99
    })
    if (!pubsub.getTopics().includes(topic)) pubsub.subscribe(topic)
    void this.#findPeers(state)
  }

  /**
   * Get connected to others in the den, so the gossipsub mesh can form. A
   * node that is still alone on the topic a while later tries again (up to
   * `FIND_PEERS_RETRIES` times, backing off): when many join at once, the owner
   * turns inbound connections away past libp2p's 10 pending handshakes, and the
   * DHT may not list other providers yet. After that, the anti-entropy tick
   * (every minute) looks again for a den that has no peer.
   */
  async #findPeers (state: DenState, attempt = 0): Promise<void> {
    await this.#findPeersOnce(state)
    if (attempt >= FIND_PEERS_RETRIES || !this.#started) return
    const timer = setTimeout(() => {
      const topic = denTopic(state.den.id)
      if (!this.#started || this.#dens.get(state.den.id)?.joined !== true || this.#deps.pubsub.getSubscribers(topic).length > 0) return
      log('alone on den %s: looking for peers again', state.den.id)
      void this.#findPeers(state, attempt + 1)
    }, 1000 * 2 ** attempt)
    timer.unref?.()
  }

  async #findPeersOnce (state: DenState): Promise<void> {
    if (isPrivateKind(state.den.kind)) {
      await Promise.all(state.roster.members.map(async m => { await this.#connect(m) }))
      return
    }
    const cid = topicCid(denTopic(state.den.id))
    await Promise.all(state.den.members.map(async m => { await this.#connect(m) }))
    try {
      await this.#deps.contentRouting.provide(cid, { signal: AbortSignal.timeout(30_000) })
    } catch (err) {
      log('announcing den %s in the DHT: %s', state.den.id, (err as Error).message)
    }
    try {
      let found = 0
      for await (const provider of this.#deps.contentRouting.findProviders(cid, { signal: AbortSignal.timeout(30_000) })) {
        if (provider.id.toString() === this.#deps.self) continue
        void this.#connect(provider.id.toString())
        if (++found >= 8) break
      }
    } catch (err) {
      log('finding den %s peers: %s', state.den.id, (err as Error).message)
    }
  }

  async #connect (peer: string): Promise<void> {
    if (peer === this.#deps.self || !this.#started) return
    await this.#deps.dial(peerIdFromString(peer), { signal: AbortSignal.timeout(10_000) }).catch(err => {
      log('cannot reach den peer %s: %s', peer, (err as Error).message)
    })
  }

  async #publish (topic: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.#deps.pubsub.publish(topic, bytes)
    } catch (err) {
      // nobody to send to now: it is stored, and served to whoever catches up
      log('publish on %s: %s', topic, (err as Error).message)
    }
  }

  #antiEntropy (): void {
    for (const state of this.#dens.values()) {
      if (!state.joined) continue
      const peers = this.#deps.pubsub.getSubscribers(denTopic(state.den.id))
      const peer = peers[Math.floor(Math.random() * peers.length)]
      if (peer != null) this.#catchUpFrom(state.den.id, peer)
      // a member still alone after #findPeers gave up (every connection it had to the den was lost)
      // looks again; an owner alone waits for members to come (they dial it)
      else if (state.den.owner !== this.#deps.self) void this.#findPeersOnce(state)
    }
  }

  #catchUpFrom (denId: string, peer: PeerId): void {
    const key = `${denId}/${peer.toString()}`
    const last = this.#caughtUp.get(key)
    if (last != null && this.#now() - last < 5_000) return
    this.#caughtUp.set(key, this.#now())
    if (this.#caughtUp.size > 10_000) this.#caughtUp.clear()
    void (async () => {
      const record = await this.#deps.store.dens.get(denId)
      const since = Math.max(0, (record?.lastPostAt ?? (this.#now() - DEFAULT_CATCH_UP)) - 60_000)
      await this.#syncFrom(peer, denId, since)
    })().catch(err => { log('catch-up of %s from %p: %s', denId, peer, (err as Error).message) })
  }

  async #catchUpSoon (denId: string, whole = false): Promise<void> {
    await this.#catchUp(denId, whole).catch(err => { log('catch-up of %s: %s', denId, (err as Error).message) })
  }

  /**
   * Ask peers that hold the den for what was posted since our latest post
   * (or the last 30 days). `whole`: over the last 30 days whatever we hold
   * (posts we have are skipped unopened).
   */
  async #catchUp (denId: string, whole = false): Promise<void> {
    const state = this.#known(denId)
    if (!state.joined) return
    const { pubsub, store } = this.#deps
    const record = await store.dens.get(denId)
    const latest = whole ? undefined : record?.lastPostAt
    const since = Math.max(0, (latest ?? this.#now() - DEFAULT_CATCH_UP) - 60_000)
    // our relays first: keeping dens for members that were away is what they are for
    const candidates = new Set<string>([
      ...this.#deps.relays(),
      ...pubsub.getSubscribers(denTopic(denId)).map(p => p.toString()),
      ...(isPrivateKind(state.den.kind) ? state.roster.members : state.den.members)
    ])
    candidates.delete(this.#deps.self)
    for (const peer of candidates) {
      try {
        await this.#syncFrom(peerIdFromString(peer), denId, since)
        return
      } catch (err) {
        log('catch-up of %s from %s: %s', denId, peer, (err as Error).message)
      }
    }
  }

  async #syncFrom (peer: PeerId, denId: string, since: number): Promise<void> {
    for (let page = 0, from = since; page < 20; page++) {
      const signal = AbortSignal.timeout(SYNC_TIMEOUT)
      const stream = await this.#deps.dialProtocol(peer, DEN_SYNC_PROTOCOL, { signal })
      await writeFrame(stream, DenSyncRequest.encode({ version: DEN_VERSION, denId: buf(Buffer.from(denId, 'hex')), since: from, limit: MAX_SYNC_PAGE }), { signal })
      const response = DenSyncResponse.decode(await readFrame(stream, { maxLength: MAX_SYNC_RESPONSE_BYTES, signal }), { limits: { envelopes: MAX_SYNC_PAGE } })
      await stream.close().catch(() => {})
      if (response.error !== '') throw new Error(response.error)
      await this.#serially(denId, async () => {
        const state = this.#dens.get(denId)
        if (state != null && response.roster.length > 0) await this.#applyRoster(state, response.roster).catch(() => {})
      })
      let last = from
      for (const bytes of response.envelopes) {
        try {
          // a catch-up re-sends the last minute, which a member on the topic mostly has: a post
          // we hold already is skipped before its signature is checked (nothing of it is kept)
          const peek = peekDenEnvelope(bytes)
          if (peek != null && peek.denId === denId && await this.#deps.store.dens.hasPost(denId, peek.id)) {
            last = Math.max(last, peek.sentAt)
            continue
          }
          const v = verifyDenEnvelope(this.#deps.prims, bytes)
          // a copy from a peer is checked like one from the topic
          const verdict = await this.#check(v, denId, false)
          if (verdict.result !== 'accept') continue
          last = Math.max(last, v.envelope.sentAt)
          await this.#serially(denId, async () => { await this.#apply(v) })
        } catch (err) {
          log('catch-up envelope refused: %s', (err as Error).message)
        }
      }
      if (!response.hasMore || last === from) return
      from = last
    }
  }

  /** The public and verified dens a peer knows: their descriptors are owner-signed, so any peer may hand them on. */
  async #syncDirectory (peer: PeerId): Promise<void> {
    if (!this.#started) return
    const signal = AbortSignal.timeout(SYNC_TIMEOUT)
    const stream = await this.#deps.dialProtocol(peer, DEN_SYNC_PROTOCOL, { signal })
    await writeFrame(stream, DenSyncRequest.encode({ version: DEN_VERSION, denId: new Uint8Array(0), since: 0, limit: MAX_SYNC_PAGE }), { signal })
    const response = DenSyncResponse.decode(await readFrame(stream, { maxLength: MAX_SYNC_RESPONSE_BYTES, signal }), { limits: { envelopes: MAX_SYNC_PAGE } })
    await stream.close().catch(() => {})
    for (const bytes of response.envelopes) {
      try {
        const den = verifyDescriptor(this.#deps.prims, bytes)
        if (den.kind !== 'public' && den.kind !== 'verified') continue
        if (this.#dens.has(den.id) || await this.#isDestroyed(den.id)) continue
        const state: DenState = { den, roster: firstRoster(den), joined: false }
        this.#dens.set(den.id, state)
        await this.#deps.store.write(this.#deps.store.dens.putOps(this.#record(state, { unreadCount: 0 })))
      } catch (err) {
        log('directory entry from %p refused: %s', peer, (err as Error).message)
      }
    }
  }

  async #serveSync (stream: Stream, remote: PeerId): Promise<void> {
    try {
      const signal = AbortSignal.timeout(SYNC_TIMEOUT)
      const request = DenSyncRequest.decode(await readFrame(stream, { maxLength: 1024, signal }))
      if (request.denId.length === 0) {
        // the directory: every public or verified den we know
        const descriptors = [...this.#dens.values()]
          .filter(s => s.den.kind === 'public' || s.den.kind === 'verified')
          .slice(0, MAX_SYNC_PAGE)
          .map(s => buf(s.den.bytes))
        await writeFrame(stream, DenSyncResponse.encode({ envelopes: descriptors, hasMore: false, roster: new Uint8Array(0), error: '' }), { signal })
        await stream.close({ signal })
        return
      }
      const denId = Buffer.from(request.denId).toString('hex')
      const state = this.#dens.get(denId)
      let response: DenSyncResponse
      if (request.version !== DEN_VERSION || state == null || this.#destroyed.has(denId)) {
        response = { envelopes: [], hasMore: false, roster: new Uint8Array(0), error: 'unknown den' }
      } else if (isPrivateKind(state.den.kind) && !state.roster.members.includes(remote.toString())) {
        // the same answer as for a den we do not know
        response = { envelopes: [], hasMore: false, roster: new Uint8Array(0), error: 'unknown den' }
      } else {
        const limit = Math.min(Math.max(1, request.limit), MAX_SYNC_PAGE)
        const page = await this.#deps.store.dens.envelopesSince(denId, request.since, limit)
        // a page stays well inside the reader's frame limit: it stops early and says there is more
        const envelopes: Array<Uint8Array<ArrayBuffer>> = []
        let bytes = 0
        for (const envelope of page.envelopes) {
          if (envelopes.length > 0 && bytes + envelope.length > MAX_SYNC_RESPONSE_BYTES / 2) break
          envelopes.push(buf(envelope))
          bytes += envelope.length
        }
        response = { envelopes, hasMore: page.hasMore || envelopes.length < page.envelopes.length, roster: buf(state.roster.bytes), error: '' }
      }
      await writeFrame(stream, DenSyncResponse.encode(response), { signal })
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
    }
  }

  /**
   * Once per den: a Destroy arrives on the topic and 1:1 too, and both paths
   * may have checked before either got here.
   */
  async #erase (denId: string): Promise<void> {
    const { store, pubsub } = this.#deps
    if (this.#destroyed.has(denId)) return
    this.#destroyed.add(denId)
    this.#dens.delete(denId)
    this.#publicKeys.delete(denId)
    const topic = denTopic(denId)
    if (pubsub.getTopics().includes(topic)) pubsub.unsubscribe(topic)
    await store.dens.destroy(denId, this.#now())
    await store.events.append('den.destroyed', { denId })
    this.#deps.emit('den.destroyed', { denId })
  }

  #publicKey (denId: string): Uint8Array {
    let key = this.#publicKeys.get(denId)
    if (key == null) {
      key = publicDenKey(this.#deps.prims, denId)
      this.#publicKeys.set(denId, key)
    }
    return key
  }

  async #isDestroyed (denId: string): Promise<boolean> {
    if (this.#destroyed.has(denId)) return true
    if (await this.#deps.store.dens.destroyedAt(denId) == null) return false
    this.#destroyed.add(denId)
    return true
  }

  #known (denId: string): DenState {
    const state = this.#dens.get(denId)
    if (state == null || this.#destroyed.has(denId)) throw new DenNotFoundError(`den ${denId} is not known here`)
    return state
  }

  #owned (denId: string): DenState {
    const state = this.#known(denId)
    if (state.den.owner !== this.#deps.self) throw new NotDenOwnerError('only the den\'s owner may do this')
    return state
  }

  async #serially<T> (denId: string, job: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(denId) ?? Promise.resolve()
    const run = previous.then(job, job)
    const tail = run.catch(() => {})
    this.#queues.set(denId, tail)
    void tail.then(() => { if (this.#queues.get(denId) === tail) this.#queues.delete(denId) })
    return await run
  }

  #record (state: DenState, existing: Pick<DenRecord, 'unreadCount'> & Partial<DenRecord>): DenRecord {
    const { den, roster } = state
    return {
      denId: den.id,
      kind: den.kind,
      slug: den.slug,
      title: den.title,
      owner: den.owner,
      descriptor: Buffer.from(den.bytes).toString('base64'),
      ...(roster.bytes.length === 0 ? {} : { roster: Buffer.from(roster.bytes).toString('base64') }),
      epoch: roster.epoch,
      members: isPrivateKind(den.kind) ? roster.members : [den.owner],
      joined: state.joined,
      ...(state.hosted === true ? { hosted: true } : {}),
      unreadCount: existing.unreadCount,
      ...(existing.lastPostAt == null ? {} : { lastPostAt: existing.lastPostAt }),
      createdAt: den.createdAt,
      ...(den.expiresAt == null ? {} : { expiresAt: den.expiresAt })
    }
  }

  #postRecord (v: VerifiedDenEnvelope, body: ReturnType<typeof validateBody>, read: boolean): DenPostRecord {
    return {
      messageId: v.id,
      denId: v.denId,
      from: v.from,
      type: body.type,
      ...(body.content == null ? {} : { content: body.content }),
      ...(body.payload === undefined ? {} : { payload: body.payload }),
      ...(body.metadata == null ? {} : { metadata: body.metadata }),
      ...(body.replyTo == null ? {} : { replyTo: body.replyTo }),
      sentAt: v.envelope.sentAt,
      receivedAt: this.#now(),
      read
    }
  }
}

function checkPeer (peer: string): void {
  try {
    const id = peerIdFromString(peer)
    if (id.type !== 'Ed25519') throw new Error('not Ed25519')
  } catch {
    throw new DenOptionsError(`not an agent peer id: ${peer}`)
  }
}
