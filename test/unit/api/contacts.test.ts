/**
 * Message requests and contacts through `app.inject()`, between real nodes:
 * a contacts-only agent behind the API gets requests from two strangers,
 * accepts one and declines the other; two contacts-only agents answer its
 * own first messages, which it sees as `connection.accepted` and
 * `connection.declined` in `/v1/events` and at a webhook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../../integration/helpers.js'
import { apiFixture, auth, connect, startNode } from './helpers.js'
import type { ApiFixture } from './helpers.js'
import type { AgentNode, ConsentAnswer } from '../../../src/node/agent-node.js'

interface ApiEvent { cursor: number, type: string, at: string, data: Record<string, unknown> }

/** What the webhook receiver got: the `X-Agentmsg-Event` header and the JSON body. */
const posted: Array<{ type: string, event: ApiEvent }> = []
const fakeFetch = (async (_url: string, init: RequestInit) => {
  const headers = init.headers as Record<string, string>
  posted.push({ type: headers['x-agentmsg-event']!, event: JSON.parse(String(init.body)) as ApiEvent })
  return new Response(null, { status: 204 })
}) as unknown as typeof fetch

let alice: ApiFixture
/** strangers that write to alice */
let carol: AgentNode
let dave: AgentNode
/** contacts-only agents alice writes to */
let erin: AgentNode
let frank: AgentNode

beforeAll(async () => {
  alice = await apiFixture({ webhooks: { fetch: fakeFetch } })
  ;[carol, dave, erin, frank] = await Promise.all([
    startNode(), startNode(), startNode(undefined, { inboxPolicy: 'contacts' }), startNode(undefined, { inboxPolicy: 'contacts' })
  ])
  await Promise.all([connect(carol, alice.node), connect(dave, alice.node), connect(alice.node, erin), connect(alice.node, frank)])
}, 60_000)
afterAll(async () => {
  await alice.close()
  await Promise.all([carol, dave, erin, frank].map(async n => { await n.stop() }))
})

async function call (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = auth) {
  const res = await alice.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
  return { status: res.statusCode, headers: res.headers, body: res.body.length > 0 ? res.json() : undefined }
}

/** Alice's logged events of `type`, waiting until `count` are there. */
async function events (type: string, count = 1): Promise<ApiEvent[]> {
  return await waitFor(async () => {
    const { body } = await call('GET', '/v1/events?after=0&timeout=0&limit=1000')
    const found = (body as { events: ApiEvent[] }).events.filter(e => e.type === type)
    return found.length >= count && found
  }, { timeout: 20_000, message: `${count} ${type}` })
}

function answered (node: AgentNode, type: 'connection.accepted' | 'connection.declined'): Promise<ConsentAnswer> {
  return new Promise(resolve => { node.addEventListener(type, (evt) => { resolve((evt as CustomEvent<ConsentAnswer>).detail) }, { once: true }) })
}

describe('message requests', () => {
  it('PUT /v1/me sets the inbox policy; strangers\' messages wait as requests; accept delivers, decline drops', async () => {
    const hook = await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/consent', events: ['connection.request', 'connection.accepted', 'connection.declined'], secret: 'a-secret-of-some-length' })
    expect(hook.status).toBe(201)
    const me = await call('PUT', '/v1/me', { inboxPolicy: 'contacts' })
    expect(me.body).toMatchObject({ inboxPolicy: 'contacts' })
    expect((await call('GET', '/.well-known/agent-card.json', undefined, {})).body).toMatchObject({ agentmsg: { inboxPolicy: 'contacts' } })
    expect((await call('PUT', '/v1/me', { inboxPolicy: 'friends' })).body).toMatchObject({ error: 'bad_request', detail: expect.stringContaining('inboxPolicy') })

    const c1 = await carol.send(alice.node.peerId, { type: 'text', content: 'hello, may I?' })
    const c2 = await carol.send(alice.node.peerId, { type: 'text', content: 'it is about the build' })
    const d1 = await dave.send(alice.node.peerId, { type: 'text', content: 'buy now' })
    await waitFor(async () => {
      const { body } = await call('GET', '/v1/requests')
      const requests = (body as { requests: Array<{ peer: string, messages: unknown[] }> }).requests
      return requests.length === 2 && requests[0]!.messages.length === 2
    }, { timeout: 20_000 })
    const listed = await call('GET', '/v1/requests')
    expect(listed.status).toBe(200)
    const [fromCarol, fromDave] = (listed.body as { requests: Array<Record<string, unknown> & { firstAt: string, lastAt: string }> }).requests
    expect(fromCarol).toMatchObject({
      peer: carol.peerId,
      refused: 0,
      messages: [
        { messageId: c1.messageId, from: carol.peerId, content: 'hello, may I?', verified: true },
        { messageId: c2.messageId, content: 'it is about the build' }
      ]
    })
    expect(new Date(fromCarol!.firstAt).toISOString()).toBe(fromCarol!.firstAt)
    expect(fromCarol!.lastAt >= fromCarol!.firstAt).toBe(true)
    expect(fromDave).toMatchObject({ peer: dave.peerId, messages: [{ messageId: d1.messageId }] })
    // held, not in the inbox
    expect((await call('GET', '/v1/inbox')).body).toMatchObject({ total: 0 })

    // the log says so once per request, as JSON like the rest of the API
    const logged = await events('connection.request', 2)
    expect(logged[0]!.data).toEqual({ peer: carol.peerId, firstAt: fromCarol!.firstAt, message: expect.objectContaining({ messageId: c1.messageId, content: 'hello, may I?' }) })
    expect((logged[0]!.data.message as { sentAt: string }).sentAt).toMatch(/Z$/)

    const carolHears = answered(carol, 'connection.accepted')
    const accepted = await call('POST', `/v1/requests/${carol.peerId}/accept`)
    expect(accepted.status).toBe(200)
    expect(accepted.body).toMatchObject({ peer: carol.peerId, messages: [{ messageId: c1.messageId }, { messageId: c2.messageId }] })
    const inbox = (await call('GET', '/v1/inbox')).body as { messages: Array<{ messageId: string }>, total: number }
    expect(inbox.messages.map(m => m.messageId).sort()).toEqual([c1.messageId, c2.messageId].sort())
    expect(await carolHears).toEqual({ peer: alice.node.peerId, messageIds: [c1.messageId, c2.messageId] })
    // accepting makes carol a contact
    expect((await call('GET', `/v1/contacts/${carol.peerId}`)).body).toMatchObject({ peer: carol.peerId, trust: 'contact' })

    const daveHears = answered(dave, 'connection.declined')
    const declined = await call('POST', `/v1/requests/${dave.peerId}/decline`)
    expect(declined).toMatchObject({ status: 200, body: { peer: dave.peerId, dropped: [d1.messageId] } })
    expect(await daveHears).toEqual({ peer: alice.node.peerId, messageIds: [d1.messageId] })
    expect((await call('GET', '/v1/requests')).body).toEqual({ requests: [] })
    expect((await call('GET', '/v1/inbox')).body).toMatchObject({ total: 2 })

    // answered already: nothing waits
    for (const [peer, action] of [[carol.peerId, 'accept'], [dave.peerId, 'decline']] as const) {
      const again = await call('POST', `/v1/requests/${peer}/${action}`)
      expect(again.status).toBe(404)
      expect(again.body).toMatchObject({ error: 'request_not_found', detail: expect.stringContaining(peer) })
    }
  })

  it('our own first messages answered by contacts-only agents: connection.accepted and connection.declined in the log and at the webhook', async () => {
    const toErin = await call('POST', '/v1/messages', { to: erin.peerId, type: 'text', content: 'hello erin' })
    const toFrank = await call('POST', '/v1/messages', { to: frank.peerId, type: 'text', content: 'hello frank' })
    expect([toErin.status, toFrank.status]).toEqual([202, 202])
    const erinId = (toErin.body as { messageId: string }).messageId
    const frankId = (toFrank.body as { messageId: string }).messageId
    await waitFor(async () => (await erin.requests()).length === 1 && (await frank.requests()).length === 1, { timeout: 20_000 })
    await erin.acceptRequest(alice.node.peerId)
    await frank.declineRequest(alice.node.peerId)

    const [acceptedEvent] = await events('connection.accepted')
    const [declinedEvent] = await events('connection.declined')
    expect(acceptedEvent!.data).toEqual({ peer: erin.peerId, messageIds: [erinId] })
    expect(declinedEvent!.data).toEqual({ peer: frank.peerId, messageIds: [frankId] })

    // the webhook asked for these three types and got each of them, as the log has them
    await waitFor(() => ['connection.request', 'connection.accepted', 'connection.declined'].every(t => posted.some(p => p.type === t)), { timeout: 20_000 })
    expect(posted.every(p => p.type.startsWith('connection.'))).toBe(true)
    expect(posted.find(p => p.type === 'connection.accepted')!.event).toEqual(acceptedEvent)
    expect(posted.find(p => p.type === 'connection.request')!.event.data).toMatchObject({ peer: carol.peerId, firstAt: expect.stringMatching(/Z$/) })
  })

  it('bad peer ids 400, no key 401', async () => {
    for (const url of ['/v1/requests/not-a-peer/accept', '/v1/requests/not-a-peer/decline']) {
      const res = await call('POST', url)
      expect(res.status, url).toBe(400)
      expect(res.body).toMatchObject({ error: 'invalid_peer', detail: expect.stringContaining('peer id') })
    }
    for (const [method, url] of [['GET', '/v1/requests'], ['POST', `/v1/requests/${carol.peerId}/accept`], ['POST', `/v1/requests/${carol.peerId}/decline`]] as const) {
      expect((await call(method, url, undefined, {})).status, url).toBe(401)
    }
    // only accept and decline
    expect((await call('POST', `/v1/requests/${carol.peerId}/ignore`)).status).toBe(404)
  })
})

describe('contacts', () => {
  it('PUT sets trust and alias, GET lists and shows one, DELETE forgets; times in ISO 8601', async () => {
    const put = await call('PUT', `/v1/contacts/${dave.peerId}`, { trust: 'trusted', alias: 'dave' })
    expect(put.status).toBe(200)
    expect(put.body).toEqual({ peer: dave.peerId, trust: 'trusted', alias: 'dave', addedAt: expect.stringMatching(/Z$/), updatedAt: expect.stringMatching(/Z$/) })
    expect((await alice.node.contact(dave.peerId))?.trust).toBe('trusted')
    // PUT replaces: no alias now
    const renamed = await call('PUT', `/v1/contacts/${dave.peerId}`, { trust: 'verified' })
    expect(renamed.body).toEqual({ peer: dave.peerId, trust: 'verified', addedAt: (put.body as { addedAt: string }).addedAt, updatedAt: expect.stringMatching(/Z$/) })

    const list = await call('GET', '/v1/contacts')
    expect(list.status).toBe(200)
    const contacts = (list.body as { contacts: Array<{ peer: string, trust: string }> }).contacts
    expect(contacts).toEqual(expect.arrayContaining([expect.objectContaining({ peer: carol.peerId, trust: 'contact' }), expect.objectContaining({ peer: dave.peerId, trust: 'verified' })]))
    expect((await call('GET', `/v1/contacts/${dave.peerId}`)).body).toMatchObject({ peer: dave.peerId, trust: 'verified' })

    const removed = await call('DELETE', `/v1/contacts/${dave.peerId}`)
    expect(removed.status).toBe(204)
    expect(await alice.node.contact(dave.peerId)).toBeUndefined()
    for (const [method, url] of [['DELETE', `/v1/contacts/${dave.peerId}`], ['GET', `/v1/contacts/${dave.peerId}`]] as const) {
      const res = await call(method, url)
      expect(res.status, `${method} ${url}`).toBe(404)
      expect(res.body).toMatchObject({ error: 'contact_not_found', detail: expect.stringContaining(dave.peerId) })
    }
  })

  it('blocked takes effect at once: the peer\'s connections close', async () => {
    expect(alice.node.libp2p.getConnections(frank.libp2p.peerId).length).toBeGreaterThan(0)
    expect((await call('PUT', `/v1/contacts/${frank.peerId}`, { trust: 'blocked' })).body).toMatchObject({ trust: 'blocked' })
    await waitFor(() => alice.node.libp2p.getConnections(frank.libp2p.peerId).length === 0, { timeout: 10_000 })
    expect((await call('DELETE', `/v1/contacts/${frank.peerId}`)).status).toBe(204)
  })

  it('bad input 400 naming the field, our own peer id 400, no key 401', async () => {
    const cases: Array<[unknown, string]> = [
      [{ trust: 'best friend' }, 'trust'],
      [{}, 'trust'],
      [{ trust: 'contact', alias: '' }, 'alias'],
      [{ trust: 'contact', alias: 'x'.repeat(129) }, 'alias'],
      [{ trust: 'contact', nickname: 'x' }, 'nickname']
    ]
    for (const [payload, field] of cases) {
      const res = await call('PUT', `/v1/contacts/${carol.peerId}`, payload)
      expect(res.status, JSON.stringify(payload)).toBe(400)
      expect((res.body as { detail: string }).detail).toContain(field)
    }
    for (const [method, url, payload] of [['PUT', '/v1/contacts/not-a-peer', { trust: 'contact' }], ['GET', '/v1/contacts/not-a-peer'], ['DELETE', '/v1/contacts/not-a-peer']] as const) {
      const res = await call(method, url, payload)
      expect(res.status, `${method} ${url}`).toBe(400)
      expect(res.body).toMatchObject({ error: 'invalid_peer', detail: expect.stringContaining('peer id') })
    }
    expect((await call('PUT', `/v1/contacts/${alice.node.peerId}`, { trust: 'trusted' })).body).toMatchObject({ error: 'invalid_peer' })
    for (const [method, url] of [['GET', '/v1/contacts'], ['GET', `/v1/contacts/${carol.peerId}`], ['PUT', `/v1/contacts/${carol.peerId}`], ['DELETE', `/v1/contacts/${carol.peerId}`]] as const) {
      const res = await alice.app.inject({ method, url, headers: { authorization: 'Bearer wrong' }, ...(method === 'PUT' ? { payload: { trust: 'blocked' } } : {}) })
      expect(res.statusCode, `${method} ${url}`).toBe(401)
    }
    expect((await alice.node.contact(carol.peerId))?.trust).toBe('contact')
  })
})
