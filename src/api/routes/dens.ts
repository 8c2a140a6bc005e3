/**
 * Dens and channels (DESIGN §7, §9): list, create, join, leave, destroy,
 * members, post and feed, on the node's `DenManager`. Den errors map in the
 * one table in `errors.ts`: unknown den 404, not the owner or not allowed
 * 403, bad options 400 naming the field, over 20 posts a minute 429 with
 * `Retry-After`.
 */
import { Type } from 'typebox'
import { apiDen, apiDenMessage, toMs } from '../format.js'
import { NotFoundError } from '../errors.js'
import { Den, DenActionParams, DenFeedQuery, DenMembersPost, DenMessage, DenMessagePost, DenIdParams, DenPost, DensQuery, ErrorBody } from '../schemas.js'
import type { Api, ApiContext } from '../context.js'
import type { DenInfo } from '../../node/dens.js'
import type { OutgoingBody } from '../../protocols/dm/body.js'

const Errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody }

/** A `DenOptionsError` about a list names the field it came in (`members`, `add`, `remove`). */
async function naming<T> (field: string, job: () => Promise<T>): Promise<T> {
  try {
    return await job()
  } catch (err) {
    const e = err as Error
    if (e.name === 'DenOptionsError' && !/^[a-z]+: /.test(e.message)) e.message = `${field}: ${e.message}`
    throw err
  }
}

/** Joined dens first, then by their latest post (or creation), newest first. */
function byActivity (a: DenInfo, b: DenInfo): number {
  if (a.joined !== b.joined) return a.joined ? -1 : 1
  return (b.lastPostAt ?? b.createdAt) - (a.lastPostAt ?? a.createdAt)
}

export function denRoutes (app: Api, { node }: ApiContext): void {
  const { dens } = node

  async function den (denId: string): Promise<DenInfo> {
    const found = await dens.get(denId)
    if (found == null) throw new NotFoundError(`den ${denId} is not known here`)
    return found
  }

  app.get('/v1/dens', {
    schema: {
      tags: ['dens'],
      summary: 'Dens we joined and public or verified dens we know of (from the directory)',
      querystring: DensQuery,
      response: { 200: Type.Object({ dens: Type.Array(Den) }), 400: ErrorBody }
    }
  }, async (req) => {
    const byId = new Map<string, DenInfo>()
    for (const d of [...await dens.list(), ...await dens.listPublicDens()]) byId.set(d.denId, d)
    const { joined } = req.query
    const list = [...byId.values()].filter(d => joined === undefined || d.joined === joined).sort(byActivity)
    return { dens: list.map(apiDen) }
  })

  app.post('/v1/dens', {
    schema: {
      tags: ['dens'],
      summary: 'Create a den and join it: public and verified dens are announced in the directory; private and bounty dens tell their members 1:1',
      body: DenPost,
      response: { 201: Den, 400: ErrorBody }
    }
  }, async (req, reply) => {
    const created = await naming('members', async () => await dens.create(req.body))
    return await reply.code(201).send(apiDen(created))
  })

  app.get('/v1/dens/:id', {
    schema: { tags: ['dens'], summary: 'One den', params: DenIdParams, response: { 200: Den, 404: ErrorBody } }
  }, async (req) => apiDen(await den(req.params.id)))

  app.post('/v1/dens/:id/:action', {
    schema: {
      tags: ['dens'],
      summary: 'join (a den from the directory, or a private den we are a member of), leave, destroy (the owner: every member erases it), or read (mark every post read)',
      params: DenActionParams,
      response: {
        200: Type.Union([Den, Type.Object({ denId: Type.String(), destroyed: Type.Literal(true) })]),
        ...Errors
      }
    }
  }, async (req) => {
    const { id, action } = req.params
    switch (action) {
      case 'join':
        return apiDen(await dens.join(id))
      case 'leave':
        await dens.leave(id)
        return apiDen(await den(id))
      case 'read':
        await dens.markRead(id)
        return apiDen(await den(id))
      case 'destroy':
        await dens.destroy(id)
        return { denId: id, destroyed: true as const }
    }
  })

  app.post('/v1/dens/:id/members', {
    schema: {
      tags: ['dens'],
      summary: 'Add or remove members of a private or bounty den (the owner only); a removal rotates every sender key',
      params: DenIdParams,
      body: DenMembersPost,
      response: { 200: Den, ...Errors }
    }
  }, async (req) => {
    const { add = [], remove = [] } = req.body
    let result = await den(req.params.id)
    if (add.length > 0) result = await naming('add', async () => await dens.addMembers(req.params.id, add))
    if (remove.length > 0) result = await naming('remove', async () => await dens.removeMembers(req.params.id, remove))
    return apiDen(result)
  })

  app.post('/v1/dens/:id/messages', {
    schema: {
      tags: ['dens'],
      summary: 'Post to a den we joined (at most 20 posts a minute per den)',
      params: DenIdParams,
      body: DenMessagePost,
      response: { 201: DenMessage, ...Errors, 429: ErrorBody }
    }
  }, async (req, reply) => {
    const post = await dens.post(req.params.id, req.body as OutgoingBody)
    return await reply.code(201).send(apiDenMessage(post, node.peerId))
  })

  app.get('/v1/dens/:id/messages', {
    schema: {
      tags: ['dens'],
      summary: 'A den\'s feed, oldest first: posts sent after `since`, or replies to `replyTo`',
      params: DenIdParams,
      querystring: DenFeedQuery,
      response: { 200: Type.Object({ messages: Type.Array(DenMessage), hasMore: Type.Boolean() }), ...Errors }
    }
  }, async (req) => {
    const { since, limit, replyTo } = req.query
    const page = await dens.feed(req.params.id, { since: toMs(since), limit, replyTo })
    return { messages: page.posts.map(p => apiDenMessage(p, node.peerId)), hasMore: page.hasMore }
  })
}
