/**
 * 1:1 messaging between real agent nodes: TCP on 127.0.0.1, real level
 * databases in temp dirs, cards found through a bootstrap node's DHT.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Agents, collect } from './agents.js'
import { tempDir, waitFor } from './helpers.js'
import type { StatusChange } from '../../src/node/agent-node.js'
import type { MessageRecord } from '../../src/store/index.js'

const agents = new Agents()
const { start, stop, network } = agents
afterEach(agents.stopAll)

describe('agent node: 1:1 messages', { timeout: 120_000 }, () => {
  it('a message reaches an agent known only by its PeerId, with queued → sent → delivered', async () => {
    const { bootstrap } = await network()
    const alice = await start({ bootstrap, name: 'alice' })
    const bob = await start({ bootstrap, name: 'bob' })
    await waitFor(async () => await bob.getCard(bob.peerId).then(() => true, () => false))
    await waitFor(async () => await alice.getCard(bob.peerId, {}).then(c => c.source !== 'self', () => false), { timeout: 20_000 })
    const statuses = collect<StatusChange>(alice, 'message.status')
    const received = collect<MessageRecord>(bob, 'message.received')
    const sent = await alice.send(bob.peerId, { type: 'text', content: 'hello bob' })
    expect(sent.status).toBe('queued')
    await waitFor(() => received.length === 1)
    expect(received[0]).toMatchObject({ messageId: sent.messageId, conversationId: sent.conversationId, from: alice.peerId, content: 'hello bob', status: 'delivered' })
    await waitFor(() => statuses.some(s => s.messageId === sent.messageId && s.status === 'delivered'))
    const order = statuses.filter(s => s.messageId === sent.messageId).map(s => s.status)
    expect(order[0]).toBe('queued')
    expect(order.at(-1)).toBe('delivered')
    expect((await alice.message(sent.messageId))?.status).toBe('delivered')
    // the same conversation id on both sides
    expect((await bob.conversations())[0]).toMatchObject({ conversationId: sent.conversationId, peer: alice.peerId, unreadCount: 1 })
    // a read receipt turns it read at the sender
    await bob.markRead(sent.messageId)
    await waitFor(async () => (await alice.message(sent.messageId))?.status === 'read')
    expect((await bob.conversations())[0]?.unreadCount).toBe(0)
  })

  it('refuses a bad body, a bad peer id and an agent nobody can find, storing nothing', async () => {
    const { bootstrap } = await network()
    const alice = await start({ bootstrap, resolveTimeout: 500 })
    const bob = await start({ bootstrap })
    const name = async (p: Promise<unknown>): Promise<string | undefined> => await p.then(() => undefined, (err: Error) => err.name)
    expect(await name(alice.send(bob.peerId, { type: 'text', content: 'x'.repeat(4001) }))).toBe('BodyValidationError')
    expect(await name(alice.send(bob.peerId, { type: 'receipt' } as never))).toBe('BodyValidationError')
    expect(await name(alice.send('not-a-peer-id', { type: 'text', content: 'x' }))).toBe('InvalidPeerError')
    expect(await name(alice.send(alice.peerId, { type: 'text', content: 'x' }))).toBe('InvalidPeerError')
    const stranger = await start({})
    const strangerId = stranger.peerId
    await stop(stranger)
    expect(await name(alice.send(strangerId, { type: 'text', content: 'x' }))).toBe('CardNotFoundError')
    expect(await alice.conversations()).toEqual([])
    expect(alice.stats.x3dhInitiated).toBe(0)
  })

  it('1,000 messages each way: each delivered exactly once, in sending order', async () => {
    const { bootstrap } = await network()
    // 1,000 within seconds: past the default 120 DMs a minute per peer
    const unlimited = { dmsPerMinute: Infinity }
    const alice = await start({ bootstrap, rateLimits: unlimited })
    const bob = await start({ bootstrap, rateLimits: unlimited })
    await waitFor(async () => await alice.getCard(bob.peerId).then(() => true, () => false), { timeout: 20_000 })
    const atBob = collect<MessageRecord>(bob, 'message.received')
    const atAlice = collect<MessageRecord>(alice, 'message.received')
    await alice.send(bob.peerId, { type: 'text', content: 'a-start' })
    await waitFor(() => atBob.length === 1)
    const sends: Array<Promise<unknown>> = []
    for (let i = 0; i < 1000; i++) {
      sends.push(alice.send(bob.peerId, { type: 'text', content: `a${i}` }))
      sends.push(bob.send(alice.peerId, { type: 'text', content: `b${i}` }))
    }
    await Promise.all(sends)
    await waitFor(() => atBob.length === 1001 && atAlice.length === 1000, { timeout: 90_000 })
    expect(atBob.slice(1).map(m => m.content)).toEqual(Array.from({ length: 1000 }, (_, i) => `a${i}`))
    expect(atAlice.map(m => m.content)).toEqual(Array.from({ length: 1000 }, (_, i) => `b${i}`))
    const history = await bob.history(atBob[0]!.conversationId, { limit: 500 })
    expect(history.total).toBe(2001)
    expect(history.hasMore).toBe(true)
  })

  it('a message with expiresAt is deleted on both sides at that time', async () => {
    const { bootstrap } = await network()
    const alice = await start({ bootstrap })
    const bob = await start({ bootstrap })
    await waitFor(async () => await alice.getCard(bob.peerId).then(() => true, () => false), { timeout: 20_000 })
    const expiredAtAlice = collect<{ messageId: string }>(alice, 'message.expired')
    const expiredAtBob = collect<{ messageId: string }>(bob, 'message.expired')
    const received = collect<MessageRecord>(bob, 'message.received')
    const expiresAt = Date.now() + 1_500
    const { messageId } = await alice.send(bob.peerId, { type: 'text', content: 'self-destructing', expiresAt })
    await alice.send(bob.peerId, { type: 'text', content: 'kept' })
    await waitFor(() => received.length === 2)
    expect(received[0]).toMatchObject({ messageId, expiresAt })
    expect((await bob.inbox({ unread: true })).total).toBe(2)

    await waitFor(() => expiredAtAlice.length === 1 && expiredAtBob.length === 1, { timeout: 10_000 })
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt)
    expect(expiredAtBob[0]).toMatchObject({ messageId })
    for (const node of [alice, bob]) expect(await node.message(messageId)).toBeUndefined()
    expect((await bob.inbox()).messages.map(m => m.content)).toEqual(['kept'])
    const [conversation] = await bob.conversations()
    expect(conversation?.unreadCount).toBe(1)
    expect((await alice.history(conversation!.conversationId)).messages.map(m => m.content)).toEqual(['kept'])
  })

  it('a message that expired while its node was stopped is gone when it starts', async () => {
    const { bootstrap } = await network()
    const alice = await start({ bootstrap })
    const dataDir = await tempDir()
    let bob = await start({ bootstrap, dataDir })
    await waitFor(async () => await alice.getCard(bob.peerId).then(() => true, () => false), { timeout: 20_000 })
    const received = collect<MessageRecord>(bob, 'message.received')
    const expiresAt = Date.now() + 1_000
    const { messageId } = await alice.send(bob.peerId, { type: 'text', content: 'brief', expiresAt })
    await waitFor(() => received.length === 1)
    await stop(bob)
    await waitFor(() => Date.now() > expiresAt, { timeout: 5_000 })
    bob = await start({ bootstrap, dataDir })
    expect(await bob.message(messageId)).toBeUndefined()
    expect((await bob.inbox()).total).toBe(0)
  })
})
