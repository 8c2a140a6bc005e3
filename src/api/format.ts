/**
 * The JSON the API speaks (DESIGN §9): ids as strings, times as ISO 8601,
 * peers as PeerId strings. One function per object, used by the routes, the
 * event stream and webhooks alike.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { publicKeyFromPeerIdBytes } from '../crypto/index.js'
import type { OpenTask } from '../node/tasks.js'
import type { ResolvedCard } from '../protocols/card/index.js'
import type { ConversationRecord, DeliveryStatus, MessageRecord, StoredEvent } from '../store/index.js'

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

export interface ApiEvent {
  cursor: number
  type: string
  /** when it was logged */
  at: string
  data: unknown
}

/** An event as the WebSocket, long-poll and webhooks carry it. */
export function apiEvent (e: StoredEvent): ApiEvent {
  let data = e.data
  if (e.type === 'message.received' || e.type === 'task.response') data = apiMessage(e.data as MessageRecord)
  else if (e.type === 'task.expired') {
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
