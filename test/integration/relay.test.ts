/**
 * Store-and-forward through relays, with real agent nodes: a bootstrap node,
 * relay nodes, and agents that list the relays in their cards.
 */
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Agents, cardFound, collect } from './agents.js'
import { tempDir, waitFor } from './helpers.js'
import type { AgentNode, AgentNodeOptions, RelayRefusal, StatusChange } from '../../src/node/agent-node.js'
import type { MessageRecord } from '../../src/store/index.js'

const agents = new Agents()
afterEach(async () => { await agents.stopAll() })

const tcp = (node: AgentNode): string => node.addresses.find(a => !a.includes('/ws'))!
/** listen addresses without /p2p, to restart a node on the same ports */
const listenOf = (node: AgentNode): string[] => node.libp2p.getMultiaddrs().map(a => a.decapsulateCode(421).toString())

async function relay (bootstrap: string[], options: Partial<AgentNodeOptions> = {}): Promise<AgentNode> {
  return await agents.start({ bootstrap, relay: { depositsPerMinute: 100_000 }, name: 'relay', discoverRelays: 0, ...options })
}

/** B starts, is found by A, and goes offline; returns how to bring it back (listening before the test's events are collected). */
async function offlineRecipient (a: AgentNode, options: Partial<AgentNodeOptions>): Promise<{ peerId: string, restart(): Promise<{ node: AgentNode, received: MessageRecord[] }> }> {
  const dataDir = await tempDir()
  const b = await agents.start({ dataDir, ...options })
  await cardFound(a, b)
  await agents.stop(b)
  return {
    peerId: b.peerId,
    restart: async () => {
      const node = await agents.start({ dataDir, ...options, start: false })
      const received = collect<MessageRecord>(node, 'message.received')
      await node.start()
      return { node, received }
    }
  }
}

function statusCount (changes: StatusChange[], status: string): number {
  return new Set(changes.filter(c => c.status === status).map(c => c.messageId)).size
}

describe('relays', () => {
  it('holds 500 messages for an offline agent, which gets each once, in order, and the sender sees them delivered', async () => {
    const { bootstrap } = await agents.network()
    const r = await relay(bootstrap)
    // 500 within a minute: past the default 120 DMs a minute per peer, lifted for the
    // sender; B keeps the default: mail fetched from its relay is not limited again
    const options = { bootstrap, relays: [tcp(r)] }
    const a = await agents.start({ ...options, rateLimits: { dmsPerMinute: Infinity } })
    const b = await offlineRecipient(a, options)
    const statuses = collect<StatusChange>(a, 'message.status')

    const sent: string[] = []
    for (let i = 0; i < 500; i++) sent.push((await a.send(b.peerId, { type: 'text', content: `m${i}` })).messageId)
    await waitFor(() => statusCount(statuses, 'relayed') === 500, { timeout: 60_000 })

    const { node, received } = await b.restart()
    await waitFor(() => received.length >= 500, { timeout: 60_000 })
    expect(received.map(m => m.content)).toEqual(sent.map((_, i) => `m${i}`))
    expect(new Set(received.map(m => m.messageId)).size).toBe(500)
    await waitFor(() => statusCount(statuses, 'delivered') === 500, { timeout: 60_000 })
    expect((await a.message(sent[499]!))?.status).toBe('delivered')
    const history = await node.history(received[0]!.conversationId, { limit: 500 })
    expect(history.messages).toHaveLength(500)
    expect(history.hasMore).toBe(false)
  })

  it('delivers when one of the two relays the recipient lists is down', async () => {
    const { bootstrap } = await agents.network()
    const [r1, r2] = [await relay(bootstrap), await relay(bootstrap)]
    const options = { bootstrap, relays: [tcp(r1), tcp(r2)] }
    const a = await agents.start({ bootstrap, discoverRelays: 0 })
    const b = await offlineRecipient(a, options)
    await agents.stop(r1)
    const statuses = collect<StatusChange>(a, 'message.status')

    for (let i = 0; i < 20; i++) await a.send(b.peerId, { type: 'text', content: `m${i}` })
    await waitFor(() => statusCount(statuses, 'relayed') === 20, { timeout: 30_000 })
    const { received } = await b.restart()
    await waitFor(() => received.length === 20, { timeout: 30_000 })
    expect(received.map(m => m.content)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`))
    await waitFor(() => statusCount(statuses, 'delivered') === 20, { timeout: 30_000 })
  })

  it('delivers what a relay held across the relay\'s restart', async () => {
    const { bootstrap } = await agents.network()
    const relayDir = await tempDir()
    const first = await relay(bootstrap, { dataDir: relayDir })
    const listen = listenOf(first)
    const options = { bootstrap, relays: [tcp(first)] }
    const a = await agents.start({ bootstrap, discoverRelays: 0 })
    const b = await offlineRecipient(a, options)
    const statuses = collect<StatusChange>(a, 'message.status')
    for (let i = 0; i < 10; i++) await a.send(b.peerId, { type: 'text', content: `m${i}` })
    await waitFor(() => statusCount(statuses, 'relayed') === 10, { timeout: 30_000 })

    await agents.stop(first)
    await relay(bootstrap, { dataDir: relayDir, listen })
    const { received } = await b.restart()
    await waitFor(() => received.length === 10, { timeout: 30_000 })
    expect(received.map(m => m.content)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`))
  })

  it('merges direct and relayed copies into one stream without duplicates', async () => {
    const { bootstrap } = await agents.network()
    const r = await relay(bootstrap)
    const options = { bootstrap, relays: [tcp(r)] }
    const a = await agents.start(options)
    const b = await offlineRecipient(a, options)
    const statuses = collect<StatusChange>(a, 'message.status')
    for (let i = 0; i < 5; i++) await a.send(b.peerId, { type: 'text', content: `early${i}` })
    await waitFor(() => statusCount(statuses, 'relayed') === 5, { timeout: 30_000 })

    const { node, received } = await b.restart()
    // once B is back, new mail goes directly; a reply from B goes directly too
    await waitFor(() => received.length === 5, { timeout: 30_000 })
    for (let i = 0; i < 5; i++) await a.send(b.peerId, { type: 'text', content: `late${i}` })
    await waitFor(() => received.length === 10, { timeout: 30_000 })
    expect(received.map(m => m.content)).toEqual([0, 1, 2, 3, 4].map(i => `early${i}`).concat([0, 1, 2, 3, 4].map(i => `late${i}`)))
    await waitFor(() => statusCount(statuses, 'delivered') === 10, { timeout: 30_000 })
    expect((await node.inbox({ limit: 100 })).total).toBe(10)
  })

  it('finds relays announced in the DHT and lists them in its card', async () => {
    const { bootstrap } = await agents.network()
    const r = await relay(bootstrap)
    const a = await agents.start({ bootstrap })
    await waitFor(() => a.relays.includes(r.peerId), { timeout: 30_000 })
    const other = await agents.start({ bootstrap, discoverRelays: 0 })
    await waitFor(async () => {
      const { card } = await other.getCard(a.peerId).catch(() => ({ card: undefined }))
      return card?.relays.length === 1
    }, { timeout: 30_000 })
  })
})

describe('history archive', () => {
  it('restores conversations and messages on a fresh data dir with the same identity', async () => {
    const { bootstrap } = await agents.network()
    const r = await relay(bootstrap)
    const bDir = await tempDir()
    const a = await agents.start({ bootstrap, discoverRelays: 0 })
    const b = await agents.start({ dataDir: bDir, bootstrap, relays: [tcp(r)] })
    const received = collect<MessageRecord>(b, 'message.received')
    for (let i = 0; i < 5; i++) await a.send(b.peerId, { type: 'text', content: `to b ${i}` })
    await waitFor(() => received.length === 5, { timeout: 30_000 })
    for (let i = 0; i < 3; i++) await b.send(a.peerId, { type: 'json', payload: { n: i } })
    await b.markRead(received[0]!.messageId)
    const before = await b.history(received[0]!.conversationId, { limit: 100 })
    expect(before.messages).toHaveLength(8)
    // stopping flushes what is still waiting for upload
    await agents.stop(b)

    const fresh = await tempDir()
    await copyFile(join(bDir, 'identity'), join(fresh, 'identity'))
    const b2 = await agents.start({ dataDir: fresh, bootstrap, relays: [tcp(r)] })
    expect(b2.peerId).toBe(b.peerId)
    expect(await b2.conversations()).toEqual([])
    const progress: number[] = []
    const result = await b2.restoreHistory((n) => { progress.push(n) })
    expect(result).toMatchObject({ restored: 8, skipped: 0, relays: 1 })
    expect(progress.at(-1)).toBe(8)
    const after = await b2.history(received[0]!.conversationId, { limit: 100 })
    expect(after.messages.map(m => [m.messageId, m.direction, m.content ?? m.payload, m.read])).toEqual(before.messages.map(m => [m.messageId, m.direction, m.content ?? m.payload, m.read]))
    const [conversation] = await b2.conversations()
    expect(conversation).toMatchObject({ conversationId: received[0]!.conversationId, peer: a.peerId, unreadCount: 4 })
    // a second restore adds nothing
    expect(await b2.restoreHistory()).toMatchObject({ restored: 0, skipped: 8 })
  })
})

describe('den store', () => {
  it('a member that was offline catches up on a private den from its relay alone', async () => {
    const { bootstrap } = await agents.network()
    const r = await relay(bootstrap)
    const options = { bootstrap, relays: [tcp(r)], discoverRelays: 0 }
    const owner = await agents.start(options)
    const a = await agents.start(options)
    const bDir = await tempDir()
    const b = await agents.start({ ...options, dataDir: bDir })
    const den = await owner.dens.create({ slug: 'away', title: 'Away', kind: 'private', members: [a.peerId, b.peerId] })
    await waitFor(async () => (await a.dens.list()).length === 1 && (await b.dens.list()).length === 1, { timeout: 30_000 })
    await waitFor(async () => (await r.dens.get(den.denId))?.hosted === true, { timeout: 30_000 })
    await agents.stop(b)

    for (let i = 0; i < 3; i++) await owner.dens.post(den.denId, { type: 'text', content: `while b was away ${i}` })
    await waitFor(() => r.dens.stats.hosted === 3, { timeout: 30_000 })
    // nobody but the relay holds the posts now
    await agents.stop(owner)
    await agents.stop(a)

    const back = await agents.start({ ...options, dataDir: bDir })
    await waitFor(async () => (await back.dens.feed(den.denId)).posts.length === 3, { timeout: 30_000 })
    expect((await back.dens.feed(den.denId)).posts.map(p => p.content)).toEqual([0, 1, 2].map(i => `while b was away ${i}`))
    // the relay kept envelopes it cannot read
    await expect(r.dens.feed(den.denId)).resolves.toEqual({ posts: [], hasMore: false })
  })
})

describe('relay quotas, seen by the sender', () => {
  it('a sender over the relay\'s rate is told why, keeps the rest queued, and everything arrives once', async () => {
    const { bootstrap } = await agents.network()
    const r = await agents.start({ bootstrap, relay: { depositsPerMinute: 3 }, name: 'relay', discoverRelays: 0 })
    const options = { bootstrap, relays: [tcp(r)], discoverRelays: 0 }
    const a = await agents.start({ bootstrap, discoverRelays: 0 })
    const b = await offlineRecipient(a, options)
    const statuses = collect<StatusChange>(a, 'message.status')
    const refusals = collect<RelayRefusal>(a, 'relay.refused')
    const sent: string[] = []
    for (let i = 0; i < 5; i++) sent.push((await a.send(b.peerId, { type: 'text', content: `m${i}` })).messageId)
    await waitFor(() => statusCount(statuses, 'relayed') === 3 && refusals.length > 0, { timeout: 30_000 })
    expect(refusals[0]).toMatchObject({ peer: b.peerId, relay: r.peerId, reason: 'RATE_LIMITED', messageId: sent[3] })
    expect(refusals[0]!.retryAfterMs).toBeGreaterThan(0)
    expect((await a.message(sent[3]!))?.status).toBe('queued')

    // the recipient comes back: the relay's three and the two still queued, each once
    const { received } = await b.restart()
    await waitFor(() => received.length === 5, { timeout: 30_000 })
    expect(received.map(m => m.content).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
    await waitFor(() => statusCount(statuses, 'delivered') === 5, { timeout: 30_000 })
  })
})
