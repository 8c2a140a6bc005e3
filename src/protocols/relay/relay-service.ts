/**
 * The relay side of `/agentmsg/relay/1.0.0`: mailboxes for agents that are
 * offline, their history archives, and pushes to the ones that are
 * connected.
 *
 * Every request is answered on its stream, in order. Who may do what comes
 * from the stream's Noise-authenticated peer, never from the request: a
 * deposit must be the depositor's own envelope, and a mailbox or archive is
 * only ever the requester's own. A request naming another agent's mailbox
 * gets `NOT_AUTHORIZED` whether or not that mailbox exists.
 */
import { logger } from '@libp2p/logger'
import { toHex } from '../../crypto/bytes.js'
import { verifyEnvelopeSignature } from '../../crypto/index.js'
import { readFrames, writeFrame } from '../framing.js'
import { peerIdString } from '../peer-id.js'
import { TokenBuckets } from '../token-bucket.js'
import {
  DEFAULT_PAGE, DEPOSITS_PER_MINUTE, HISTORY_READS_PER_MINUTE, MAX_ACK_IDS, MAX_ARCHIVE_ENTRIES, MAX_ARCHIVE_KEY_BYTES, MAX_ENVELOPE_BYTES,
  MAX_INBOUND_STREAMS, MAX_PAGE, MAX_PAGE_BYTES, MAX_PENDING_PUSHES, MAX_REQUEST_BYTES, PROVIDE_INTERVAL, PURGE_INTERVAL,
  RELAY_FRAME_VERSION, RELAY_PROTOCOL
} from './constants.js'
import { RelayFrameError } from './errors.js'
import { relayServiceCid } from './service-key.js'
import { RelayFrame, Response } from './relay.pb.js'
import type { Primitives } from '../../crypto/index.js'
import type { Store } from '../../store/index.js'
import type { ContentRouting, PeerId, Startable, Stream } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

const log = logger('agentmsg:relay')

export interface RelayServiceComponents {
  registrar: Registrar
  contentRouting: ContentRouting
  peerId: PeerId
}

export interface RelayServiceInit {
  /** Where mailboxes and archives live (the node's store). */
  store: Store
  primitives: Primitives
  /** Deposits one sender may make per minute. @default DEPOSITS_PER_MINUTE (120) */
  depositsPerMinute?: number
  /** ArchiveList pages one agent may read per minute. @default 300 */
  historyReadsPerMinute?: number
  /** @default PURGE_INTERVAL (1 h) */
  purgeInterval?: number
  /** Announce this relay in the DHT. @default true */
  advertise?: boolean
  /** @default Date.now */
  now?: () => number
  /**
   * Keep a den's envelopes for its members (the den store). Throws
   * `DenAccessError` when the requester may not ask (not a member), another
   * error for a bad descriptor or roster.
   */
  hostDen?(descriptor: Uint8Array, roster: Uint8Array, requester: string): Promise<void>
}

/** A request of one stream, already checked against the frame rules. */
type Request = Omit<RelayFrame, 'version' | 'id' | 'response' | 'push'>

/** The stream of one subscriber: pushes queue here and are written in order. */
interface Subscriber {
  push(seq: number, envelope: Uint8Array): void
}

const ok = (fields: Partial<Response> = {}): Response => ({ refusal: Response.Refusal.NONE, detail: '', retryAfterMs: 0, held: [], hasMore: false, duplicate: false, removed: 0, entries: [], ...fields })
const refuse = (refusal: Response.Refusal, detail: string, retryAfterMs = 0): Response => ok({ refusal, detail, retryAfterMs })

const REQUEST_KINDS = ['deposit', 'fetch', 'ack', 'subscribe', 'archivePut', 'archiveList', 'denHost'] as const

function decodeRequest (bytes: Uint8Array): { id: number, request: Request } {
  let frame: RelayFrame
  try {
    frame = RelayFrame.decode(bytes, { limits: { fetch: {}, ack: { ids: MAX_ACK_IDS }, archivePut: { entries: MAX_ARCHIVE_ENTRIES } } as never })
  } catch (err) {
    throw new RelayFrameError(`relay frame: ${(err as Error).message}`)
  }
  if (frame.version !== RELAY_FRAME_VERSION) throw new RelayFrameError(`relay frame: unknown version ${frame.version}`)
  const kinds = REQUEST_KINDS.filter(k => frame[k] != null)
  if (kinds.length !== 1 || frame.response != null || frame.push != null) throw new RelayFrameError('relay frame: a request carries exactly one request')
  if (frame.id === 0) throw new RelayFrameError('relay frame: request id 0 is reserved for pushes')
  return { id: frame.id, request: frame }
}

export class RelayService implements Startable {
  readonly #components: RelayServiceComponents
  readonly #store: Store
  readonly #prims: Primitives
  readonly #deposits: TokenBuckets
  readonly #depositsPerMinute: number
  readonly #reads: TokenBuckets
  readonly #readsPerMinute: number
  readonly #purgeInterval: number
  readonly #advertise: boolean
  readonly #hostDen: RelayServiceInit['hostDen']
  readonly #subscribers = new Map<string, Set<Subscriber>>()
  readonly #streams = new Set<Stream>()
  #purgeTimer?: ReturnType<typeof setInterval>
  #provideTimer?: ReturnType<typeof setTimeout>
  #started = false
  readonly stats = { deposits: 0, refusals: 0, pushes: 0, rejectedFrames: 0 }

  constructor (components: RelayServiceComponents, init: RelayServiceInit) {
    this.#components = components
    this.#store = init.store
    this.#prims = init.primitives
    this.#depositsPerMinute = init.depositsPerMinute ?? DEPOSITS_PER_MINUTE
    this.#deposits = new TokenBuckets({ capacity: this.#depositsPerMinute, interval: 60_000, now: init.now })
    this.#readsPerMinute = init.historyReadsPerMinute ?? HISTORY_READS_PER_MINUTE
    this.#reads = new TokenBuckets({ capacity: this.#readsPerMinute, interval: 60_000, now: init.now })
    this.#purgeInterval = init.purgeInterval ?? PURGE_INTERVAL
    this.#advertise = init.advertise ?? true
    this.#hostDen = init.hostDen
  }

  readonly [Symbol.toStringTag] = 'agentmsg/relay'

  async start (): Promise<void> {
    await this.#components.registrar.handle(RELAY_PROTOCOL, (stream, connection) => {
      this.#serve(connection.remotePeer, stream)
    }, { maxInboundStreams: MAX_INBOUND_STREAMS, runOnLimitedConnection: false })
    this.#started = true
    this.#purgeTimer = setInterval(() => { void this.purge() }, this.#purgeInterval)
    this.#purgeTimer.unref?.()
  }

  /** Called once the node is connected: announce this relay in the DHT, now and periodically. */
  afterStart (): void {
    if (this.#advertise) this.#provide(1_000)
  }

  async stop (): Promise<void> {
    this.#started = false
    clearInterval(this.#purgeTimer)
    clearTimeout(this.#provideTimer)
    await this.#components.registrar.unhandle(RELAY_PROTOCOL)
    for (const stream of this.#streams) stream.abort(new Error('relay stopping'))
    this.#streams.clear()
    this.#subscribers.clear()
  }

  isStarted (): boolean {
    return this.#started
  }

  /** Remove envelopes past their TTL; returns how many went. */
  async purge (): Promise<number> {
    try {
      const purged = await this.#store.mailbox.purge()
      if (purged > 0) log('purged %d expired envelopes', purged)
      return purged
    } catch (err) {
      log.error('purge failed: %e', err)
      return 0
    }
  }

  #provide (delay: number): void {
    clearTimeout(this.#provideTimer)
    this.#provideTimer = setTimeout(() => {
      if (!this.#started) return
      this.#components.contentRouting.provide(relayServiceCid(), { signal: AbortSignal.timeout(60_000) })
        .then(() => { log('announced as a relay'); this.#provide(PROVIDE_INTERVAL) })
        .catch((err: Error) => { log('relay announcement failed, retrying: %s', err.message); this.#provide(Math.min(delay * 2, 5 * 60_000)) })
    }, delay)
    this.#provideTimer.unref?.()
  }

  #serve (remote: PeerId, stream: Stream): void {
    this.#streams.add(stream)
    stream.inactivityTimeout = 0
    let unsubscribe: (() => void) | undefined
    // responses and pushes leave in the order they were queued
    let writing: Promise<void> = Promise.resolve()
    let pendingPushes = 0
    const send = (frame: Partial<RelayFrame>): Promise<void> => {
      writing = writing.then(async () => {
        if (stream.status !== 'open') return
        await writeFrame(stream, RelayFrame.encode({ version: RELAY_FRAME_VERSION, ...frame }))
      })
      return writing
    }
    const subscriber: Subscriber = {
      push: (seq, envelope) => {
        if (++pendingPushes > MAX_PENDING_PUSHES) {
          // a subscriber that does not keep up fetches instead
          stream.abort(new Error('subscriber too slow'))
          return
        }
        this.stats.pushes++
        send({ id: 0, push: { seq: BigInt(seq), envelope: envelope as Uint8Array<ArrayBuffer> } }).finally(() => { pendingPushes-- }).catch(() => {})
      }
    }
    const run = async (): Promise<void> => {
      for await (const bytes of readFrames(stream, { maxLength: MAX_REQUEST_BYTES })) {
        const { id, request } = decodeRequest(bytes)
        let response: Response
        if (request.subscribe != null) {
          response = this.#authorize(remote, request.subscribe.mailbox)
          if (response.refusal === Response.Refusal.NONE && unsubscribe == null) unsubscribe = this.#subscribe(remote.toString(), subscriber)
        } else {
          response = await this.#answer(remote, request)
        }
        if (response.refusal !== Response.Refusal.NONE) this.stats.refusals++
        await send({ id, response })
      }
      await writing
      await stream.close().catch(() => {})
    }
    run()
      .catch((err: Error) => {
        if (err.name === 'RelayFrameError' || err.name === 'FrameTooLargeError' || err.name === 'InvalidFrameError') this.stats.rejectedFrames++
        log('relay stream with %p reset: %s', remote, err.message)
        stream.abort(err)
      })
      .finally(() => {
        unsubscribe?.()
        this.#streams.delete(stream)
      })
  }

  async #answer (remote: PeerId, request: Request): Promise<Response> {
    try {
      if (request.deposit != null) return await this.#deposit(remote, request.deposit.envelope)
      if (request.fetch != null) return await this.#fetch(remote, request.fetch)
      if (request.ack != null) return await this.#ack(remote, request.ack)
      if (request.archivePut != null) return await this.#archivePut(remote, request.archivePut)
      if (request.archiveList != null) return await this.#archiveList(remote, request.archiveList)
      if (request.denHost != null) return await this.#denHost(remote, request.denHost)
      return refuse(Response.Refusal.BAD_REQUEST, 'unknown request')
    } catch (err) {
      const name = (err as Error).name
      if (name === 'StoreQueryError') return refuse(Response.Refusal.BAD_REQUEST, (err as Error).message)
      if (name === 'MailboxFullError') return refuse(Response.Refusal.MAILBOX_FULL, (err as Error).message)
      if (name === 'ArchiveFullError') return refuse(Response.Refusal.ARCHIVE_FULL, (err as Error).message)
      log.error('relay request from %p failed: %e', remote, err)
      return refuse(Response.Refusal.UNAVAILABLE, 'storage')
    }
  }

  async #deposit (remote: PeerId, bytes: Uint8Array): Promise<Response> {
    const wait = this.#deposits.take(remote.toString())
    if (wait > 0) return refuse(Response.Refusal.RATE_LIMITED, `over ${this.#depositsPerMinute} deposits per minute`, wait)
    if (bytes.length > MAX_ENVELOPE_BYTES) return refuse(Response.Refusal.TOO_LARGE, `envelope over ${MAX_ENVELOPE_BYTES} bytes`)
    let envelope
    try {
      envelope = verifyEnvelopeSignature(this.#prims, bytes)
    } catch (err) {
      const name = (err as Error).name
      return refuse(name === 'SignatureError' ? Response.Refusal.BAD_SIGNATURE : Response.Refusal.BAD_ENVELOPE, (err as Error).message)
    }
    if (!equalPeer(remote, envelope.from)) return refuse(Response.Refusal.NOT_AUTHOR, 'only the envelope\'s sender may deposit it')
    const recipient = peerIdString(envelope.to)
    const { seq, duplicate } = await this.#store.mailbox.deposit({ recipient, id: toHex(envelope.id), envelope: bytes.slice() })
    if (!duplicate) {
      this.stats.deposits++
      for (const subscriber of this.#subscribers.get(recipient) ?? []) subscriber.push(seq, bytes)
    }
    return ok({ held: [{ seq: BigInt(seq), envelope: new Uint8Array(0) }], duplicate })
  }

  async #fetch (remote: PeerId, fetch: NonNullable<Request['fetch']>): Promise<Response> {
    const denied = this.#authorize(remote, fetch.mailbox)
    if (denied.refusal !== Response.Refusal.NONE) return denied
    const limit = fetch.limit === 0 ? DEFAULT_PAGE : fetch.limit
    if (limit > MAX_PAGE) return refuse(Response.Refusal.BAD_REQUEST, `limit over ${MAX_PAGE}`)
    const after = fetch.after === 0n ? undefined : Number(fetch.after)
    const page = await this.#store.mailbox.fetch(remote.toString(), { after, limit })
    const held: Response['held'] = []
    let bytes = 0
    for (const entry of page.entries) {
      if (held.length > 0 && bytes + entry.envelope.length > MAX_PAGE_BYTES) break
      held.push({ seq: BigInt(entry.seq), envelope: entry.envelope as Uint8Array<ArrayBuffer> })
      bytes += entry.envelope.length
    }
    return ok({ held, hasMore: page.hasMore || held.length < page.entries.length })
  }

  async #ack (remote: PeerId, ack: NonNullable<Request['ack']>): Promise<Response> {
    const denied = this.#authorize(remote, ack.mailbox)
    if (denied.refusal !== Response.Refusal.NONE) return denied
    if (ack.ids.some(id => id.length !== 16)) return refuse(Response.Refusal.BAD_REQUEST, 'an envelope id is 16 bytes')
    const removed = await this.#store.mailbox.ack(remote.toString(), ack.ids.map(toHex))
    return ok({ removed })
  }

  async #archivePut (remote: PeerId, put: NonNullable<Request['archivePut']>): Promise<Response> {
    if (put.entries.some(e => e.key.length === 0 || e.key.length > MAX_ARCHIVE_KEY_BYTES)) {
      return refuse(Response.Refusal.BAD_REQUEST, `an archive key is 1 to ${MAX_ARCHIVE_KEY_BYTES} bytes`)
    }
    await this.#store.archive.put(remote.toString(), put.entries.map(e => ({ key: toHex(e.key), blob: e.blob })))
    return ok()
  }

  async #archiveList (remote: PeerId, list: NonNullable<Request['archiveList']>): Promise<Response> {
    const wait = this.#reads.take(remote.toString())
    if (wait > 0) return refuse(Response.Refusal.RATE_LIMITED, `over ${this.#readsPerMinute} history reads per minute`, wait)
    const limit = list.limit === 0 ? DEFAULT_PAGE : list.limit
    if (limit > MAX_PAGE) return refuse(Response.Refusal.BAD_REQUEST, `limit over ${MAX_PAGE}`)
    if (list.after.length > MAX_ARCHIVE_KEY_BYTES) return refuse(Response.Refusal.BAD_REQUEST, 'after is not an archive key')
    const page = await this.#store.archive.list(remote.toString(), { after: list.after.length === 0 ? undefined : toHex(list.after), limit })
    const entries: Response['entries'] = []
    let bytes = 0
    for (const entry of page.entries) {
      if (entries.length > 0 && bytes + entry.blob.length > MAX_PAGE_BYTES) break
      entries.push({ key: Buffer.from(entry.key, 'hex'), blob: entry.blob as Uint8Array<ArrayBuffer> })
      bytes += entry.blob.length
    }
    return ok({ entries, hasMore: page.hasMore || entries.length < page.entries.length })
  }

  async #denHost (remote: PeerId, host: NonNullable<Request['denHost']>): Promise<Response> {
    if (this.#hostDen == null) return refuse(Response.Refusal.BAD_REQUEST, 'this relay keeps no dens')
    try {
      await this.#hostDen(host.descriptor, host.roster, remote.toString())
      return ok()
    } catch (err) {
      const name = (err as Error).name
      if (name === 'DenAccessError') return refuse(Response.Refusal.NOT_AUTHORIZED, (err as Error).message)
      if (name === 'DenEncodingError' || name === 'DenSignatureError' || name === 'DenNotFoundError' || name === 'DenOptionsError') return refuse(Response.Refusal.BAD_REQUEST, (err as Error).message)
      throw err
    }
  }

  /** A mailbox request names nobody (the requester) or the requester itself; anything else is refused alike. */
  #authorize (remote: PeerId, mailbox: Uint8Array): Response {
    if (mailbox.length === 0 || equalPeer(remote, mailbox)) return ok()
    return refuse(Response.Refusal.NOT_AUTHORIZED, 'a mailbox is read only by its owner')
  }

  #subscribe (recipient: string, subscriber: Subscriber): () => void {
    let set = this.#subscribers.get(recipient)
    if (set == null) {
      set = new Set()
      this.#subscribers.set(recipient, set)
    }
    set.add(subscriber)
    return () => {
      set.delete(subscriber)
      if (set.size === 0 && this.#subscribers.get(recipient) === set) this.#subscribers.delete(recipient)
    }
  }
}

function equalPeer (peer: PeerId, bytes: Uint8Array): boolean {
  const own = peer.toMultihash().bytes
  return own.length === bytes.length && own.every((b, i) => b === bytes[i])
}
