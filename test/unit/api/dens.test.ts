/**
 * The den routes through `app.inject()` on a real node (alice) with a second
 * node (bob) connected to it directly: create, list, join, leave, post,
 * feed, members, destroy, and each error a user can meet — bad input (400
 * naming the field), an unknown den (404), not the owner or not joined
 * (403), over the post rate (429 with Retry-After).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../../integration/helpers.js'
import { apiFixture, auth, connect, startNode } from './helpers.js'
import type { ApiFixture } from './helpers.js'
import type { AgentNode } from '../../../src/node/agent-node.js'

const UNKNOWN = '0'.repeat(32)

let alice: ApiFixture
let bob: AgentNode

beforeAll(async () => {
  alice = await apiFixture()
  bob = await startNode()
  await connect(alice.node, bob)
  await connect(bob, alice.node)
})
afterAll(async () => {
  await alice.close()
  await bob.stop()
})

async function call (method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await alice.app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) })
  return { status: res.statusCode, headers: res.headers, body: res.json() }
}

/** An event of `type` in alice's durable log whose data matches `match`. */
async function logged (type: string, match: (data: Record<string, unknown>) => boolean): Promise<{ type: string, data: Record<string, unknown> }> {
  return await waitFor(async () => {
    const { body } = await call('GET', '/v1/events?after=0&timeout=0&limit=1000')
    return (body.events as Array<{ type: string, data: Record<string, unknown> }>).find(e => e.type === type && match(e.data))
  }, { timeout: 30_000, message: `${type} in the event log` })
}

describe('dens over the API', { timeout: 60_000 }, () => {
  it('POST /v1/dens creates and joins; GET lists it; GET /v1/dens/:id shows it', async () => {
    const created = await call('POST', '/v1/dens', { slug: 'lobby', title: 'The lobby', kind: 'public' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ kind: 'public', slug: 'lobby', title: 'The lobby', owner: alice.node.peerId, members: [alice.node.peerId], joined: true, unreadCount: 0, lastPostAt: null })
    expect(created.body.denId).toMatch(/^[0-9a-f]{32}$/)
    expect(new Date(created.body.createdAt as string).toISOString()).toBe(created.body.createdAt)
    const list = await call('GET', '/v1/dens')
    expect(list.status).toBe(200)
    expect(list.body.dens).toContainEqual(created.body)
    expect((await call('GET', '/v1/dens?joined=false')).body.dens).not.toContainEqual(created.body)
    expect((await call('GET', `/v1/dens/${created.body.denId as string}`)).body).toEqual(created.body)
  })

  it('bad input is a 400 naming the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/v1/dens', { title: 'T', kind: 'public' }, 'slug'],
      ['/v1/dens', { slug: 'Not A Slug', title: 'T', kind: 'public' }, 'slug'],
      ['/v1/dens', { slug: 's', title: '', kind: 'public' }, 'title'],
      ['/v1/dens', { slug: 's', title: 'T', kind: 'secret' }, 'kind'],
      ['/v1/dens', { slug: 's', title: 'T', kind: 'public', members: [bob.peerId] }, 'members'],
      ['/v1/dens', { slug: 's', title: 'T', kind: 'private', members: ['not-a-peer'] }, 'members'],
      ['/v1/dens', { slug: 's', title: 'T', kind: 'public', colour: 'red' }, 'colour']
    ]
    for (const [url, payload, field] of cases) {
      const res = await call('POST', url, payload)
      expect(res.status, JSON.stringify(payload)).toBe(400)
      expect(res.body.detail, JSON.stringify(payload)).toContain(field)
    }
    const { body: den } = await call('POST', '/v1/dens', { slug: 'inputs', title: 'Inputs', kind: 'private' })
    const posts: Array<[unknown, string]> = [
      [{ type: 'task-request', payload: {} }, 'type'],
      [{ type: 'text' }, 'content'],
      [{ type: 'text', content: 'x'.repeat(4001) }, 'content'],
      [{ type: 'text', content: 'x', replyTo: 'nope' }, 'replyTo'],
      [{ type: 'json' }, 'payload']
    ]
    for (const [payload, field] of posts) {
      const res = await call('POST', `/v1/dens/${den.denId as string}/messages`, payload)
      expect(res.status, JSON.stringify(payload)).toBe(400)
      expect(res.body.detail, JSON.stringify(payload)).toContain(field)
    }
    const members = await call('POST', `/v1/dens/${den.denId as string}/members`, { add: ['not-a-peer'] })
    expect(members.status).toBe(400)
    expect(members.body).toMatchObject({ error: 'invalid_den_options', detail: expect.stringContaining('add') })
    expect((await call('POST', `/v1/dens/${den.denId as string}/members`, { remove: [alice.node.peerId] })).body.detail).toContain('remove')
    expect((await call('GET', `/v1/dens/${den.denId as string}/messages?since=yesterday`)).body.detail).toContain('since')
    expect((await call('POST', '/v1/dens/not-a-den/join')).body.detail).toContain('id')
    expect((await call('POST', `/v1/dens/${den.denId as string}/explode`)).status).toBe(400)
  })

  it('an unknown den is a 404 on every route', async () => {
    const routes: Array<['GET' | 'POST', string, unknown?]> = [
      ['GET', `/v1/dens/${UNKNOWN}`], ['POST', `/v1/dens/${UNKNOWN}/join`], ['POST', `/v1/dens/${UNKNOWN}/leave`],
      ['POST', `/v1/dens/${UNKNOWN}/destroy`], ['POST', `/v1/dens/${UNKNOWN}/read`],
      ['POST', `/v1/dens/${UNKNOWN}/members`, { add: [bob.peerId] }],
      ['POST', `/v1/dens/${UNKNOWN}/messages`, { type: 'text', content: 'hi' }], ['GET', `/v1/dens/${UNKNOWN}/messages`]
    ]
    for (const [method, url, payload] of routes) {
      const res = await call(method, url, payload ?? (method === 'POST' ? {} : undefined))
      expect(res.status, `${method} ${url}`).toBe(404)
      expect(res.body.error, `${method} ${url}`).toMatch(/not_found/)
    }
  })

  it('posts and the feed: our own post is sent, a den message is the message object with denId', async () => {
    const { body: den } = await call('POST', '/v1/dens', { slug: 'notes', title: 'Notes', kind: 'public' })
    const first = await call('POST', `/v1/dens/${den.denId as string}/messages`, { type: 'text', content: 'first', metadata: { lang: 'en' } })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({
      denId: den.denId, conversationId: den.denId, from: alice.node.peerId, to: den.denId, type: 'text', content: 'first',
      metadata: { lang: 'en' }, read: true, status: 'sent', verified: true
    })
    expect(first.body.messageId).toMatch(/^[0-9a-f]{32}$/)
    const reply = await call('POST', `/v1/dens/${den.denId as string}/messages`, { type: 'json', payload: { n: 2 }, replyTo: first.body.messageId })
    expect(reply.status).toBe(201)
    const feed = await call('GET', `/v1/dens/${den.denId as string}/messages?limit=1`)
    expect(feed.body).toMatchObject({ messages: [{ content: 'first' }], hasMore: true })
    const replies = await call('GET', `/v1/dens/${den.denId as string}/messages?replyTo=${first.body.messageId as string}`)
    expect(replies.body).toMatchObject({ messages: [{ payload: { n: 2 }, replyTo: first.body.messageId }], hasMore: false })
    const since = await call('GET', `/v1/dens/${den.denId as string}/messages?since=${encodeURIComponent(first.body.sentAt as string)}`)
    expect(since.body.messages.map((m: { messageId: string }) => m.messageId)).not.toContain(first.body.messageId)
    expect((await call('GET', `/v1/dens/${den.denId as string}`)).body.lastPostAt).not.toBeNull()
  })

  it('past 20 posts a minute in a den: 429 with Retry-After', async () => {
    const { body: den } = await call('POST', '/v1/dens', { slug: 'busy', title: 'Busy', kind: 'public' })
    for (let i = 0; i < 20; i++) expect((await call('POST', `/v1/dens/${den.denId as string}/messages`, { type: 'text', content: `post ${i}` })).status).toBe(201)
    const over = await call('POST', `/v1/dens/${den.denId as string}/messages`, { type: 'text', content: 'one too many' })
    expect(over.status).toBe(429)
    expect(over.body).toMatchObject({ error: 'den_rate_limited' })
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1)
  })

  it('someone else\'s public den: listed from the directory, 403 before joining and for owner actions, posts arrive as den.message', async () => {
    const den = await bob.dens.create({ slug: 'bobs-place', title: 'Bob\'s place', kind: 'public' })
    const listed = await waitFor(async () => {
      const { body } = await call('GET', '/v1/dens?joined=false')
      return (body.dens as Array<{ denId: string }>).find(d => d.denId === den.denId)
    }, { timeout: 30_000, message: 'bob\'s den in alice\'s directory' })
    expect(listed).toMatchObject({ owner: bob.peerId, joined: false, kind: 'public' })
    const early = await call('POST', `/v1/dens/${den.denId}/messages`, { type: 'text', content: 'may I?' })
    expect(early.status).toBe(403)
    expect(early.body).toMatchObject({ error: 'den_access_denied' })
    for (const [url, payload] of [[`/v1/dens/${den.denId}/destroy`, undefined], [`/v1/dens/${den.denId}/members`, { add: [alice.node.peerId] }]] as const) {
      const res = await call('POST', url, payload ?? {})
      expect(res.status, url).toBe(403)
      expect(res.body, url).toMatchObject({ error: 'not_den_owner' })
    }
    expect((await call('POST', `/v1/dens/${den.denId}/join`)).body).toMatchObject({ denId: den.denId, joined: true })
    const post = await bob.dens.post(den.denId, { type: 'markdown', content: '**welcome**' })
    const event = await logged('den.message', d => d.messageId === post.messageId)
    expect(event.data).toEqual({
      messageId: post.messageId, conversationId: den.denId, denId: den.denId, from: bob.peerId, to: den.denId, type: 'markdown',
      content: '**welcome**', sentAt: new Date(post.sentAt).toISOString(), receivedAt: expect.stringMatching(/Z$/), read: false, status: 'delivered', verified: true
    })
    const feed = await call('GET', `/v1/dens/${den.denId}/messages`)
    expect(feed.body.messages).toContainEqual(event.data)
    expect((await call('GET', `/v1/dens/${den.denId}`)).body.unreadCount).toBe(1)
    expect((await call('POST', `/v1/dens/${den.denId}/read`)).body).toMatchObject({ unreadCount: 0 })
    expect((await call('POST', `/v1/dens/${den.denId}/leave`)).body).toMatchObject({ denId: den.denId, joined: false })
  })

  it('a bounty channel: members added and removed by the owner, destroyed everywhere (den.destroyed)', async () => {
    const created = await call('POST', '/v1/dens', { slug: 'bounty-7', title: 'Bounty 7', kind: 'bounty', members: [bob.peerId] })
    expect(created.status).toBe(201)
    const denId = created.body.denId as string
    expect(created.body.members).toEqual(expect.arrayContaining([alice.node.peerId, bob.peerId]))
    await waitFor(async () => (await bob.dens.list()).some(d => d.denId === denId), { timeout: 30_000, message: 'bob in the bounty channel' })
    const bobSeen = new Promise(resolve => { bob.addEventListener('den.message', (evt) => { resolve((evt as CustomEvent).detail) }, { once: true }) })
    await call('POST', `/v1/dens/${denId}/messages`, { type: 'text', content: 'the task: fix #7' })
    expect(await bobSeen).toMatchObject({ denId, content: 'the task: fix #7' })

    const removed = await call('POST', `/v1/dens/${denId}/members`, { remove: [bob.peerId] })
    expect(removed.status).toBe(200)
    expect(removed.body.members).toEqual([alice.node.peerId])
    expect((await call('POST', `/v1/dens/${denId}/members`, { add: [bob.peerId] })).body.members).toContain(bob.peerId)

    const bobDestroyed = new Promise(resolve => { bob.addEventListener('den.destroyed', (evt) => { resolve((evt as CustomEvent).detail) }, { once: true }) })
    expect((await call('POST', `/v1/dens/${denId}/destroy`)).body).toEqual({ denId, destroyed: true })
    expect(await bobDestroyed).toEqual({ denId })
    expect((await logged('den.destroyed', d => d.denId === denId)).data).toEqual({ denId })
    expect((await call('GET', `/v1/dens/${denId}`)).status).toBe(404)
    expect((await call('GET', '/v1/dens')).body.dens.map((d: { denId: string }) => d.denId)).not.toContain(denId)
    expect((await call('POST', `/v1/dens/${denId}/messages`, { type: 'text', content: 'too late' })).status).toBe(404)
  })
})
