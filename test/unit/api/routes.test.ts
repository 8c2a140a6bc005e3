/**
 * Every route of the local API through `app.inject()`: auth, validation,
 * unknown ids, size and rate limits, the node's refusals (content policy,
 * per-peer limits). Requests and contacts: contacts.test.ts.
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiKeys, buildApp, writeApiKey } from '../../../src/api/index.js'
import { errorResponse } from '../../../src/api/errors.js'
import { ContentPolicyError, NodeOptionsError, RateLimitedError, RequestNotFoundError } from '../../../src/node/errors.js'
import { tempDir, waitFor } from '../../integration/helpers.js'
import { KEY, apiFixture, auth, connect, startNode } from './helpers.js'
import type { ApiFixture } from './helpers.js'
import type { AgentNode } from '../../../src/node/agent-node.js'
import { StoreWriteError } from '../../../src/store/index.js'
import type { MessageRecord } from '../../../src/store/index.js'

const OTHER_PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

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

async function call (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = auth) {
  const res = await alice.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
  return { status: res.statusCode, headers: res.headers, body: res.body.length > 0 && res.headers['content-type']?.toString().includes('json') === true ? res.json() : res.body }
}

/** A message from bob, stored in alice's inbox. */
async function fromBob (content: string): Promise<string> {
  const { messageId } = await bob.send(alice.node.peerId, { type: 'text', content })
  await waitFor(async () => await alice.node.message(messageId))
  return messageId
}

describe('auth and headers', () => {
  it('401 without a key, with a wrong key, and on unknown routes', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: KEY }] as Array<Record<string, string>>) {
      const res = await call('GET', '/v1/me', undefined, headers)
      expect(res.status).toBe(401)
      expect(res.body).toMatchObject({ error: 'unauthorized' })
    }
    expect((await call('GET', '/v1/nothing-here', undefined, {})).status).toBe(401)
    expect((await call('GET', '/v1/nothing-here')).body).toMatchObject({ error: 'not_found' })
  })

  it('rate-limit headers on every response, also errors', async () => {
    for (const res of [await call('GET', '/v1/me'), await call('GET', '/v1/me', undefined, {}), await call('GET', '/nope'), await call('GET', '/v1/inbox?limit=0')]) {
      expect(res.headers['x-ratelimit-limit']).toBeDefined()
      expect(res.headers['x-ratelimit-remaining']).toBeDefined()
      expect(res.headers['x-ratelimit-reset']).toBeDefined()
    }
  })

  it('429 with Retry-After past the limit', async () => {
    const limited = await buildApp({ node: alice.node, apiKey: KEY, rateLimit: { max: 3, timeWindow: 60_000 } })
    try {
      for (let i = 0; i < 3; i++) expect((await limited.inject({ url: '/v1/me', headers: auth })).statusCode).toBe(200)
      const res = await limited.inject({ url: '/v1/me', headers: auth })
      expect(res.statusCode).toBe(429)
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
      expect(res.headers['x-ratelimit-remaining']).toBe('0')
      expect(res.json()).toMatchObject({ error: 'rate_limited' })
    } finally {
      await limited.close()
    }
  })

  it('POST /v1/auth/regenerate replaces the key and its file', async () => {
    const dir = await tempDir()
    await writeApiKey(dir, KEY)
    const app = await buildApp({ node: alice.node, apiKey: new ApiKeys(KEY, dir) })
    try {
      const res = await app.inject({ method: 'POST', url: '/v1/auth/regenerate', headers: auth })
      const { apiKey } = res.json() as { apiKey: string }
      expect(apiKey).toMatch(/^amk_/)
      expect((await readFile(`${dir}/api-key`, 'utf8')).trim()).toBe(apiKey)
      expect((await app.inject({ url: '/v1/me', headers: auth })).statusCode).toBe(401)
      expect((await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${apiKey}` } })).statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })

  it('/openapi.json is public and documents every route of DESIGN §9', async () => {
    const res = await call('GET', '/openapi.json', undefined, {})
    expect(res.status).toBe(200)
    const paths = Object.keys((res.body as { paths: Record<string, unknown> }).paths)
    for (const path of [
      '/v1/me', '/v1/agents/{id}/card', '/v1/sessions', '/v1/messages', '/v1/inbox', '/v1/inbox/{messageId}/read',
      '/v1/conversations', '/v1/conversations/{id}/messages', '/v1/conversations/{id}/archive', '/v1/requests',
      '/v1/requests/{peer}/accept', '/v1/requests/{peer}/decline', '/v1/contacts', '/v1/contacts/{peer}', '/v1/dens', '/v1/dens/{id}/{action}',
      '/v1/dens/{id}', '/v1/dens/{id}/members', '/v1/dens/{id}/messages', '/v1/history/restore', '/v1/verify', '/v1/webhooks', '/v1/webhooks/{id}', '/v1/events',
      '/v1/auth/regenerate', '/metrics'
    ]) expect(paths).toContain(path)
    // a 422 names the content policy: the documented error body says so
    const refusal = (res.body as { paths: Record<string, any> }).paths['/v1/messages'].post.responses['422'].content['application/json'].schema // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(Object.keys(refusal.properties)).toEqual(['error', 'detail', 'policy', 'limit'])
    expect(refusal.required).toEqual(['error', 'detail'])
  })
})

describe('me and cards', () => {
  it('GET /v1/me', async () => {
    const res = await call('GET', '/v1/me')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ peerId: alice.node.peerId, name: 'agent', inboxPolicy: 'open', relays: [] })
    expect((res.body as { fingerprint: string }).fingerprint).toMatch(/^(\d{5} ){5}\d{5}$/)
    expect((res.body as { addrs: string[] }).addrs.length).toBeGreaterThan(0)
  })

  it('PUT /v1/me changes the card and the inbox policy; unknown fields 400', async () => {
    const res = await call('PUT', '/v1/me', { name: 'alice', skills: [{ id: 'summarise', name: 'Summarise' }] })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ name: 'alice', skills: [{ id: 'summarise' }] })
    expect((await call('GET', '/.well-known/agent-card.json', undefined, {})).body).toMatchObject({ name: 'alice', skills: [{ id: 'summarise' }] })
    const bad = await call('PUT', '/v1/me', { nmae: 'x' })
    expect(bad.status).toBe(400)
    expect((bad.body as { detail: string }).detail).toMatch(/additional properties: nmae/)
    for (const inboxPolicy of ['verified', 'contacts', 'open']) {
      expect((await call('PUT', '/v1/me', { inboxPolicy })).body).toMatchObject({ inboxPolicy })
      expect(alice.node.profile.inboxPolicy).toBe(inboxPolicy)
    }
    expect((await call('PUT', '/v1/me', { inboxPolicy: 'closed' })).body).toMatchObject({ error: 'bad_request', detail: expect.stringContaining('inboxPolicy') })
    expect((await call('PUT', '/v1/me', { name: 7 })).body).toMatchObject({ error: 'bad_request', detail: expect.stringContaining('name') })
  })

  it('GET /v1/agents/:id/card: found, malformed id 400, unknown agent 404', async () => {
    const found = await call('GET', `/v1/agents/${bob.peerId}/card`)
    expect(found.status).toBe(200)
    expect(found.body).toMatchObject({ peerId: bob.peerId, name: 'agent', trust: 'unknown' })
    expect((await call('GET', '/v1/agents/not-a-peer/card')).body).toMatchObject({ error: 'invalid_peer' })
    const unknown = await call('GET', `/v1/agents/${OTHER_PEER}/card`)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ error: 'card_not_found' })
  })
})

describe('messages', () => {
  it('POST /v1/sessions: conversation id and safety number; ephemeral is 501', async () => {
    const res = await call('POST', '/v1/sessions', { to: bob.peerId })
    expect(res.status).toBe(200)
    expect((res.body as { fingerprint: string }).fingerprint).toMatch(/^(\d{5} ){11}\d{5}$/)
    expect(res.body).toMatchObject({ peer: bob.peerId })
    expect((await call('POST', '/v1/sessions', { to: bob.peerId, ephemeral: true })).status).toBe(501)
    expect((await call('POST', '/v1/sessions', {})).body).toMatchObject({ error: 'bad_request', detail: expect.stringContaining('to') })
  })

  it('POST /v1/messages queues, then bob has it', async () => {
    const received = new Promise<MessageRecord>(resolve => { bob.addEventListener('message.received', (evt) => { resolve((evt as CustomEvent<MessageRecord>).detail) }, { once: true }) })
    const res = await call('POST', '/v1/messages', { to: bob.peerId, type: 'text', content: 'hi bob', metadata: { lang: 'en' } })
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ status: 'queued', messageId: expect.stringMatching(/^[0-9a-f]{32}$/) })
    expect(new Date((res.body as { sentAt: string }).sentAt).toISOString()).toBe((res.body as { sentAt: string }).sentAt)
    expect(await received).toMatchObject({ content: 'hi bob', metadata: { lang: 'en' } })
    const task = await call('POST', '/v1/messages', { to: bob.peerId, type: 'task-request', task: { taskId: 't-1', deadline: new Date(Date.now() + 60_000).toISOString(), idempotencyKey: 'k' }, payload: { n: 1 } })
    expect(task.status).toBe(202)
  })

  it('POST /v1/messages: bad input is 400 naming the field, oversize 413', async () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'text', content: 'x' }, 'to'],
      [{ to: bob.peerId, type: 'poem', content: 'x' }, 'type'],
      [{ to: bob.peerId, type: 'text' }, 'content'],
      [{ to: bob.peerId, type: 'text', content: 'x'.repeat(4001) }, 'content'],
      [{ to: bob.peerId, type: 'task-request', task: { taskId: 't' }, payload: {} }, 'task.deadline'],
      [{ to: bob.peerId, type: 'text', content: 'x', replyTo: 'nope' }, 'replyTo'],
      [{ to: 'not-a-peer', type: 'text', content: 'x' }, 'peer id']
    ]
    for (const [payload, field] of cases) {
      const res = await call('POST', '/v1/messages', payload)
      expect(res.status, JSON.stringify(payload).slice(0, 80)).toBe(400)
      expect((res.body as { detail: string }).detail).toContain(field)
    }
    const big = await call('POST', '/v1/messages', { to: bob.peerId, type: 'text', content: 'x'.repeat(300 * 1024) })
    expect(big.status).toBe(413)
    expect(big.body).toMatchObject({ error: 'payload_too_large' })
    const notJson = await alice.app.inject({ method: 'POST', url: '/v1/messages', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"to":' })
    expect(notJson.statusCode).toBe(400)
  })

  it('GET /v1/inbox and POST /v1/inbox/:id/read', async () => {
    const id = await fromBob('read me')
    const inbox = await call('GET', '/v1/inbox?unread=true&limit=10')
    expect(inbox.status).toBe(200)
    const page = inbox.body as { messages: Array<Record<string, unknown>>, total: number }
    expect(page.total).toBeGreaterThanOrEqual(1)
    expect(page.messages[0]).toMatchObject({ messageId: id, from: bob.peerId, to: alice.node.peerId, type: 'text', content: 'read me', read: false, status: 'delivered', verified: true })
    expect(page.messages[0]!.receivedAt).toMatch(/Z$/)
    expect((await call('POST', `/v1/inbox/${id}/read`)).body).toEqual({ messageId: id, read: true })
    expect((await call('GET', '/v1/inbox?unread=true')).body).toMatchObject({ total: 0 })
    expect((await call('POST', `/v1/inbox/${'0'.repeat(32)}/read`)).status).toBe(404)
    expect((await call('POST', '/v1/inbox/xyz/read')).status).toBe(400)
    expect((await call('GET', '/v1/inbox?offset=-1')).status).toBe(400)
  })

  it('conversations: list, history with paging, archive; unknown ids 404', async () => {
    await fromBob('one')
    await fromBob('two')
    const list = await call('GET', '/v1/conversations?sort=unread&limit=5')
    const [conv] = (list.body as { conversations: Array<{ conversationId: string, peer: string, unreadCount: number, status: string }> }).conversations
    expect(conv).toMatchObject({ peer: bob.peerId, status: 'active' })
    expect(conv!.unreadCount).toBeGreaterThanOrEqual(2)
    const history = await call('GET', `/v1/conversations/${conv!.conversationId}/messages?limit=2`)
    const page = history.body as { messages: Array<{ messageId: string, content: string }>, total: number, hasMore: boolean }
    expect(page.messages.map(m => m.content)).toEqual(['one', 'two'])
    expect(page.hasMore).toBe(true)
    const older = await call('GET', `/v1/conversations/${conv!.conversationId}/messages?limit=2&before=${page.messages[0]!.messageId}`)
    expect((older.body as { messages: unknown[] }).messages).toHaveLength(2)
    expect((await call('GET', `/v1/conversations/${conv!.conversationId}/messages?before=${'0'.repeat(32)}`)).status).toBe(400)
    expect((await call('GET', '/v1/conversations/nope/messages')).status).toBe(404)
    expect((await call('GET', '/v1/conversations?status=deleted')).body).toMatchObject({ error: 'bad_request', detail: expect.stringContaining('status') })
    expect((await call('POST', `/v1/conversations/${conv!.conversationId}/archive`)).body).toEqual({ conversationId: conv!.conversationId, status: 'archived' })
    expect((await call('GET', '/v1/conversations?status=archived')).body).toMatchObject({ conversations: [{ conversationId: conv!.conversationId }] })
    expect((await call('POST', '/v1/conversations/nope/archive')).status).toBe(404)
  })
})

describe('refusals by the node', () => {
  it('POST /v1/messages: a content policy\'s refusal is 422 naming the policy; past the DMs a minute to a peer 429 with Retry-After; history reads too', async () => {
    const strict = await apiFixture({
      nodeOptions: {
        contentPolicy: (body) => body.content?.includes('forbidden') === true ? { policy: 'no-forbidden-words', detail: 'the word "forbidden" is not allowed here' } : 'allow',
        rateLimits: { dmsPerMinute: 2, historyReadsPerMinute: 1 }
      }
    })
    try {
      await connect(strict.node, bob)
      const send = async (content: string) => await strict.app.inject({ method: 'POST', url: '/v1/messages', headers: auth, payload: { to: bob.peerId, type: 'text', content } })
      const refused = await send('a forbidden thing')
      expect(refused.statusCode).toBe(422)
      expect(refused.json()).toEqual({ error: 'content_policy_violation', policy: 'no-forbidden-words', detail: 'the word "forbidden" is not allowed here' })
      // nothing was stored
      expect(await strict.node.conversations()).toEqual([])

      const first = await send('one')
      expect(first.statusCode).toBe(202)
      expect((await send('two')).statusCode).toBe(202)
      const limited = await send('three')
      expect(limited.statusCode).toBe(429)
      expect(limited.json()).toMatchObject({ error: 'rate_limited', limit: 'dm', detail: expect.stringContaining(bob.peerId) })
      const seconds = Number(limited.headers['retry-after'])
      expect(seconds).toBeGreaterThanOrEqual(1)
      expect(seconds).toBeLessThanOrEqual(60)

      const { conversationId } = first.json() as { conversationId: string }
      expect((await strict.app.inject({ url: `/v1/conversations/${conversationId}/messages`, headers: auth })).statusCode).toBe(200)
      const reads = await strict.app.inject({ url: `/v1/conversations/${conversationId}/messages`, headers: auth })
      expect(reads.statusCode).toBe(429)
      expect(reads.json()).toMatchObject({ error: 'rate_limited', limit: 'history' })
      expect(Number(reads.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    } finally {
      await strict.close()
    }
  })
})

describe('webhooks', () => {
  it('add (secret never returned), list, at most 10 (409), remove, bad input 400', async () => {
    const created = await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['message.received'], secret: 'a-secret-of-some-length' })
    expect(created.status).toBe(201)
    expect(JSON.stringify(created.body)).not.toContain('a-secret')
    const { id } = created.body as { id: string }
    const listed = await call('GET', '/v1/webhooks')
    expect(JSON.stringify(listed.body)).not.toContain('a-secret')
    expect(listed.body).toMatchObject({ webhooks: [{ id, url: 'http://127.0.0.1:9/hook', events: ['message.received'], pending: 0, attempts: [] }] })
    for (let i = 1; i < 10; i++) expect((await call('POST', '/v1/webhooks', { url: `http://127.0.0.1:9/${i}`, events: ['message.read'], secret: 'another-long-secret' })).status).toBe(201)
    const over = await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/11', events: ['message.read'], secret: 'another-long-secret' })
    expect(over.status).toBe(409)
    expect(over.body).toMatchObject({ error: 'webhook_limit' })
    for (const hook of (await call('GET', '/v1/webhooks')).body.webhooks as Array<{ id: string }>) expect((await call('DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(204)
    expect((await call('DELETE', `/v1/webhooks/${id}`)).status).toBe(404)
    for (const [payload, field] of [
      [{ url: 'ftp://x/y', events: ['message.read'], secret: 'long-enough-secret' }, 'url'],
      [{ url: 'http://x/y', events: ['message.sent'], secret: 'long-enough-secret' }, 'events'],
      [{ url: 'http://x/y', events: [], secret: 'long-enough-secret' }, 'events'],
      [{ url: 'http://x/y', events: ['message.read'], secret: 'short' }, 'secret']
    ] as const) {
      const res = await call('POST', '/v1/webhooks', payload)
      expect(res.status).toBe(400)
      expect((res.body as { detail: string }).detail).toContain(field)
      expect(JSON.stringify(res.body)).not.toContain('long-enough-secret')
    }
  })
})

describe('metrics', () => {
  it('/metrics needs the key and counts messages in and out', async () => {
    expect((await call('GET', '/metrics', undefined, {})).status).toBe(401)
    const text = (await call('GET', '/metrics')).body as string
    for (const name of ['agentmsg_messages_received_total', 'agentmsg_messages_sent_total', 'agentmsg_message_delivery_seconds_bucket', 'agentmsg_outbox_depth', 'agentmsg_webhook_failures_total', 'agentmsg_validator_rejections_total 0',
      'agentmsg_rejected_envelopes', 'agentmsg_duplicate_envelopes', 'agentmsg_policy_refusals 0', 'agentmsg_requests_held 0', 'agentmsg_blocked_drops 0']) {
      expect(text).toContain(name)
    }
    expect(Number(/agentmsg_messages_received_total (\d+)/.exec(text)![1])).toBeGreaterThan(0)
    expect(Number(/agentmsg_messages_sent_total (\d+)/.exec(text)![1])).toBeGreaterThan(0)
  })
})

describe('error table', () => {
  it('maps names to statuses; 5xx never carry the message', () => {
    expect(errorResponse(new ContentPolicyError('spam', 'sent to more than 10 agents in 10 minutes'))).toEqual({ status: 422, body: { error: 'content_policy_violation', policy: 'spam', detail: 'sent to more than 10 agents in 10 minutes' } })
    expect(errorResponse(new RateLimitedError('over 120 messages a minute', 'dm', 1_200))).toEqual({ status: 429, body: { error: 'rate_limited', limit: 'dm', detail: 'over 120 messages a minute' }, retryAfter: 2 })
    expect(errorResponse(new RequestNotFoundError('no message request from x'))).toEqual({ status: 404, body: { error: 'request_not_found', detail: 'no message request from x' } })
    expect(errorResponse(new NodeOptionsError('inboxPolicy: expected one of open, verified, contacts')).status).toBe(400)
    expect(errorResponse(Object.assign(new Error('x'), { name: 'OutboxFullError' }))).toMatchObject({ status: 429, retryAfter: 30 })
    expect(errorResponse(Object.assign(new Error('slow down'), { name: 'DenRateLimitError', retryAfterMs: 2_500 }))).toEqual({ status: 429, body: { error: 'den_rate_limited', detail: 'slow down' }, retryAfter: 3 })
    for (const [name, status] of [['DenNotFoundError', 404], ['NotDenOwnerError', 403], ['DenAccessError', 403], ['DenOptionsError', 400]] as const) {
      expect(errorResponse(Object.assign(new Error('x'), { name })).status, name).toBe(status)
    }
    expect(errorResponse(new StoreWriteError('store: a write to LevelDB failed; open the store again to replay its journal'))).toMatchObject({ status: 503, body: { error: 'store_failed' } })
    expect(errorResponse(new Error('secret key material 1234'))).toEqual({ status: 500, body: { error: 'internal', detail: 'internal error' } })
  })
})
