/**
 * `POST /v1/verify` through `inject()`: an issuer node connected directly,
 * its challenge run by the API's node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAgentNode } from '../../../src/node/agent-node.js'
import { errorResponse } from '../../../src/api/errors.js'
import { TooSlowError, WrongAnswerError } from '../../../src/protocols/verify/index.js'
import { tempDir } from '../../integration/helpers.js'
import { apiFixture, auth, startNode } from './helpers.js'
import type { ApiFixture } from './helpers.js'
import type { AgentNode } from '../../../src/node/agent-node.js'

let alice: ApiFixture
let issuer: AgentNode
let plain: AgentNode

beforeAll(async () => {
  alice = await apiFixture()
  issuer = await createAgentNode({ dataDir: await tempDir(), listen: ['/ip4/127.0.0.1/tcp/0'], issuer: { attemptsPerHour: 2 }, discoverRelays: 0 })
  plain = await startNode()
  // a direct connection is all the challenge needs
  for (const node of [issuer, plain]) await alice.node.libp2p.dial(node.libp2p.getMultiaddrs()[0]!)
}, 30_000)

afterAll(async () => {
  await alice.close()
  await issuer.stop()
  await plain.stop()
})

const verify = async (payload: unknown): Promise<{ status: number, body: { error?: string, credential: { issuedAt: string, expiresAt: string } }, headers: Record<string, unknown> }> => {
  const res = await alice.app.inject({ method: 'POST', url: '/v1/verify', headers: auth, payload: payload as object })
  return { status: res.statusCode, body: res.json(), headers: res.headers }
}

describe('POST /v1/verify', () => {
  it('returns the credential with ISO times; over the issuer\'s attempts 429 with Retry-After', async () => {
    const ok = await verify({ issuer: issuer.peerId })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({
      credential: { subject: alice.node.peerId, issuer: issuer.peerId, level: 'software-agent', issuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), expiresAt: expect.stringMatching(/Z$/) }
    })
    expect(Date.parse(ok.body.credential.expiresAt) - Date.parse(ok.body.credential.issuedAt)).toBe(30 * 24 * 3600 * 1000)
    expect(alice.node.credential).toBeDefined()
    expect((await verify({ issuer: issuer.peerId })).status).toBe(200)
    const limited = await verify({ issuer: issuer.peerId })
    expect(limited.status).toBe(429)
    expect(limited.body).toMatchObject({ error: 'challenge_rate_limited' })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('an issuer that serves no challenge is 502, a bad peer id 400', async () => {
    const res = await verify({ issuer: plain.peerId })
    expect(res.status).toBe(502)
    expect(res.body).toMatchObject({ error: 'issuer_unavailable' })
    expect((await verify({ issuer: 'nope' })).status).toBe(400)
    expect((await verify({})).status).toBe(400)
  })

  it('maps a wrong or late answer to 422', () => {
    expect(errorResponse(new WrongAnswerError('WRONG_ANSWER', 'task 0'))).toMatchObject({ status: 422, body: { error: 'wrong_answer' } })
    expect(errorResponse(new TooSlowError('TOO_SLOW', ''))).toEqual({ status: 422, body: { error: 'too_slow', detail: 'issuer refused: TOO_SLOW' } })
  })
})
