/**
 * Message requests (DESIGN §5, §9): messages from agents our inbox policy
 * does not admit wait here, out of the inbox, until we accept them (they
 * reach the inbox in arrival order and the agent becomes a contact) or
 * decline them (dropped unread; the agent's later messages are refused until
 * it is made a contact). Either way the agent is told, and sees
 * `connection.accepted` or `connection.declined`. No request from that
 * agent is a 404 `request_not_found`.
 */
import { Type } from 'typebox'
import { apiMessage, apiRequest } from '../format.js'
import { ErrorBody, Message, MessageRequest, PeerParams } from '../schemas.js'
import type { Api, ApiContext } from '../context.js'

const Errors = { 400: ErrorBody, 404: ErrorBody }

export function requestRoutes (app: Api, { node }: ApiContext): void {
  app.get('/v1/requests', {
    schema: {
      tags: ['contacts'],
      summary: 'Message requests waiting for an answer, oldest first, each with the messages it holds',
      response: { 200: Type.Object({ requests: Type.Array(MessageRequest) }) }
    }
  }, async () => ({ requests: (await node.requests()).map(apiRequest) }))

  app.post('/v1/requests/:peer/accept', {
    schema: {
      tags: ['contacts'],
      summary: 'Accept a request: its messages reach the inbox (with message.received events), the agent becomes a contact and is told',
      params: PeerParams,
      response: { 200: Type.Object({ peer: Type.String(), messages: Type.Array(Message, { description: 'delivered to the inbox, in arrival order' }) }), ...Errors }
    }
  }, async (req) => {
    const delivered = await node.acceptRequest(req.params.peer)
    return { peer: req.params.peer, messages: delivered.map(apiMessage) }
  })

  app.post('/v1/requests/:peer/decline', {
    schema: {
      tags: ['contacts'],
      summary: 'Decline a request: its messages are dropped unread, the agent is told, and its later messages are refused until it is made a contact',
      params: PeerParams,
      response: { 200: Type.Object({ peer: Type.String(), dropped: Type.Array(Type.String(), { description: 'ids of the messages dropped' }) }), ...Errors }
    }
  }, async (req) => ({ peer: req.params.peer, dropped: await node.declineRequest(req.params.peer) }))
}
