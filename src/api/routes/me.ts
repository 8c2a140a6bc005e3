/** The agent itself: `/v1/me`, its card, other agents' cards. */
import { Type } from 'typebox'
import type { Static } from 'typebox'
import { fingerprint } from '../fingerprint.js'
import { apiCard } from '../format.js'
import { ErrorBody, IdParams, MePut } from '../schemas.js'
import type { Api, ApiContext } from '../context.js'
import type { AgentNode } from '../../node/agent-node.js'

const VERSION = '0.1.0'

async function ownCard (node: AgentNode): Promise<Record<string, unknown> | null> {
  try {
    return apiCard(await node.getCard(node.peerId))
  } catch {
    // not signed and published yet
    return null
  }
}

const Me = Type.Object({
  peerId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  addrs: Type.Array(Type.String()),
  fingerprint: Type.String({ description: '30 digits in groups of five, from our identity key' }),
  inboxPolicy: Type.String({ description: 'open, verified or contacts' }),
  skills: Type.Array(Type.Unknown()),
  relays: Type.Array(Type.String(), { description: 'the relays our card lists (peer ids): mail waits there while we are offline' }),
  card: Type.Union([Type.Unknown(), Type.Null()])
})

async function me (node: AgentNode): Promise<Static<typeof Me>> {
  const profile = node.profile
  return {
    peerId: node.peerId,
    name: profile.name,
    description: profile.description ?? '',
    addrs: node.addresses,
    fingerprint: fingerprint(node.peerId),
    inboxPolicy: profile.inboxPolicy,
    skills: profile.skills,
    relays: node.relays,
    card: await ownCard(node)
  }
}

export function meRoutes (app: Api, { node }: ApiContext): void {
  app.get('/v1/me', {
    schema: { tags: ['agent'], summary: 'This agent: peer id, addresses, fingerprint, card', response: { 200: Me } }
  }, async () => await me(node))

  app.put('/v1/me', {
    schema: {
      tags: ['agent'],
      summary: 'Change name, description, skills or the inbox policy; republishes the card',
      description: 'inboxPolicy: open (everyone), verified (a credential from a trusted issuer), contacts (contacts only). ' +
        'A first message from anyone else (not a contact, no conversation with us yet) becomes a message request (GET /v1/requests, connection.request). Kept across restarts unless `start --inbox-policy` says otherwise.',
      body: MePut,
      response: { 200: Me, 400: ErrorBody }
    }
  }, async (req) => {
    await node.updateProfile(req.body)
    return await me(node)
  })

  app.get('/v1/agents/:id/card', {
    schema: { tags: ['agent'], summary: 'Resolve an agent\'s signed card (cache, DHT, the agent itself), with the trust level we give it', params: IdParams, response: { 200: Type.Unknown(), 400: ErrorBody, 404: ErrorBody } }
  }, async (req) => {
    const card = apiCard(await node.getCard(req.params.id, { signal: AbortSignal.timeout(15_000) }))
    // the card is cached now: this reads it again rather than the network
    return { ...card, trust: await node.trustLevel(req.params.id) }
  })

  app.get('/.well-known/agent-card.json', {
    config: { public: true },
    schema: { tags: ['agent'], summary: 'This agent as an A2A-style agent card (public)', security: [] }
  }, async () => {
    const profile = node.profile
    return {
      protocolVersion: '1.0',
      name: profile.name,
      description: profile.description ?? '',
      url: `agentmsg://${node.peerId}`,
      version: VERSION,
      capabilities: { streaming: true, pushNotifications: true },
      defaultInputModes: ['text/plain', 'text/markdown', 'application/json'],
      defaultOutputModes: ['text/plain', 'text/markdown', 'application/json'],
      skills: profile.skills.map(s => ({ description: '', tags: [], ...s })),
      agentmsg: { peerId: node.peerId, addrs: node.addresses, inboxPolicy: profile.inboxPolicy, fingerprint: fingerprint(node.peerId) }
    }
  })
}
