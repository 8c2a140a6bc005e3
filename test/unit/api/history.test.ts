/**
 * `POST /v1/history/restore` and `GET /v1/me`'s relays: an agent whose
 * history is archived at its relay comes back on a fresh data dir with the
 * same identity and restores it through the API, as plain JSON and as
 * NDJSON progress lines.
 */
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../../src/api/index.js'
import { createAgentNode } from '../../../src/node/agent-node.js'
import { tempDir, waitFor } from '../../integration/helpers.js'
import { KEY, auth, connect } from './helpers.js'
import type { AgentNode, AgentNodeOptions } from '../../../src/node/agent-node.js'

const running: AgentNode[] = []
afterAll(async () => {
  await Promise.all(running.map(async n => { await n.stop() }))
})

async function node (options: Partial<AgentNodeOptions> = {}): Promise<AgentNode> {
  const n = await createAgentNode({ dataDir: await tempDir(), listen: ['/ip4/127.0.0.1/tcp/0'], dhtServer: true, eventLog: true, discoverRelays: 0, dm: { retryMin: 50, retryMax: 500 }, ...options })
  running.push(n)
  return n
}

describe('history restore over the API', { timeout: 60_000 }, () => {
  it('restores what the relay archived; a second restore skips it; progress as NDJSON', async () => {
    const relay = await node({ relay: true })
    const relays = [relay.addresses.find(a => !a.includes('/ws'))!]
    const aliceDir = await tempDir()
    const alice = await node({ dataDir: aliceDir, relays })
    const bob = await node()
    await connect(bob, alice)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await bob.send(alice.peerId, { type: 'text', content: `note ${i}` })).messageId)
    await waitFor(async () => (await Promise.all(ids.map(async id => await alice.message(id)))).every(m => m != null), { timeout: 30_000 })
    await alice.archiveHistory()
    await alice.stop()

    const fresh = await tempDir()
    await copyFile(join(aliceDir, 'identity'), join(fresh, 'identity'))
    const again = await node({ dataDir: fresh, relays })
    const app = await buildApp({ node: again, apiKey: KEY })
    try {
      const me = await app.inject({ url: '/v1/me', headers: auth })
      expect(me.json()).toMatchObject({ peerId: alice.peerId, relays: [relay.peerId] })
      expect((await app.inject({ url: '/v1/inbox', headers: auth })).json()).toMatchObject({ total: 0 })

      const res = await app.inject({ method: 'POST', url: '/v1/history/restore', headers: auth })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ restored: expect.any(Number), skipped: 0, relays: 1 })
      expect(res.json().restored).toBeGreaterThanOrEqual(3)
      const inbox = (await app.inject({ url: '/v1/inbox?limit=10', headers: auth })).json() as { messages: Array<{ messageId: string }> }
      expect(inbox.messages.map(m => m.messageId).sort()).toEqual([...ids].sort())

      const streamed = await app.inject({ method: 'POST', url: '/v1/history/restore', headers: { ...auth, accept: 'application/x-ndjson' } })
      expect(streamed.statusCode).toBe(200)
      expect(streamed.headers['content-type']).toContain('application/x-ndjson')
      const lines = streamed.body.trim().split('\n').map(l => JSON.parse(l) as Record<string, number>)
      expect(lines.at(-1)).toEqual({ restored: 0, skipped: res.json().restored, relays: 1 })
    } finally {
      await app.close()
    }
  })

  it('without relays: nothing to restore, relays 0', async () => {
    const lonely = await node()
    const app = await buildApp({ node: lonely, apiKey: KEY })
    try {
      const res = await app.inject({ method: 'POST', url: '/v1/history/restore', headers: auth })
      expect(res.json()).toEqual({ restored: 0, skipped: 0, relays: 0 })
      expect((await app.inject({ method: 'POST', url: '/v1/history/restore' })).statusCode).toBe(401)
    } finally {
      await app.close()
    }
  })
})
