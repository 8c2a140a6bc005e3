/**
 * The JSON the API speaks (DESIGN §9): ids as strings, times as ISO 8601,
 * peers as PeerId strings. One function per object, used by the routes, the
 * event stream and webhooks alike.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { publicKeyFromPeerIdBytes } from '../crypto/index.js'
import type { DenInfo } from '../node/dens.js'
import type { OpenTask } from '../node/tasks.js'
import type { ResolvedCard } from '../protocols/card/index.js'
import type { ContactRecord, ConversationRecord, DenPostRecord, DeliveryStatus, MessageRecord, RequestRecord, StoredEvent } from '../store/index.js'

export function iso (ms: number): string {
  return new Date(ms).toISOString()
}

/** An ISO 8601 string or ms since the epoch, as ms. */
export function toMs (value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined
  return typeof value === 'number' ? value : Date.parse(value)
}

export interface ApiMessage {
  messageId: string
  conversationId: string
  from: string
  to: string
  type: string
  content?: string
  payload?: unknown
  metadata?: Record<string, unknown>
  replyTo?: string
  task?: { taskId: string, skill?: string, deadline?: string, idempotencyKey?: string, state?: string }
  sentAt: string
  receivedAt?: string
  expiresAt?: string
  read: boolean
  status: DeliveryStatus
  statusReason?: string
  /** the envelope's signature was checked against `from`: true for anything stored */
  verified: true
}

export function apiMessage (m: MessageRecord): ApiMessage {
  const out: ApiMessage = {
    messageId: m.messageId,
    conversationId: m.conversationId,
    from: m.from,
    to: m.to,
    type: m.type,
    sentAt: iso(m.sentAt),
    read: m.read,
    status: m.status,
    verified: true
  }
  if (m.content !== undefined) out.content = m.content
  if (m.payload !== undefined) out.payload = m.payload
  if (m.metadata !== undefined) out.metadata = m.metadata
  if (m.replyTo !== undefined) out.replyTo = m.replyTo
  if (m.task !== undefined) {
    const { deadline, ...task } = m.task
    out.task = deadline === undefined ? task : { ...task, deadline: iso(deadline) }
  }
  if (m.receivedAt !== undefined) out.receivedAt = iso(m.receivedAt)
  if (m.expiresAt !== undefined) out.expiresAt = iso(m.expiresAt)
  if (m.statusReason !== undefined) out.statusReason = m.statusReason
  return out
}

export interface ApiConversation {
  conversationId: string
  peer: string
  name: string | null
  lastMessageAt: string
  unreadCount: number
  status: 'active' | 'archived'
}

export function apiConversation (c: ConversationRecord): ApiConversation {
  return {
    conversationId: c.conversationId,
    peer: c.peer,
    name: c.name ?? null,
    lastMessageAt: iso(c.lastMessageAt),
    unreadCount: c.unreadCount,
    status: c.status
  }
}

export interface ApiContact {
  peer: string
  trust: string
  alias?: string
  addedAt: string
  updatedAt: string
}

/** A contact; `peer` as in requests and conversations (the node's record says `peerId`). */
export function apiContact (c: ContactRecord): ApiContact {
  return {
    peer: c.peerId,
    trust: c.trust,
    ...(c.alias === undefined ? {} : { alias: c.alias }),
    addedAt: iso(c.addedAt),
    updatedAt: iso(c.updatedAt)
  }
}

export interface ApiRequest {
  peer: string
  firstAt: string
  lastAt: string
  refused: number
  messages: ApiMessage[]
}

export function apiRequest (r: RequestRecord): ApiRequest {
  return { peer: r.peer, firstAt: iso(r.firstAt), lastAt: iso(r.lastAt), refused: r.refused, messages: r.held.map(apiMessage) }
}

/** What `connection.request` carries in the log: who, since when (ms), the first message (a record). */
interface LoggedRequest {
  peer: string
  firstAt: number
  message?: MessageRecord
}

/** A den message: the message object with `denId`; the den is its conversation and its addressee. */
export interface ApiDenMessage extends Omit<ApiMessage, 'task' | 'statusReason'> {
  denId: string
}

/**
 * A den post as JSON. `status` is `sent` for our own posts (published on
 * the topic) and `delivered` for others' (verified, decrypted and stored here).
 */
export function apiDenMessage (p: DenPostRecord, self?: string): ApiDenMessage {
  const out: ApiDenMessage = {
    messageId: p.messageId,
    conversationId: p.denId,
    denId: p.denId,
    from: p.from,
    to: p.denId,
    type: p.type,
    sentAt: iso(p.sentAt),
    receivedAt: iso(p.receivedAt),
    read: p.read,
    status: p.from === self ? 'sent' : 'delivered',
    verified: true
  }
  if (p.content !== undefined) out.content = p.content
  if (p.payload !== undefined) out.payload = p.payload
  if (p.metadata !== undefined) out.metadata = p.metadata
  if (p.replyTo !== undefined) out.replyTo = p.replyTo
  return out
}

export interface ApiDen {
  denId: string
  kind: string
  slug: string
  title: string
  owner: string
  members: string[]
  joined: boolean
  unreadCount: number
  lastPostAt: string | null
  createdAt: string
  expiresAt?: string
}

export function apiDen (d: DenInfo): ApiDen {
  return {
    denId: d.denId,
    kind: d.kind,
    slug: d.slug,
    title: d.title,
    owner: d.owner,
    members: d.members,
    joined: d.joined,
    unreadCount: d.unreadCount,
    lastPostAt: d.lastPostAt == null ? null : iso(d.lastPostAt),
    createdAt: iso(d.createdAt),
    ...(d.expiresAt == null ? {} : { expiresAt: iso(d.expiresAt) })
  }
}

export interface ApiEvent {
  cursor: number
  type: string
  /** when it was logged */
  at: string
  data: unknown
}

/** An event as the WebSocket, long-poll and webhooks carry it; `self` is our peer id (den posts of our own are `sent`). */
export function apiEvent (e: StoredEvent, self?: string): ApiEvent {
  let data = e.data
  if (e.type === 'message.received' || e.type === 'task.response') data = apiMessage(e.data as MessageRecord)
  else if (e.type === 'den.message') data = apiDenMessage(e.data as DenPostRecord, self)
  else if (e.type === 'connection.request') {
    const { peer, firstAt, message } = e.data as LoggedRequest
    data = { peer, firstAt: iso(firstAt), ...(message == null ? {} : { message: apiMessage(message) }) }
  } else if (e.type === 'task.expired') {
    const task = e.data as OpenTask
    data = { ...task, deadline: iso(task.deadline) }
  }
  return { cursor: e.cursor, type: e.type, at: iso(e.at), data }
}

function peerIdFromBytes (bytes: Uint8Array): string {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKeyFromPeerIdBytes(bytes))).toString()
}

/** A signed card as JSON (binary fields base64). */
export function apiCard (resolved: ResolvedCard): Record<string, unknown> {
  const { card } = resolved
  return {
    peerId: peerIdFromBytes(card.peerId),
    name: card.name,
    description: card.description,
    inboxPolicy: card.inboxPolicy,
    skills: card.skills,
    relays: card.relays.map(r => ({ peerId: peerIdFromBytes(r.peerId), addrs: r.addrs.map(a => multiaddr(a).toString()) })),
    signedPrekey: card.signedPrekey == null
      ? null
      : { id: card.signedPrekey.id, publicKey: Buffer.from(card.signedPrekey.publicKey).toString('base64') },
    credentials: card.credentials.length,
    seq: card.seq,
    issuedAt: iso(card.issuedAt),
    source: resolved.source,
    addrs: resolved.addrs.map(a => a.toString()),
    signature: Buffer.from(card.signature).toString('base64')
  }
}
