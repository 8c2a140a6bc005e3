/**
 * The event log through the API: long-poll, WebSocket replay then live,
 * reconnecting with the last cursor, and a restart in between.
 */
import { connect as tcpConnect } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startApiServer } from '../../../src/api/index.js'
import { waitFor } from '../../integration/helpers.js'
import { KEY, apiFixture, auth, connect, startNode } from './helpers.js'
import type { ApiFixture } from './helpers.js'
import type { AgentNode } from '../../../src/node/agent-node.js'

interface ApiEvent { cursor: number, type: string, at: string, data: Record<string, unknown> }

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn()
})

async function pair (): Promise<{ alice: ApiFixture, bob: AgentNode }> {
  const alice = await apiFixture()
  const bob = await startNode()
  cleanups.push(async () => { await bob.stop() }, async () => { await alice.close().catch(() => {}) })
  await connect(bob, alice.node)
  return { alice, bob }
}

async function poll (alice: ApiFixture, query: string): Promise<{ events: ApiEvent[], cursor: number }> {
  const res = await alice.app.inject({ url: `/v1/events?${query}`, headers: auth })
  expect(res.statusCode).toBe(200)
  return res.json()
}

/** A WebSocket on /v1/events that collects what it receives. */
async function subscribe (url: string, after?: number): Promise<{ events: ApiEvent[], close(): Promise<void> }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/events${after === undefined ? '' : `?after=${after}`}`, { headers: auth })
  const events: ApiEvent[] = []
  ws.on('message', (data) => { events.push(JSON.parse(String(data)) as ApiEvent) })
  await new Promise<void>((resolve, reject) => { ws.once('open', () => { resolve() }); ws.once('error', reject) })
  return {
    events,
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return
      await new Promise<void>(resolve => { ws.once('close', () => { resolve() }); ws.close() })
    }
  }
}

describe('GET /v1/events', () => {
  it('long-poll: at once when events exist after the cursor, else on the next event', async () => {
    const { alice, bob } = await pair()
    const { messageId } = await bob.send(alice.node.peerId, { type: 'text', content: 'first' })
    const first = await waitFor(async () => { const p = await poll(alice, 'after=0&timeout=0'); return p.events.length > 0 && p })
    expect(first.events[0]).toMatchObject({ type: 'message.received', data: { messageId, content: 'first', verified: true } })
    expect(first.events[0]!.at).toMatch(/Z$/)
    expect(first.cursor).toBe(first.events.at(-1)!.cursor)

    const started = Date.now()
    const waiting = poll(alice, `after=${first.cursor}&timeout=20`)
    await bob.send(alice.node.peerId, { type: 'text', content: 'second' })
    const next = await waiting
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(next.events.map(e => e.data.content)).toEqual(['second'])

    const empty = await poll(alice, `after=${next.cursor}&timeout=0`)
    expect(empty).toEqual({ events: [], cursor: next.cursor })
    const bad = await alice.app.inject({ url: '/v1/events?after=-1', headers: auth })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ detail: expect.stringContaining('after') })
  })

  it('WebSocket: replays after the cursor, then streams; a reconnect with the last cursor misses nothing, also across a restart', async () => {
    const { alice, bob } = await pair()
    const server = await startApiServer({ node: alice.node, apiKey: KEY })
    cleanups.push(server.close)
    const unauthorised = new WebSocket(`${server.url.replace('http', 'ws')}/v1/events`)
    const status = await new Promise<number>(resolve => { unauthorised.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0) }) })
    expect(status).toBe(401)

    for (const n of [1, 2]) await bob.send(alice.node.peerId, { type: 'text', content: `m${n}` })
    await waitFor(async () => (await alice.node.inbox()).total === 2)
    const first = await subscribe(server.url, 0)
    await waitFor(() => first.events.filter(e => e.type === 'message.received').length === 2)
    await bob.send(alice.node.peerId, { type: 'text', content: 'm3' })
    await waitFor(() => first.events.some(e => e.data.content === 'm3'))
    await first.close()
    const last = first.events.at(-1)!.cursor

    // while nobody listens: messages arrive, one is read, and the node restarts
    for (const n of [4, 5]) await bob.send(alice.node.peerId, { type: 'text', content: `m${n}` })
    await waitFor(async () => (await alice.node.inbox()).total === 5)
    const m5 = (await alice.node.inbox({ limit: 1 })).messages[0]!
    await alice.node.markRead(m5.messageId)
    await server.close()
    await alice.close()
    const again = await apiFixture({ dataDir: alice.dataDir })
    cleanups.push(again.close)
    const server2 = await startApiServer({ node: again.node, apiKey: KEY })
    cleanups.push(server2.close)

    const second = await subscribe(server2.url, last)
    await waitFor(() => second.events.some(e => e.type === 'message.read'))
    const all = [...first.events, ...second.events]
    const cursors = all.map(e => e.cursor)
    expect(new Set(cursors).size).toBe(cursors.length)
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b))
    expect(all.filter(e => e.type === 'message.received').map(e => e.data.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5'])
    // what the log holds after the cursor is exactly what the second connection got
    expect((await poll(again, `after=${last}&timeout=0&limit=1000`)).events).toEqual(second.events)
    await second.close()
  })

  it('closing the server answers a pending long-poll and does not wait for connections a client left open', async () => {
    const { alice } = await pair()
    const server = await startApiServer({ node: alice.node, apiKey: KEY })
    cleanups.push(server.close)
    let polls = 0
    server.app.server.on('request', (req: { url?: string }) => { if (req.url?.startsWith('/v1/events') === true) polls++ })
    const pending = fetch(`${server.url}/v1/events?timeout=30`, { headers: auth }).then(async res => await res.json() as { events: unknown[] })
    // a connection opened and never used (as fetch does after a request it gave up on): node does not count it idle
    const { port } = new URL(server.url)
    const unused = tcpConnect(Number(port), '127.0.0.1')
    await new Promise<void>(resolve => unused.once('connect', () => { resolve() }))
    const connections = async (): Promise<number> => await new Promise<number>(resolve => { server.app.server.getConnections((_err, n) => { resolve(n) }) })
    await waitFor(async () => polls === 1 && await connections() === 2)
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(await pending).toMatchObject({ events: [] })
    unused.destroy()
  })
})
