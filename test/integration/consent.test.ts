/**
 * Consent, limits and policy between real agent nodes (TCP on 127.0.0.1,
 * level in temp dirs): message requests under the `contacts` and `verified`
 * inbox policies, per-peer rate limits on both sides, the spam rule and a
 * custom content policy.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Agents, cardFound, collect } from './agents.js'
import { tempDir, waitFor } from './helpers.js'
import type { AgentNode, ConnectionRequest, ConsentAnswer, StatusChange } from '../../src/node/agent-node.js'
import type { MessageRecord } from '../../src/store/index.js'

const agents = new Agents()
afterEach(async () => { await agents.stopAll() })

/** Waits until every message in `ids` reached `status` at its sender. */
async function reached (changes: StatusChange[], ids: string[], status: string): Promise<void> {
  await waitFor(() => ids.every(id => changes.some(c => c.messageId === id && c.status === status)), { timeout: 20_000 })
}

async function sendTexts (from: AgentNode, to: AgentNode, texts: string[]): Promise<string[]> {
  const ids: string[] = []
  for (const content of texts) ids.push((await from.send(to.peerId, { type: 'text', content })).messageId)
  return ids
}

describe('message requests', { timeout: 120_000 }, () => {
  it('a contacts-only agent: a stranger\'s messages become one request; accepting delivers the held ones in order', async () => {
    const { bootstrap } = await agents.network()
    const alice = await agents.start({ bootstrap, discoverRelays: 0, inboxPolicy: 'contacts' })
    const stranger = await agents.start({ bootstrap, discoverRelays: 0 })
    await cardFound(stranger, alice)
    const requests = collect<ConnectionRequest>(alice, 'connection.request')
    const received = collect<MessageRecord>(alice, 'message.received')
    const statuses = collect<StatusChange>(stranger, 'message.status')
    const accepted = collect<ConsentAnswer>(stranger, 'connection.accepted')

    // the first message and 5 more are held; the 7th and 8th are refused
    const ids = await sendTexts(stranger, alice, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'])
    await reached(statuses, ids.slice(0, 6), 'delivered')
    await reached(statuses, ids.slice(6), 'failed')
    expect(statuses.find(s => s.messageId === ids[7] && s.status === 'failed')?.reason).toBe('RequestHoldFull')

    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatchObject({ peer: stranger.peerId, message: { content: 'm1', from: stranger.peerId } })
    expect(received).toEqual([])
    expect((await alice.inbox()).total).toBe(0)
    expect(await alice.conversations()).toEqual([])
    const [pending] = await alice.requests()
    expect(pending).toMatchObject({ peer: stranger.peerId, refused: 2 })
    expect(pending!.held.map(m => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6'])

    const delivered = await alice.acceptRequest(stranger.peerId)
    expect(delivered.map(m => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6'])
    expect(received.map(m => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6'])
    const inbox = await alice.inbox()
    expect(inbox.messages.map(m => m.content).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6'])
    expect(await alice.requests()).toEqual([])
    expect((await alice.contact(stranger.peerId))?.trust).toBe('contact')
    await waitFor(() => accepted.length === 1, { timeout: 20_000 })
    expect(accepted[0]).toEqual({ peer: alice.peerId, messageIds: ids.slice(0, 6) })

    // a contact now: straight to the inbox
    await sendTexts(stranger, alice, ['after'])
    await waitFor(() => received.some(m => m.content === 'after'), { timeout: 20_000 })
    await expect(alice.acceptRequest(stranger.peerId)).rejects.toMatchObject({ name: 'RequestNotFoundError' })
  })

  it('declining drops the held messages, the stranger sees the refusal, and its later messages are refused', async () => {
    const { bootstrap } = await agents.network()
    const alice = await agents.start({ bootstrap, discoverRelays: 0, inboxPolicy: 'contacts' })
    const stranger = await agents.start({ bootstrap, discoverRelays: 0 })
    await cardFound(stranger, alice)
    const statuses = collect<StatusChange>(stranger, 'message.status')
    const declined = collect<ConsentAnswer>(stranger, 'connection.declined')

    const ids = await sendTexts(stranger, alice, ['buy now', 'really'])
    await reached(statuses, ids, 'delivered')
    expect(await alice.declineRequest(stranger.peerId)).toEqual(ids)
    await waitFor(() => declined.length === 1, { timeout: 20_000 })
    expect(declined[0]).toEqual({ peer: alice.peerId, messageIds: ids })
    expect(await alice.requests()).toEqual([])
    expect((await alice.inbox()).total).toBe(0)

    const [later] = await sendTexts(stranger, alice, ['once more'])
    await reached(statuses, [later!], 'failed')
    expect(statuses.find(s => s.messageId === later && s.status === 'failed')?.reason).toBe('RequestDeclined')
    expect(await alice.requests()).toEqual([])
    expect((await alice.inbox()).total).toBe(0)

    // made a contact, it is let in again
    await alice.setContact(stranger.peerId, { trust: 'contact', alias: 'reformed' })
    const received = collect<MessageRecord>(alice, 'message.received')
    await sendTexts(stranger, alice, ['hello again'])
    await waitFor(() => received.length === 1, { timeout: 20_000 })
  })

  it('a request and its held messages outlive a restart of the recipient', async () => {
    const { bootstrap } = await agents.network()
    const dataDir = await tempDir()
    let alice = await agents.start({ bootstrap, dataDir, discoverRelays: 0, inboxPolicy: 'contacts' })
    const stranger = await agents.start({ bootstrap, discoverRelays: 0 })
    await cardFound(stranger, alice)
    const statuses = collect<StatusChange>(stranger, 'message.status')
    const [first] = await sendTexts(stranger, alice, ['before the restart'])
    await reached(statuses, [first!], 'delivered')

    await agents.stop(alice)
    alice = await agents.start({ bootstrap, dataDir, discoverRelays: 0, inboxPolicy: 'contacts' })
    const requests = collect<ConnectionRequest>(alice, 'connection.request')
    expect((await alice.requests()).map(r => r.peer)).toEqual([stranger.peerId])
    // the second message joins the same request
    const [second] = await sendTexts(stranger, alice, ['after the restart'])
    await reached(statuses, [second!], 'delivered')
    expect(requests).toEqual([])
    expect((await alice.acceptRequest(stranger.peerId)).map(m => m.content)).toEqual(['before the restart', 'after the restart'])
  })

  it('writing to an agent first admits its answers; answering a request accepts it', async () => {
    const { bootstrap } = await agents.network()
    const alice = await agents.start({ bootstrap, discoverRelays: 0, inboxPolicy: 'contacts' })
    const bob = await agents.start({ bootstrap, discoverRelays: 0 })
    const carol = await agents.start({ bootstrap, discoverRelays: 0 })
    await cardFound(alice, bob)
    await cardFound(carol, alice)
    const received = collect<MessageRecord>(alice, 'message.received')

    await alice.send(bob.peerId, { type: 'text', content: 'hi bob' })
    await bob.send(alice.peerId, { type: 'text', content: 'hi alice' })
    await waitFor(() => received.length === 1, { timeout: 20_000 })
    expect(await alice.requests()).toEqual([])

    const requests = collect<ConnectionRequest>(alice, 'connection.request')
    await carol.send(alice.peerId, { type: 'text', content: 'may I?' })
    await waitFor(() => requests.length === 1, { timeout: 20_000 })
    await alice.send(carol.peerId, { type: 'text', content: 'yes' })
    expect(received.map(m => m.content)).toEqual(['hi alice', 'may I?'])
    expect(await alice.requests()).toEqual([])
  })

  it('a verified-only agent admits an agent with a credential from a trusted issuer and holds the rest', async () => {
    const { bootstrap } = await agents.network()
    const issuer = await agents.start({ bootstrap, issuer: true, discoverRelays: 0 })
    const alice = await agents.start({ bootstrap, discoverRelays: 0, inboxPolicy: 'verified', trustedIssuers: [issuer.peerId] })
    const prover = await agents.start({ bootstrap, discoverRelays: 0 })
    const stranger = await agents.start({ bootstrap, discoverRelays: 0 })
    await cardFound(prover, issuer)
    await prover.verify(issuer.peerId)
    await cardFound(prover, alice)
    await cardFound(stranger, alice)
    const received = collect<MessageRecord>(alice, 'message.received')
    const requests = collect<ConnectionRequest>(alice, 'connection.request')

    await prover.send(alice.peerId, { type: 'text', content: 'verified hello' })
    await stranger.send(alice.peerId, { type: 'text', content: 'unverified hello' })
    await waitFor(() => received.length === 1 && requests.length === 1, { timeout: 20_000 })
    expect(received[0]).toMatchObject({ from: prover.peerId, content: 'verified hello' })
    expect(requests[0]).toMatchObject({ peer: stranger.peerId, message: { content: 'unverified hello' } })
    // the trust levels alice gives them: computed from the card, or what she set
    expect(await alice.trustLevel(prover.peerId)).toBe('verified')
    expect(await alice.trustLevel(stranger.peerId)).toBe('unknown')
    await alice.setContact(prover.peerId, { trust: 'trusted' })
    expect(await alice.trustLevel(prover.peerId)).toBe('trusted')
  })
})

describe('rate limits', { timeout: 120_000 }, () => {
  it('the 121st DM to one peer within a minute is refused with a retry time; nothing of it is stored', async () => {
    const { bootstrap } = await agents.network()
    const alice = await agents.start({ bootstrap, discoverRelays: 0 })
    const bob = await agents.start({ bootstrap, discoverRelays: 0 })
    await cardFound(alice, bob)
    const received = collect<MessageRecord>(bob, 'message.received')
    const sends: Array<Promise<unknown>> = []
    for (let i = 0; i < 120; i++) sends.push(alice.send(bob.peerId, { type: 'text', content: `m${i}` }))
    await Promise.all(sends)
    const refused = await alice.send(bob.peerId, { type: 'text', content: 'one too many' }).catch((err: unknown) => err)
    expect(refused).toMatchObject({ name: 'RateLimitedError', limit: 'dm' })
    // 120 a minute refill one every 500 ms
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0)
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(500)
    await waitFor(() => received.length === 120, { timeout: 30_000 })
    const conversation = (await alice.conversations())[0]!
    const history = await alice.history(conversation.conversationId, { limit: 500 })
    expect(history.messages).toHaveLength(120)
    expect(history.messages.some(m => m.content === 'one too many')).toBe(false)
    // another peer has its own budget
    const carol = await agents.start({ bootstrap, discoverRelays: 0 })
    await cardFound(alice, carol)
    await alice.send(carol.peerId, { type: 'text', content: 'fresh budget' })
  })

  it('the receiving side refuses a peer past its limit, and counts it', async () => {
    const { bootstrap } = await agents.network()
    // a sender that does not limit itself, a receiver at 5 a minute
    const alice = await agents.start({ bootstrap, discoverRelays: 0, rateLimits: { dmsPerMinute: Infinity } })
    const bob = await agents.start({ bootstrap, discoverRelays: 0, rateLimits: { dmsPerMinute: 5 } })
    await cardFound(alice, bob)
    const statuses = collect<StatusChange>(alice, 'message.status')
    const received = collect<MessageRecord>(bob, 'message.received')
    const ids = await sendTexts(alice, bob, ['1', '2', '3', '4', '5', '6', '7'])
    await reached(statuses, ids.slice(0, 5), 'delivered')
    await reached(statuses, ids.slice(5), 'failed')
    expect(statuses.find(s => s.messageId === ids[6] && s.status === 'failed')?.reason).toBe('RateLimitedError')
    expect(received.map(m => m.content)).toEqual(['1', '2', '3', '4', '5'])
    expect(bob.stats.policyRefusals).toBe(2)
    expect((await bob.inbox()).total).toBe(5)
  })

  it('history reads of one conversation past the limit are refused with a retry time', async () => {
    const alice = await agents.start({ discoverRelays: 0, rateLimits: { historyReadsPerMinute: 3 } })
    for (let i = 0; i < 3; i++) await alice.history('a'.repeat(32))
    await expect(alice.history('a'.repeat(32))).rejects.toMatchObject({ name: 'RateLimitedError', limit: 'history' })
    // each conversation has its own budget
    await alice.history('b'.repeat(32))
    await expect(agents.start({ rateLimits: { dmsPerMinute: 0 } })).rejects.toMatchObject({ name: 'NodeOptionsError' })
    await expect(agents.start({ inboxPolicy: 'friends' as 'open' })).rejects.toMatchObject({ name: 'NodeOptionsError' })
    await expect(alice.updateProfile({ inboxPolicy: 'friends' as 'open' })).rejects.toMatchObject({ name: 'NodeOptionsError' })
    expect(alice.profile.inboxPolicy).toBe('open')
  })
})

describe('content policy', { timeout: 120_000 }, () => {
  it('the same content to an 11th agent within 10 minutes is refused as spam; nothing is stored or sent', async () => {
    const { bootstrap } = await agents.network()
    const sender = await agents.start({ bootstrap, discoverRelays: 0 })
    const recipients = await Promise.all(Array.from({ length: 11 }, async () => await agents.start({ bootstrap, discoverRelays: 0 })))
    for (const r of recipients) await cardFound(sender, r)
    const offer = { type: 'text' as const, content: 'Limited offer: 1,000 GPU hours for free' }
    for (const r of recipients.slice(0, 10)) await sender.send(r.peerId, offer)
    // the same recipient again is not a new one
    await sender.send(recipients[0]!.peerId, offer)
    const eleventh = recipients[10]!
    await expect(sender.send(eleventh.peerId, offer)).rejects.toMatchObject({ name: 'ContentPolicyError', policy: 'spam' })
    expect((await sender.conversations()).map(c => c.peer)).not.toContain(eleventh.peerId)
    // other content still goes to it
    await sender.send(eleventh.peerId, { type: 'text', content: 'a personal note' })
    expect(await sender.outboxDepth()).toBeLessThanOrEqual(12)
  })

  it('a custom policy refuses on send (ContentPolicyError, nothing stored) and on receive (refused unread)', async () => {
    const { bootstrap } = await agents.network()
    const noUrls = (body: { content?: string }): 'allow' | { policy: string, detail: string } =>
      body.content?.includes('http') === true ? { policy: 'no-urls', detail: 'links are not accepted' } : 'allow'
    const alice = await agents.start({ bootstrap, discoverRelays: 0, contentPolicy: noUrls })
    const bob = await agents.start({ bootstrap, discoverRelays: 0, contentPolicy: noUrls })
    const mallory = await agents.start({ bootstrap, discoverRelays: 0 })
    await cardFound(alice, bob)
    await cardFound(mallory, bob)

    await expect(alice.send(bob.peerId, { type: 'text', content: 'see http://x.example' })).rejects.toMatchObject({
      name: 'ContentPolicyError', policy: 'no-urls', detail: 'links are not accepted'
    })
    expect(await alice.conversations()).toEqual([])
    expect(await alice.outboxDepth()).toBe(0)

    const statuses = collect<StatusChange>(mallory, 'message.status')
    const received = collect<MessageRecord>(bob, 'message.received')
    const [bad] = await sendTexts(mallory, bob, ['click http://phish.example'])
    await reached(statuses, [bad!], 'failed')
    expect(statuses.find(s => s.messageId === bad && s.status === 'failed')?.reason).toBe('ContentPolicyError(no-urls)')
    const [good] = await sendTexts(mallory, bob, ['plain words'])
    await reached(statuses, [good!], 'delivered')
    expect(received.map(m => m.content)).toEqual(['plain words'])
  })
})
