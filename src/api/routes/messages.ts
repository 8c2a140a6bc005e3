/** Sessions, messages, the inbox and conversations. */
import { Type } from 'typebox'
import { safetyNumber } from '../fingerprint.js'
import { apiConversation, apiMessage, iso, toMs } from '../format.js'
import { NotFoundError, NotImplementedError } from '../errors.js'
import {
  Conversation, ConversationsQuery, ErrorBody, HistoryQuery, IdParams, InboxQuery, Message, MessageIdParams, MessagePost, SendResult, SessionPost
} from '../schemas.js'
import type { Api, ApiContext } from '../context.js'
import type { OutgoingBody } from '../../protocols/dm/body.js'

const Errors = { 400: ErrorBody, 404: ErrorBody }

export function messageRoutes (app: Api, { node }: ApiContext): void {
  app.post('/v1/sessions', {
    schema: {
      tags: ['messages'],
      summary: 'Resolve a peer\'s card and prekeys ahead of the first message',
      description: 'X3DH needs no round trip: the session itself starts with the first message, from the keys resolved here.',
      body: SessionPost,
      response: {
        200: Type.Object({ conversationId: Type.String(), peer: Type.String(), fingerprint: Type.String({ description: 'safety number of the pair: 60 digits' }) }),
        ...Errors,
        501: ErrorBody
      }
    }
  }, async (req) => {
    if (req.body.ephemeral === true) throw new NotImplementedError('ephemeral sessions are not built yet')
    await node.getCard(req.body.to, { signal: AbortSignal.timeout(15_000) })
    const session = node.createSession(req.body.to)
    return { conversationId: session.conversationId, peer: session.peer, fingerprint: safetyNumber(node.peerId, req.body.to) }
  })

  app.post('/v1/messages', {
    schema: {
      tags: ['messages'],
      summary: 'Send a message: sealed, stored and queued; delivery follows as message.status events',
      body: MessagePost,
      response: { 202: SendResult, ...Errors, 413: ErrorBody, 422: ErrorBody, 429: ErrorBody }
    }
  }, async (req, reply) => {
    const { to, task, expiresAt, ...rest } = req.body
    const body: OutgoingBody = { ...rest } as OutgoingBody
    if (task !== undefined) {
      const { deadline, ...fields } = task
      body.task = deadline === undefined ? fields : { ...fields, deadline: toMs(deadline) }
    }
    if (expiresAt !== undefined) body.expiresAt = toMs(expiresAt)
    const result = await node.send(to, body)
    return await reply.code(202).send({ messageId: result.messageId, conversationId: result.conversationId, status: result.status, sentAt: iso(result.sentAt) })
  })

  app.get('/v1/inbox', {
    schema: {
      tags: ['messages'],
      summary: 'Incoming messages, newest first',
      querystring: InboxQuery,
      response: { 200: Type.Object({ messages: Type.Array(Message), total: Type.Integer() }), 400: ErrorBody }
    }
  }, async (req) => {
    const page = await node.inbox(req.query)
    return { messages: page.messages.map(apiMessage), total: page.total }
  })

  app.post('/v1/inbox/:messageId/read', {
    schema: {
      tags: ['messages'],
      summary: 'Mark an incoming message read and send its sender a read receipt',
      params: MessageIdParams,
      response: { 200: Type.Object({ messageId: Type.String(), read: Type.Boolean() }), ...Errors }
    }
  }, async (req) => {
    if (!await node.markRead(req.params.messageId)) throw new NotFoundError(`no incoming message ${req.params.messageId}`)
    return { messageId: req.params.messageId, read: true }
  })

  app.get('/v1/conversations', {
    schema: {
      tags: ['messages'],
      summary: 'Conversations, most recent (or most unread) first',
      querystring: ConversationsQuery,
      response: { 200: Type.Object({ conversations: Type.Array(Conversation) }), 400: ErrorBody }
    }
  }, async (req) => ({ conversations: (await node.conversations(req.query)).map(apiConversation) }))

  app.get('/v1/conversations/:id/messages', {
    schema: {
      tags: ['messages'],
      summary: 'One page of a conversation, oldest first; `before` pages back',
      params: IdParams,
      querystring: HistoryQuery,
      response: { 200: Type.Object({ messages: Type.Array(Message), total: Type.Integer(), hasMore: Type.Boolean() }), ...Errors }
    }
  }, async (req) => {
    const page = await node.history(req.params.id, req.query)
    // a conversation exists from its first message on
    if (page.total === 0) throw new NotFoundError(`no conversation ${req.params.id}`)
    return { messages: page.messages.map(apiMessage), total: page.total, hasMore: page.hasMore }
  })

  app.post('/v1/conversations/:id/archive', {
    schema: {
      tags: ['messages'],
      summary: 'Archive a conversation (a new incoming message makes it active again)',
      params: IdParams,
      response: { 200: Type.Object({ conversationId: Type.String(), status: Type.String() }), ...Errors }
    }
  }, async (req) => {
    if (!await node.archiveConversation(req.params.id)) throw new NotFoundError(`no conversation ${req.params.id}`)
    return { conversationId: req.params.id, status: 'archived' }
  })
}
