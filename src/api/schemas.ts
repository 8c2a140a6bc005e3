/**
 * TypeBox schemas of every route: fastify validates requests with them and
 * @fastify/swagger builds `/openapi.json` from the same objects.
 */
import { Type } from 'typebox'
import type { Static } from 'typebox'
import { MAX_MEMBERS, MAX_SLUG_LENGTH, MAX_TITLE_LENGTH } from '../protocols/den/constants.js'

export const EVENT_TYPES = [
  'message.received', 'message.status', 'message.read', 'message.expired',
  'connection.request', 'connection.accepted', 'connection.declined',
  'den.message', 'den.destroyed', 'task.response', 'task.expired'
] as const

const BODY_TYPES = ['text', 'markdown', 'json', 'structured', 'file-url', 'media', 'task-request', 'task-response'] as const
const TASK_STATES = ['submitted', 'working', 'input-required', 'completed', 'failed', 'canceled', 'rejected'] as const
const STATUSES = ['queued', 'sent', 'relayed', 'delivered', 'read', 'processed', 'failed'] as const

/** One of `values`, as `{type: 'string', enum}`. */
function literals<const T extends readonly string[]> (values: T) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values] })
}

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'stable error code, e.g. invalid_body, not_found, rate_limited' }),
  detail: Type.String({ description: 'what was wrong, naming the field where there is one' }),
  policy: Type.Optional(Type.String({ description: 'content_policy_violation only: the rule that refused (spam, or a custom policy\'s name)' })),
  limit: Type.Optional(Type.String({ description: 'rate_limited from a per-peer limit only: which one (dm, history)' }))
}, { $id: 'Error' })

/** ISO 8601 or ms since the epoch. */
const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0 })])
const PeerId = Type.String({ minLength: 1, maxLength: 128, description: 'an agent PeerId (12D3KooW...)' })
const MessageIdParam = Type.String({ pattern: '^[0-9a-f]{32}$', description: '32 lowercase hex characters' })
const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50 })

export const Task = Type.Object({
  taskId: Type.String({ minLength: 1 }),
  skill: Type.Optional(Type.String()),
  deadline: Type.Optional(Time),
  idempotencyKey: Type.Optional(Type.String()),
  state: Type.Optional(literals(TASK_STATES))
})

export const Message = Type.Object({
  messageId: Type.String(),
  conversationId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  type: Type.String(),
  content: Type.Optional(Type.String()),
  payload: Type.Optional(Type.Unknown()),
  metadata: Type.Optional(Type.Unknown()),
  replyTo: Type.Optional(Type.String()),
  task: Type.Optional(Type.Unknown()),
  sentAt: Type.String({ format: 'date-time' }),
  receivedAt: Type.Optional(Type.String({ format: 'date-time' })),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  read: Type.Boolean(),
  status: literals(STATUSES),
  statusReason: Type.Optional(Type.String()),
  verified: Type.Boolean()
}, { $id: 'Message' })

export const Conversation = Type.Object({
  conversationId: Type.String(),
  peer: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  lastMessageAt: Type.String({ format: 'date-time' }),
  unreadCount: Type.Integer(),
  status: literals(['active', 'archived'] as const)
}, { $id: 'Conversation' })

const Skill = Type.Object({
  id: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  examples: Type.Optional(Type.Array(Type.String())),
  inputModes: Type.Optional(Type.Array(Type.String())),
  outputModes: Type.Optional(Type.Array(Type.String()))
})

export const INBOX_POLICIES = ['open', 'verified', 'contacts'] as const

export const MePut = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  inboxPolicy: Type.Optional(literals(INBOX_POLICIES)),
  skills: Type.Optional(Type.Array(Skill, { maxItems: 64 }))
}, { additionalProperties: false })
export type MePut = Static<typeof MePut>

export const SessionPost = Type.Object({
  to: PeerId,
  ephemeral: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type SessionPost = Static<typeof SessionPost>

export const MessagePost = Type.Object({
  to: PeerId,
  type: literals(BODY_TYPES),
  content: Type.Optional(Type.String()),
  payload: Type.Optional(Type.Unknown()),
  media: Type.Optional(Type.Object({
    url: Type.String(),
    mimeType: Type.String(),
    size: Type.Optional(Type.Integer({ minimum: 0 })),
    sha256: Type.Optional(Type.String())
  })),
  task: Type.Optional(Task),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  replyTo: Type.Optional(MessageIdParam),
  expiresAt: Type.Optional(Time)
}, { additionalProperties: false })
export type MessagePost = Static<typeof MessagePost>

export const SendResult = Type.Object({
  messageId: Type.String(),
  conversationId: Type.String(),
  status: Type.String({ description: 'queued: in the outbox; follow message.status events for sent, delivered, read' }),
  sentAt: Type.String({ format: 'date-time' })
})

export const InboxQuery = Type.Object({
  limit: Type.Optional(Limit),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  unread: Type.Optional(Type.Boolean())
})
export type InboxQuery = Static<typeof InboxQuery>

export const MessageIdParams = Type.Object({ messageId: MessageIdParam })
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) })
export const PeerParams = Type.Object({ peer: PeerId })

export const ConversationsQuery = Type.Object({
  status: Type.Optional(literals(['active', 'archived'] as const)),
  sort: Type.Optional(literals(['lastMessageAt', 'unread'] as const)),
  limit: Type.Optional(Limit)
})
export type ConversationsQuery = Static<typeof ConversationsQuery>

export const HistoryQuery = Type.Object({
  limit: Type.Optional(Limit),
  before: Type.Optional(MessageIdParam)
})
export type HistoryQuery = Static<typeof HistoryQuery>

export const TRUST_LEVELS = ['blocked', 'unknown', 'verified', 'contact', 'trusted'] as const

export const ContactPut = Type.Object({
  trust: literals(TRUST_LEVELS),
  alias: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'absent: the contact has no alias (PUT replaces)' }))
}, { additionalProperties: false })
export type ContactPut = Static<typeof ContactPut>

export const Contact = Type.Object({
  peer: Type.String(),
  trust: Type.String({ description: 'blocked < unknown < verified < contact < trusted' }),
  alias: Type.Optional(Type.String()),
  addedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
}, { $id: 'Contact' })

export const MessageRequest = Type.Object({
  peer: Type.String({ description: 'the agent that wrote' }),
  firstAt: Type.String({ format: 'date-time', description: 'its first message' }),
  lastAt: Type.String({ format: 'date-time', description: 'its latest message' }),
  refused: Type.Integer({ description: 'messages refused because the request already held its most' }),
  messages: Type.Array(Message, { description: 'held, in arrival order; not in the inbox until accepted' })
}, { $id: 'MessageRequest' })

const DEN_KINDS = ['public', 'verified', 'private', 'bounty'] as const
/** Bodies a den takes: tasks go 1:1. */
const DEN_BODY_TYPES = ['text', 'markdown', 'json', 'structured', 'file-url', 'media'] as const
const DenMembers = Type.Array(PeerId, { maxItems: MAX_MEMBERS, uniqueItems: true })

export const Den = Type.Object({
  denId: Type.String({ description: '32 hex characters, from the hash of the owner-signed descriptor' }),
  kind: Type.String({ description: 'public, verified, private or bounty' }),
  slug: Type.String(),
  title: Type.String(),
  owner: Type.String(),
  members: Type.Array(Type.String(), { description: 'private and bounty dens: the current roster; public and verified: the owner' }),
  joined: Type.Boolean({ description: 'subscribed here (a public den from the directory is known but not joined)' }),
  unreadCount: Type.Integer(),
  lastPostAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' }))
}, { $id: 'Den' })

export const DenMessage = Type.Object({
  messageId: Type.String(),
  conversationId: Type.String({ description: 'the den id' }),
  denId: Type.String(),
  from: Type.String(),
  to: Type.String({ description: 'the den id' }),
  type: Type.String(),
  content: Type.Optional(Type.String()),
  payload: Type.Optional(Type.Unknown()),
  metadata: Type.Optional(Type.Unknown()),
  replyTo: Type.Optional(Type.String()),
  sentAt: Type.String({ format: 'date-time' }),
  receivedAt: Type.Optional(Type.String({ format: 'date-time' })),
  read: Type.Boolean(),
  status: Type.String({ description: 'sent (our own post, published) or delivered (verified and stored here)' }),
  verified: Type.Boolean()
}, { $id: 'DenMessage' })

export const DenPost = Type.Object({
  slug: Type.String({ minLength: 1, maxLength: MAX_SLUG_LENGTH, pattern: '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$', description: 'lowercase letters, digits and inner dashes' }),
  title: Type.String({ minLength: 1, maxLength: MAX_TITLE_LENGTH }),
  kind: literals(DEN_KINDS),
  members: Type.Optional(DenMembers)
}, { additionalProperties: false })
export type DenPost = Static<typeof DenPost>
export const DenMembersPost = Type.Object({
  add: Type.Optional(DenMembers),
  remove: Type.Optional(DenMembers)
}, { additionalProperties: false })
export type DenMembersPost = Static<typeof DenMembersPost>
export const DenMessagePost = Type.Object({
  type: literals(DEN_BODY_TYPES),
  content: Type.Optional(Type.String()),
  payload: Type.Optional(Type.Unknown()),
  media: Type.Optional(Type.Object({
    url: Type.String(),
    mimeType: Type.String(),
    size: Type.Optional(Type.Integer({ minimum: 0 })),
    sha256: Type.Optional(Type.String())
  })),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  replyTo: Type.Optional(MessageIdParam)
}, { additionalProperties: false })
export type DenMessagePost = Static<typeof DenMessagePost>
export const DenFeedQuery = Type.Object({
  since: Type.Optional(Time),
  limit: Type.Optional(Limit),
  replyTo: Type.Optional(MessageIdParam)
})
export type DenFeedQuery = Static<typeof DenFeedQuery>
export const DensQuery = Type.Object({
  joined: Type.Optional(Type.Boolean({ description: 'only joined (true) or only known but not joined (false) dens' }))
})
const DenId = Type.String({ pattern: '^[0-9a-f]{32}$', description: 'a den id: 32 lowercase hex characters' })
export const DenIdParams = Type.Object({ id: DenId })
export const DenActionParams = Type.Object({
  id: DenId,
  action: literals(['join', 'leave', 'destroy', 'read'] as const)
})
export const RestoreResult = Type.Object({
  restored: Type.Integer({ description: 'messages and conversations written here' }),
  skipped: Type.Integer({ description: 'already here, or not readable under our key' }),
  relays: Type.Integer({ description: 'relays that answered' })
})
export const VerifyPost = Type.Object({ issuer: PeerId }, { additionalProperties: false })

export const WebhookPost = Type.Object({
  url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'http or https' }),
  events: Type.Array(literals(EVENT_TYPES), { minItems: 1, uniqueItems: true }),
  secret: Type.String({ minLength: 16, maxLength: 256, description: 'HMAC-SHA256 key; never returned' })
}, { additionalProperties: false })
export type WebhookPost = Static<typeof WebhookPost>

export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  pending: Type.Integer({ description: 'deliveries still owed' }),
  attempts: Type.Array(Type.Object({
    cursor: Type.Integer(),
    type: Type.String(),
    attempt: Type.Integer(),
    at: Type.String({ format: 'date-time' }),
    ok: Type.Boolean(),
    status: Type.Optional(Type.Integer()),
    error: Type.Optional(Type.String()),
    nextAt: Type.Optional(Type.String({ format: 'date-time' }))
  }), { description: 'the most recent attempts, oldest first' })
}, { $id: 'Webhook' })

export const EventsQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'replay events after this cursor; absent: only new events' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  timeout: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, default: 25, description: 'long-poll: seconds to wait for an event' }))
})
export type EventsQuery = Static<typeof EventsQuery>

export const Event = Type.Object({
  cursor: Type.Integer(),
  type: Type.String(),
  at: Type.String({ format: 'date-time' }),
  data: Type.Unknown()
}, { $id: 'Event' })
