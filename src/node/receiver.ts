/**
 * The receiving side of 1:1 messages: an envelope from the network is
 * verified, opened under its peer's session lock, and written in a group
 * commit (message, session state, replay id) before it is acked.
 *
 * Writes happen outside the session lock so the next message can be opened
 * meanwhile; a failed write rejects its group and everything queued, drops
 * the in-memory sessions, and refuses messages opened from that stale state
 * (RETRY), so a later session state is never stored past an earlier message
 * that was not.
 */
import { logger } from '@libp2p/logger'
import { ReplayError, decodeEnvelope } from '../crypto/index.js'
import { decodeBody } from '../protocols/dm/body.js'
import { Consent, Receipt } from '../protocols/dm/body.pb.js'
import { Ack } from '../protocols/dm/dm.pb.js'
import { peerIdString } from '../protocols/peer-id.js'
import { conversationId } from './conversation-id.js'
import { GroupCommit } from './delivery-queue.js'
import { recordFields } from './message-record.js'
import type { ContentRules } from './content-policy.js'
import type { InboxGate } from './inbox-gate.js'
import type { PeerLimits } from './limits.js'
import type { Opened, SessionManager } from './session-manager.js'
import type { TaskTracker } from './tasks.js'
import type { VerifiedEnvelope } from '../crypto/index.js'
import type { OutgoingBody, TaskInfo } from '../protocols/dm/body.js'
import type { DeliveryStatus, MessageRecord, RequestRecord, Store, StoreOp } from '../store/index.js'
import type { PeerId } from '@libp2p/interface'

const log = logger('agentmsg:receive')

export interface AckResult {
  id: Uint8Array
  status: Ack.Status
  reason?: string
  /** set when this delivery stored a new message (not a receipt, duplicate or refusal) */
  stored?: { from: string, messageId: string }
}

export interface ReceiverDeps {
  store: Store
  sessions: SessionManager
  tasks: TaskTracker
  /** our PeerId bytes and string */
  self: Uint8Array
  peerId: string
  /** a message was stored */
  received(record: MessageRecord): void
  /** a receipt moved one of our messages forward */
  status(change: { messageId: string, conversationId: string, peer: string, status: DeliveryStatus }): void
  /** send a body back (idempotent task replies) */
  reply(to: string, body: OutgoingBody): Promise<unknown>
  /**
   * A den control body (invitation, roster, sender key, destroy): the writes
   * it needs, committed with the session state that opened it, and what to
   * do once they are on disk. Must not throw: refuse by returning no writes.
   */
  den?(from: string, control: Uint8Array): Promise<{ ops: StoreOp[], after?(): void }>
  /** The inbox policy: which senders reach the inbox, which wait in a request. @default everyone reaches it */
  gate?: InboxGate
  /** Per-peer DM limit on what arrives directly. @default none */
  limits?: PeerLimits
  /** The agent's content policy, on what arrives. @default none */
  rules?: ContentRules
  /** Peers we blocked: what still reaches us from them (through a relay) is dropped unread. */
  blocked?(peer: string): boolean
  /** A message was held in a request (`first`: the request is new). */
  requested?(request: RequestRecord, first: boolean): void
  /** The answer to our request to `from`. */
  consent?(from: string, decision: 'accepted' | 'declined', messageIds: string[]): void
}

/** How an envelope reached us. */
export interface DeliverOptions {
  /** fetched from one of our relays: the relay already limited its sender's rate */
  relayed?: boolean
}

/**
 * What a received message becomes, decided inside its session lock (a
 * message from a stranger is admitted or held inside its write, which may
 * change `status` and `reason` before `committed` resolves).
 */
interface ReceivePlan {
  committed: Promise<void>
  status: Ack.Status
  reason?: string
  /** after the write: events, replies */
  after?(): void | Promise<void>
  stored?: AckResult['stored']
}

/**
 * Errors that mean the envelope itself will never be accepted (acked
 * REJECTED); anything else is a local failure the sender should retry.
 */
const REFUSALS = new Set([
  'SignatureError', 'DecryptError', 'EncodingError', 'WrongRecipientError', 'SessionStateError',
  'SkipLimitError', 'LowOrderPointError', 'InvalidInputError', 'BodyValidationError'
])

/** The reason a message refused by the rate limit is acked with. */
export const RATE_LIMITED = 'RateLimitedError'

/** meta key of a message opened and refused (its body): a resend gets the same answer */
const REFUSED_PREFIX = 'refused/'

function decodableId (bytes: Uint8Array): Uint8Array {
  try {
    return decodeEnvelope(bytes).id.slice()
  } catch {
    return new Uint8Array(0)
  }
}

/** A message opened from session state that a failed write invalidated: the sender resends it. */
class RetryLaterError extends Error {
  override name = 'RetryLaterError'
}

export class Receiver {
  readonly #deps: ReceiverDeps
  readonly #writes: GroupCommit
  /** bumped when a group write fails: sessions opened before it are stale */
  #epoch = 0
  /** envelopes being written now, by id */
  readonly #receiving = new Map<string, Promise<AckResult>>()
  readonly stats = { rejectedEnvelopes: 0, duplicates: 0, blockedDrops: 0, policyRefusals: 0, held: 0 }

  constructor (deps: ReceiverDeps) {
    this.#deps = deps
    this.#writes = new GroupCommit(async (build) => { await deps.store.write(build) }, () => {
      // in-memory sessions moved past what is stored: reload them
      this.#epoch++
      deps.sessions.clear()
    })
  }

  /**
   * An envelope from the network: verify, open, persist, then say how to ack.
   * Never throws. The sender is the envelope's signed `from`, not the peer
   * that handed it over (relays will carry other agents' envelopes).
   */
  async deliver (_from: PeerId, bytes: Uint8Array, options: DeliverOptions = {}): Promise<AckResult> {
    let verified
    try {
      verified = this.#deps.sessions.verify(bytes)
    } catch (err) {
      this.stats.rejectedEnvelopes++
      // name the envelope when it decodes, so its sender can stop resending it
      return { id: decodableId(bytes), status: Ack.Status.REJECTED, reason: (err as Error).name }
    }
    const messageId = Buffer.from(verified.envelope.id).toString('hex')
    // the same envelope again while its first copy is still being written: answer as that one is
    const inFlight = this.#receiving.get(messageId)
    if (inFlight != null) {
      const first = await inFlight
      this.stats.duplicates++
      return first.status === Ack.Status.OK ? { ...first, status: Ack.Status.DUPLICATE } : first
    }
    const work = this.#receive(verified, bytes, messageId, options)
    this.#receiving.set(messageId, work)
    try {
      return await work
    } finally {
      this.#receiving.delete(messageId)
    }
  }

  async #receive (verified: VerifiedEnvelope, bytes: Uint8Array, messageId: string, options: DeliverOptions): Promise<AckResult> {
    const { store, sessions } = this.#deps
    const id = verified.envelope.id
    const sender = peerIdString(verified.envelope.from)
    if (this.#deps.blocked?.(sender) === true) {
      // the connection gater keeps a blocked agent out; this came through a relay: taken, not read
      this.stats.blockedDrops++
      return { id, status: Ack.Status.OK }
    }
    // what the inbox policy needs to know about the sender, looked up before its session lock
    const preparing = this.#deps.gate?.prepare(sender)
    if (preparing != null) await preparing
    const epoch = this.#epoch
    try {
      if (await store.replay.has(messageId)) {
        this.stats.duplicates++
        // a copy of one we refused is refused again, not counted as delivered
        const refused = await store.meta.get<string>(REFUSED_PREFIX + messageId)
        return refused == null ? { id, status: Ack.Status.DUPLICATE } : { id, status: Ack.Status.REJECTED, reason: refused }
      }
      const plan = await sessions.open(sender, verified, async (opened) => await this.#plan(sender, verified, bytes, messageId, opened, epoch, options))
      await plan.committed
      await plan.after?.()
      if (plan.status === Ack.Status.REJECTED) this.stats.rejectedEnvelopes++
      return { id, status: plan.status, ...(plan.reason == null ? {} : { reason: plan.reason }), ...(plan.stored == null ? {} : { stored: plan.stored }) }
    } catch (err) {
      const name = (err as Error).name
      if (err instanceof ReplayError) {
        this.stats.duplicates++
        return { id, status: Ack.Status.DUPLICATE }
      }
      if (!REFUSALS.has(name)) {
        // a disk error, or a write we cannot trust: the sender keeps it and tries again
        log.error('could not persist %s from %s: %e', messageId, sender, err)
        return { id, status: Ack.Status.RETRY, reason: 'storage' }
      }
      this.stats.rejectedEnvelopes++
      log('rejected %s from %s: %s', messageId, sender, name)
      return { id, status: Ack.Status.REJECTED, reason: name }
    }
  }

  /**
   * Inside the peer's session lock: decide what an opened message becomes and
   * queue its write (with the session state it left) for the next group
   * commit, without waiting for it, so the next message can be opened.
   */
  async #plan (sender: string, verified: VerifiedEnvelope, bytes: Uint8Array, messageId: string, opened: Opened, epoch: number, options: DeliverOptions): Promise<ReceivePlan> {
    const { store, tasks } = this.#deps
    const common = (): StoreOp[] => [
      ...opened.writes.flatMap(([key, bytes]) => bytes == null ? store.sessions.deleteOps(key) : store.sessions.putOps(key, bytes, true)),
      ...store.replay.addOps(messageId, Date.now())
    ]
    const consume = async (): Promise<StoreOp[]> => await this.#consumeOps(opened.consumedOneTimePrekey)
    // the ratchet moved: keep its state and remember the refusal, store nothing else
    const refuse = (reason: string): ReceivePlan => ({
      committed: this.commit(epoch, async () => [...common(), ...await consume(), ...store.meta.putOps(REFUSED_PREFIX + messageId, reason)]),
      status: Ack.Status.REJECTED,
      reason
    })
    let decoded
    try {
      decoded = decodeBody(opened.plaintext)
    } catch (err) {
      return refuse((err as Error).name)
    }
    if (decoded.receipt != null) {
      const receipt = decoded.receipt
      const changes: MessageRecord[] = []
      const status: DeliveryStatus = receipt.kind === Receipt.Kind.READ ? 'read' : receipt.kind === Receipt.Kind.PROCESSED ? 'processed' : 'delivered'
      const committed = this.commit(epoch, async () => {
        const ops = [...common(), ...await consume()]
        for (const target of receipt.messageIds) {
          // a receipt speaks only for messages we sent to its sender
          const message = await store.messages.get(target)
          if (message == null || message.direction !== 'out' || message.to !== sender) continue
          const built = await store.messages.setStatusOps(target, status)
          if (built.result) {
            ops.push(...built.ops, ...store.events.appendOps('message.status', { messageId: target, conversationId: built.result.conversationId, peer: sender, status }))
            changes.push(built.result)
          }
          if (status === 'processed' && built.result) {
            // the worker's signed envelope: proof that it processed our task
            ops.push(...store.meta.putOps(`proof/${target}`, Buffer.from(bytes).toString('base64')))
          }
        }
        return ops
      })
      return {
        committed,
        status: Ack.Status.OK,
        after: () => { for (const m of changes) this.#deps.status({ messageId: m.messageId, conversationId: m.conversationId, peer: sender, status: m.status }) }
      }
    }
    if (decoded.consent != null) {
      const decision = decoded.consent.decision === Consent.Decision.ACCEPTED ? 'accepted' : 'declined'
      // an answer speaks only for messages we sent to its sender
      const messageIds: string[] = []
      for (const id of decoded.consent.messageIds) {
        const message = await store.messages.get(id)
        if (message?.direction === 'out' && message.to === sender) messageIds.push(id)
      }
      const answers = messageIds.length > 0
      return {
        committed: this.commit(epoch, async () => [
          ...common(), ...await consume(),
          ...(answers ? store.events.appendOps(`connection.${decision}`, { peer: sender, messageIds }) : [])
        ]),
        status: Ack.Status.OK,
        after: () => { if (answers) this.#deps.consent?.(sender, decision, messageIds) }
      }
    }
    if (decoded.den != null) {
      const control = decoded.den
      let after: (() => void) | undefined
      const committed = this.commit(epoch, async () => {
        let ops: StoreOp[] = []
        try {
          const handled = await this.#deps.den?.(sender, control)
          ops = handled?.ops ?? []
          after = handled?.after
        } catch (err) {
          log.error('den control from %s: %e', sender, err)
        }
        return [...common(), ...await consume(), ...ops]
      })
      return { committed, status: Ack.Status.OK, after: () => { after?.() } }
    }
    const body = decoded.body!
    const convId = conversationId(this.#deps.self, verified.envelope.from)
    if (options.relayed !== true && this.#deps.limits?.receiveDm(sender) === false) {
      this.stats.policyRefusals++
      return refuse(RATE_LIMITED)
    }
    if (this.#deps.rules?.hasReceivePolicy === true) {
      try {
        await this.#deps.rules.checkReceive(body, { peer: sender, conversationId: convId })
      } catch (err) {
        this.stats.policyRefusals++
        const policy = (err as { policy?: string }).policy ?? 'content-policy'
        log('refused %s from %s by content policy %s', messageId, sender, policy)
        return refuse(`ContentPolicyError(${policy})`)
      }
    }
    if (body.type === 'task-request' && body.task?.idempotencyKey != null) {
      const known = await tasks.seen(sender, body.task.idempotencyKey)
      if (known != null) {
        // a repeated request: not shown again; answered with the first response once there is one
        const taskId = body.task.taskId
        return {
          committed: this.commit(epoch, async () => [...common(), ...await consume()]),
          status: Ack.Status.OK,
          after: () => {
            if (known.response == null) return
            const replay = { ...known.response, task: { ...known.response.task!, taskId } }
            this.#deps.reply(sender, replay).catch(err => { log.error('idempotent reply to %s: %e', sender, err) })
          }
        }
      }
    }
    const record: MessageRecord = {
      messageId,
      conversationId: convId,
      direction: 'in',
      from: sender,
      to: this.#deps.peerId,
      ...recordFields(body),
      sentAt: verified.envelope.sentAt,
      receivedAt: Date.now(),
      read: false,
      status: 'delivered'
    }
    const plan: ReceivePlan = { committed: Promise.resolve(), status: Ack.Status.OK, stored: { from: sender, messageId } }
    let held: { request: RequestRecord, first: boolean } | undefined
    plan.committed = this.commit(epoch, async () => {
      const ops = [...common(), ...await consume()]
      // decided inside the write, in order with accept and decline, which go through it too
      const admission = await this.#deps.gate?.admitOps(record) ?? { decision: 'deliver' }
      if (admission.decision === 'deliver') return [...ops, ...await this.deliveryOps(record)]
      if (admission.decision === 'hold') {
        held = admission
        return [...ops, ...admission.ops, ...(admission.first ? store.events.appendOps('connection.request', requestEvent(admission.request)) : [])]
      }
      plan.status = Ack.Status.REJECTED
      plan.reason = admission.reason
      delete plan.stored
      return [...ops, ...(admission.ops ?? []), ...store.meta.putOps(REFUSED_PREFIX + messageId, admission.reason)]
    })
    plan.after = async () => {
      if (plan.status !== Ack.Status.OK) return
      if (held != null) {
        this.stats.held++
        this.#deps.requested?.(held.request, held.first)
        return
      }
      await this.delivered(record)
    }
    return plan
  }

  /** The writes that put a received message in the inbox (with its events and task bookkeeping). */
  async deliveryOps (record: MessageRecord): Promise<StoreOp[]> {
    const { store, tasks } = this.#deps
    return [
      ...await store.messages.putOps(record),
      ...store.events.appendOps('message.received', record),
      ...(record.type === 'task-response' ? store.events.appendOps('task.response', record) : []),
      ...(record.type === 'task-request' && record.task != null ? tasks.requestOps(record.from, record.task as TaskInfo, record.messageId) : [])
    ]
  }

  /** After `deliveryOps` committed: task state, then the `message.received` event. */
  async delivered (record: MessageRecord): Promise<void> {
    if (record.type === 'task-response' && record.task != null) await this.#deps.tasks.responded(record.from, record.task as TaskInfo)
    this.#deps.received(record)
  }

  /** Resolves once the group write in flight now (received messages, or sends) has ended. */
  async settled (): Promise<void> {
    await this.#writes.settled()
  }

  /** Bumped by every failed group write: session state read before it may be stale. */
  get epoch (): number {
    return this.#epoch
  }

  /**
   * Queue a write that carries session state (a received message, or sent
   * ones) behind every earlier one. Refused if a write failed since `epoch`
   * was read: the session state came from a write that never landed.
   */
  commit (epoch: number, build: () => Promise<StoreOp[]>): Promise<void> {
    if (epoch !== this.#epoch) throw new RetryLaterError('a store write failed while this message was opened')
    const committed = this.#writes.push(build)
    // awaited by the caller once the session lock is released
    committed.catch(() => {})
    return committed
  }

  async #consumeOps (oneTimePrekey: number | undefined): Promise<StoreOp[]> {
    if (oneTimePrekey === undefined) return []
    return (await this.#deps.store.prekeys.takeOneTimeOps(oneTimePrekey)).ops
  }
}

/** What `connection.request` carries: who, since when, and the first message. */
export function requestEvent (request: RequestRecord): { peer: string, firstAt: number, message: MessageRecord | undefined } {
  return { peer: request.peer, firstAt: request.firstAt, message: request.held[0] }
}
