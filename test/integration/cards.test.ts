import { afterEach, describe, expect, it } from 'vitest'
import { defaultPrimitives, generateOneTimePrekeys, generateSignedPrekey } from '../../src/crypto/index.js'
import { cardService, signCard } from '../../src/protocols/card/index.js'
import { TestNodes, waitFor } from './helpers.js'
import type { OneTimePrekeyPublic } from '../../src/crypto/index.js'
import type { DataDir } from '../../src/node/data-dir.js'
import type { CardService, CardServiceInit } from '../../src/protocols/card/index.js'
import type { TestNode, TestNodeOptions } from './helpers.js'

const prims = defaultPrimitives()

type CardServices = { card: CardService }

describe('agent cards on a real network', { timeout: 60_000 }, () => {
  const nodes = new TestNodes()
  afterEach(async () => { await nodes.stopAll() })

  async function startAgent (boot: Pick<TestNode, 'tcpAddr'>, init: CardServiceInit = {}, options: TestNodeOptions<CardServices> = {}): Promise<TestNode<CardServices>> {
    return nodes.start<CardServices>({
      bootstrap: [boot.tcpAddr],
      services: (dir) => ({ card: cardService({ identity: dir.identity, ...init }) }),
      ...options
    })
  }

  function cardOf (dir: DataDir, name: string): Uint8Array {
    return signCard(prims, dir.identity, {
      name,
      description: `${name} test agent`,
      signedPrekey: generateSignedPrekey(prims, dir.identity, 1),
      inboxPolicy: 'open',
      skills: [{ id: 'echo', name: 'Echo', tags: ['test'] }]
    }).bytes
  }

  it('three agents find each other\'s cards and addresses through the DHT alone', async () => {
    const boot = await nodes.start({ dhtServer: true })
    const agents = await nodes.spawn<CardServices>(3, {
      bootstrap: [boot.tcpAddr],
      services: (dir) => ({ card: cardService({ identity: dir.identity }) })
    })

    const published = await Promise.all(agents.map(async (a, i) => a.node.services.card.publish(cardOf(a.dir, `agent-${i}`))))
    for (const result of published) expect(result.peers).toBeGreaterThanOrEqual(1)

    // each agent knows only the bootstrap so far
    for (const a of agents) {
      for (const b of agents) {
        if (a !== b) expect(a.node.getConnections(b.peerId)).toHaveLength(0)
      }
    }

    for (const [i, a] of agents.entries()) {
      for (const [j, b] of agents.entries()) {
        if (i === j) continue
        const resolved = await a.node.services.card.resolve(b.peerId, { sources: ['dht'], signal: AbortSignal.timeout(20_000) })
        expect(resolved.source).toBe('dht')
        expect(resolved.card.name).toBe(`agent-${j}`)
        expect(Uint8Array.from(resolved.card.peerId)).toEqual(b.dir.identity.peerId)
        // the addresses came from the bootstrap's answer to findPeer
        const tcp = b.tcpAddr.replace(`/p2p/${b.peerId}`, '')
        expect(resolved.addrs.map(String)).toContain(tcp)
      }
    }

    // and they are good for dialling
    const [a, b] = agents as [TestNode<CardServices>, TestNode<CardServices>]
    const { addrs } = await a.node.services.card.resolve(b.peerId, { sources: ['dht'] })
    await a.node.hangUp(b.peerId)
    const conn = await a.node.dial(addrs[0]!.encapsulate(`/p2p/${b.peerId}`), { signal: AbortSignal.timeout(5_000) })
    expect(conn.remotePeer.equals(b.peerId)).toBe(true)
  })

  it('serves the card on /agentmsg/card/1.0.0 and hands each one-time prekey out once', async () => {
    const boot = await nodes.start({ dhtServer: true })
    const pool: OneTimePrekeyPublic[] = generateOneTimePrekeys(prims, 1, 2).map(k => ({ id: k.id, publicKey: k.publicKey }))
    const alice = await startAgent(boot, { takeOneTimePrekey: async () => pool.shift() })
    const bob = await startAgent(boot)
    await alice.node.services.card.publish(cardOf(alice.dir, 'alice'))

    await bob.node.dial(alice.node.getMultiaddrs()[0]!)
    const first = await bob.node.services.card.fetchDirect(alice.peerId)
    const second = await bob.node.services.card.fetchDirect(alice.peerId)
    const third = await bob.node.services.card.fetchDirect(alice.peerId)
    expect(first.card.name).toBe('alice')
    expect([first.oneTimePrekey?.id, second.oneTimePrekey?.id, third.oneTimePrekey]).toEqual([1, 2, undefined])
    expect(first.oneTimePrekey?.publicKey).toHaveLength(32)

    // with the DHT path left out, a connected peer is asked directly
    const direct = await bob.node.services.card.resolve(alice.peerId, { sources: ['direct'] })
    expect(direct.source).toBe('direct')
  })

  it('a restarted node keeps its PeerId, and the bootstrap still holds the records', async () => {
    const boot = await nodes.start({ dhtServer: true })
    const alice = await startAgent(boot)
    await alice.node.services.card.publish(cardOf(alice.dir, 'alice'))

    // everything goes down; alice stays down
    await nodes.stop(alice)
    await nodes.stop(boot)

    const boot2 = await nodes.start({ dhtServer: true, dataDir: boot.dir.path })
    expect(boot2.peerId.equals(boot.peerId)).toBe(true)

    // a newcomer that never met alice finds her card in the restarted bootstrap's datastore
    const carol = await startAgent(boot2)
    const resolved = await waitFor(async () => carol.node.services.card.resolve(alice.peerId, {
      sources: ['dht'],
      findAddrs: false,
      signal: AbortSignal.timeout(5_000)
    }), { timeout: 20_000, message: 'alice\'s card from the restarted bootstrap' })
    expect(resolved.source).toBe('dht')
    expect(resolved.card.name).toBe('alice')

    // and alice comes back as herself
    const alice2 = await startAgent(boot2, {}, { dataDir: alice.dir.path })
    expect(alice2.peerId.equals(alice.peerId)).toBe(true)
    expect(alice2.dir.identity.peerId).toEqual(alice.dir.identity.peerId)
  })

  it('keeps blocked peers out', async () => {
    const blocked = new Set<string>()
    const boot = await nodes.start({ dhtServer: true })
    const alice = await startAgent(boot, {}, { isBlocked: (peer) => blocked.has(peer.toString()) })
    const mallory = await startAgent(boot)
    await alice.node.services.card.publish(cardOf(alice.dir, 'alice'))
    blocked.add(mallory.peerId.toString())

    // alice will not dial mallory
    await expect(alice.node.dial(mallory.peerId)).rejects.toThrow()
    // mallory's Noise handshake completes on his side before alice learns who he
    // is, so his dial may resolve; alice then drops the connection and serves nothing
    await mallory.node.dial(alice.node.getMultiaddrs()[0]!).catch(() => {})
    await expect(mallory.node.services.card.fetchDirect(alice.peerId, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
    await waitFor(() => alice.node.getConnections(mallory.peerId).length === 0 && mallory.node.getConnections(alice.peerId).length === 0, {
      message: 'no connection between alice and mallory'
    })
  })
})
