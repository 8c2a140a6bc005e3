/** Webhooks: register (at most 10), list with recent attempts, remove. Secrets are never returned. */
import { Type } from 'typebox'
import { NotFoundError } from '../errors.js'
import { ErrorBody, IdParams, Webhook, WebhookPost } from '../schemas.js'
import type { Api, ApiContext } from '../context.js'

export function webhookRoutes (app: Api, { webhooks }: ApiContext): void {
  app.post('/v1/webhooks', {
    schema: {
      tags: ['webhooks'],
      summary: 'Register a webhook: events are POSTed signed with X-Agentmsg-Signature: sha256=<hex HMAC of the body>',
      body: WebhookPost,
      response: { 201: Webhook, 400: ErrorBody, 409: ErrorBody }
    }
  }, async (req, reply) => await reply.code(201).send(await webhooks.add(req.body)))

  app.get('/v1/webhooks', {
    schema: { tags: ['webhooks'], summary: 'Webhooks, with deliveries owed and recent attempts', response: { 200: Type.Object({ webhooks: Type.Array(Webhook) }) } }
  }, async () => ({ webhooks: await webhooks.list() }))

  app.delete('/v1/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'Remove a webhook and what is still owed to it', params: IdParams, response: { 204: Type.Null(), 404: ErrorBody } }
  }, async (req, reply) => {
    if (!await webhooks.remove(req.params.id)) throw new NotFoundError(`no webhook ${req.params.id}`)
    return await reply.code(204).send(null)
  })
}
