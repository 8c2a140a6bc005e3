/**
 * The speed challenge between real agent nodes (TCP on 127.0.0.1): an
 * issuer started with `issuer`, provers that run `node.verify()`.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { nativePrimitives as prims } from '../../src/crypto/index.js'
import { solveTasks, verifyCredential } from '../../src/protocols/verify/index.js'
import { Agents, cardFound, collect } from './agents.js'
import { waitFor } from './helpers.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { ChallengeTask } from '../../src/protocols/verify/index.js'
import type { DenPostRecord } from '../../src/store/index.js'

const agents = new Agents()
afterEach(async () => { await agents.stopAll() })

/** An issuer and a prover connected to it directly. */
async function pair (attemptsPerHour?: number): Promise<{ issuer: AgentNode, prover: AgentNode }> {
  const issuer = await agents.start({ issuer: { attemptsPerHour }, discoverRelays: 0 })
  const prover = await agents.start({ discoverRelays: 0, trustedIssuers: [issuer.peerId] })
  await prover.libp2p.dial(multiaddr(issuer.addresses.find(a => !a.includes('/ws'))!))
  return { issuer, prover }
}

const wrong = (tasks: ChallengeTask[]): Uint8Array[] => tasks.map(() => new Uint8Array(8))

describe('speed challenge', { timeout: 120_000 }, () => {
  it('a prover that answers in time gets a credential about itself, shows it in its card and keeps it across a restart', async () => {
    const { bootstrap } = await agents.network()
    const issuer = await agents.start({ bootstrap, issuer: true, discoverRelays: 0 })
    const prover = await agents.start({ bootstrap, discoverRelays: 0, trustedIssuers: [issuer.peerId] })
    await cardFound(prover, issuer)
    expect(prover.credential).toBeUndefined()

    const verified = await prover.verify(issuer.peerId)
    expect(verified).toMatchObject({ subject: prover.peerId, issuer: issuer.peerId, level: 'software-agent' })
    expect(verified.expiresAt - verified.issuedAt).toBe(30 * 24 * 60 * 60 * 1000)
    // anyone trusting the issuer accepts it for the prover, and only for the prover
    expect(verifyCredential(prims, verified.bytes, { trustedIssuers: [issuer.peerId], subject: prover.peerId }).subject).toBe(prover.peerId)
    expect(() => verifyCredential(prims, verified.bytes, { trustedIssuers: [issuer.peerId], subject: issuer.peerId })).toThrow(expect.objectContaining({ name: 'WrongSubjectError' }))

    // the card published again carries it
    const card = await waitFor(async () => {
      const resolved = await issuer.getCard(prover.peerId, { signal: AbortSignal.timeout(5_000) })
      return resolved.card.credentials.length === 1 ? resolved.card : undefined
    }, { timeout: 30_000 })
    expect(Buffer.from(card.credentials[0]!).equals(Buffer.from(verified.bytes))).toBe(true)

    const dataDir = prover.dataDir
    await agents.stop(prover)
    const again = await agents.start({ dataDir, bootstrap, discoverRelays: 0, trustedIssuers: [issuer.peerId] })
    expect(Buffer.from(again.credential!).equals(Buffer.from(verified.bytes))).toBe(true)
  })

  it('refuses wrong answers with WRONG_ANSWER, and issues nothing', async () => {
    const { issuer, prover } = await pair()
    await expect(prover.verify(issuer.peerId, { solve: wrong })).rejects.toMatchObject({ name: 'WrongAnswerError', refusal: 'WRONG_ANSWER' })
    // one right answer short is just as wrong
    await expect(prover.verify(issuer.peerId, { solve: tasks => solveTasks(prims, tasks).slice(1) })).rejects.toMatchObject({ name: 'WrongAnswerError' })
    expect(prover.credential).toBeUndefined()
    expect(issuer.libp2p.services.verify?.stats).toMatchObject({ issued: 0, refusals: 2 })
  })

  it('refuses right answers that arrive after the 1 s deadline with TOO_SLOW', async () => {
    const { issuer, prover } = await pair()
    const slow = async (tasks: ChallengeTask[]): Promise<Uint8Array[]> => {
      const answers = solveTasks(prims, tasks)
      await new Promise(resolve => setTimeout(resolve, 1_100))
      return answers
    }
    await expect(prover.verify(issuer.peerId, { solve: slow })).rejects.toMatchObject({ name: 'TooSlowError', refusal: 'TOO_SLOW' })
    expect(prover.credential).toBeUndefined()
  })

  it('allows attemptsPerHour attempts per peer, then refuses with RATE_LIMITED and a retry time', async () => {
    const { issuer, prover } = await pair(3)
    for (let i = 0; i < 3; i++) await expect(prover.verify(issuer.peerId, { solve: wrong })).rejects.toMatchObject({ name: 'WrongAnswerError' })
    const refused = await prover.verify(issuer.peerId).catch((err: unknown) => err) as { name: string, refusal: string, retryAfterMs: number }
    expect(refused).toMatchObject({ name: 'ChallengeRateLimitedError', refusal: 'RATE_LIMITED' })
    // one token of 3 per hour: back in at most 20 minutes
    expect(refused.retryAfterMs).toBeGreaterThan(0)
    expect(refused.retryAfterMs).toBeLessThanOrEqual(20 * 60 * 1000)
    // another peer has its own attempts
    const other = await agents.start({ discoverRelays: 0 })
    await other.libp2p.dial(multiaddr(issuer.addresses.find(a => !a.includes('/ws'))!))
    expect((await other.verify(issuer.peerId)).subject).toBe(other.peerId)
  })

  it('a node that is no issuer is unreachable as one', async () => {
    const { issuer, prover } = await pair()
    await expect(issuer.verify(prover.peerId)).rejects.toMatchObject({ name: 'IssuerUnavailableError' })
  })

  it('a verified den takes the posts of an agent once it ran node.verify()', async () => {
    const { bootstrap } = await agents.network()
    const issuer = await agents.start({ bootstrap, issuer: true, discoverRelays: 0 })
    const trustedIssuers = [issuer.peerId]
    const owner = await agents.start({ bootstrap, discoverRelays: 0, trustedIssuers })
    const poster = await agents.start({ bootstrap, discoverRelays: 0, trustedIssuers })
    const seen = collect<DenPostRecord>(owner, 'den.message')
    const den = await owner.dens.create({ slug: 'verified', title: 'Verified only', kind: 'verified' })
    await waitFor(async () => (await poster.dens.listPublicDens()).length === 1, { timeout: 30_000 })
    await poster.dens.join(den.denId)
    await expect(poster.dens.post(den.denId, { type: 'text', content: 'too early' })).rejects.toMatchObject({ name: 'DenAccessError' })
    await cardFound(poster, issuer)
    await poster.verify(issuer.peerId)
    await poster.dens.post(den.denId, { type: 'text', content: 'verified software' })
    await waitFor(() => seen.length === 1, { timeout: 30_000 })
    expect(seen[0]).toMatchObject({ content: 'verified software', from: poster.peerId })
  })
})
