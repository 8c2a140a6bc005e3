/**
 * Contacts and trust levels (DESIGN §8, §9): `blocked` < `unknown` <
 * `verified` < `contact` < `trusted`. Setting a level acts at once, in the
 * node: `blocked` closes the peer's connections and drops its waiting
 * request; `contact` and `trusted` admit it under every inbox policy and
 * deliver its waiting request. PUT replaces a contact (no `alias`: none).
 */
import { Type } from 'typebox'
import { apiContact } from '../format.js'
import { ContactNotFoundError } from '../errors.js'
import { Contact, ContactPut, ErrorBody, PeerParams } from '../schemas.js'
import type { Api, ApiContext } from '../context.js'

const Errors = { 400: ErrorBody, 404: ErrorBody }

export function contactRoutes (app: Api, { node }: ApiContext): void {
  app.get('/v1/contacts', {
    schema: {
      tags: ['contacts'],
      summary: 'Contacts with their trust levels and aliases, by peer id',
      response: { 200: Type.Object({ contacts: Type.Array(Contact) }) }
    }
  }, async () => ({ contacts: (await node.contacts()).map(apiContact) }))

  app.get('/v1/contacts/:peer', {
    schema: { tags: ['contacts'], summary: 'One contact', params: PeerParams, response: { 200: Contact, ...Errors } }
  }, async (req) => {
    const contact = await node.contact(req.params.peer)
    if (contact == null) throw new ContactNotFoundError(req.params.peer)
    return apiContact(contact)
  })

  app.put('/v1/contacts/:peer', {
    schema: {
      tags: ['contacts'],
      summary: 'Set a contact\'s trust level and alias (blocked: refused at once; contact or trusted: a waiting request is accepted)',
      params: PeerParams,
      body: ContactPut,
      response: { 200: Contact, 400: ErrorBody }
    }
  }, async (req) => apiContact(await node.setContact(req.params.peer, req.body)))

  app.delete('/v1/contacts/:peer', {
    schema: {
      tags: ['contacts'],
      summary: 'Forget a contact (a blocked agent is let in again; the inbox policy decides about it as about anyone)',
      params: PeerParams,
      response: { 204: Type.Null(), ...Errors }
    }
  }, async (req, reply) => {
    if (!await node.removeContact(req.params.peer)) throw new ContactNotFoundError(req.params.peer)
    return await reply.code(204).send(null)
  })
}
