/**
 * Routes of DESIGN §9 whose capability is not built yet: requests and
 * contacts (trust and consent). Their schemas are real
 * (input is validated, `/openapi.json` documents them); they answer 501
 * until their issue lands.
 */
import { NotImplementedError } from '../errors.js'
import {
  ContactPut, ErrorBody, PeerParams, RequestActionParams
} from '../schemas.js'
import type { Api } from '../context.js'

const TRUST = 'contacts, message requests and inbox policies arrive with trust and consent, which are not built yet'

export function laterRoutes (app: Api): void {
  const notYet = (detail: string) => async (): Promise<never> => { throw new NotImplementedError(detail) }
  const response = { 400: ErrorBody, 501: ErrorBody }

  app.get('/v1/requests', { schema: { tags: ['contacts'], summary: 'Message requests from agents the inbox policy does not admit (not built yet)', response } }, notYet(TRUST))
  app.post('/v1/requests/:peer/:action', { schema: { tags: ['contacts'], summary: 'Accept or decline a request (not built yet)', params: RequestActionParams, response } }, notYet(TRUST))
  app.get('/v1/contacts', { schema: { tags: ['contacts'], summary: 'Contacts and trust levels (not built yet)', response } }, notYet(TRUST))
  app.put('/v1/contacts/:peer', { schema: { tags: ['contacts'], summary: 'Set a contact\'s trust and alias (not built yet)', params: PeerParams, body: ContactPut, response } }, notYet(TRUST))
}
