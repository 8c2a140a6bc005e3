import { streamPair } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Identity, defaultPrimitives, generateOneTimePrekeys, generateSignedPrekey } from '../../../../src/crypto/index.js'
import { encodeLength, writeFrame } from '../../../../src/protocols/framing.js'
import { CardResponse, MAX_CARD_RESPONSE_BYTES, cardPeerId, cardService, signCard } from '../../../../src/protocols/card/index.js'
import type { OneTimePrekeyPublic } from '../../../../src/crypto/index.js'
import type { CardCache, CardService, CardServiceComponents, CardServiceInit } from '../../../../src/protocols/card/index.js'
import type { PeerId, Startable, StreamHandler } from '@libp2p/interface'

const prims = defaultPrimitives()

/** A pretend network: card handlers by peer, a DHT as a map, who is connected. */
class FakeNetwork {
  readonly handlers = new Map<string, StreamHandler>()
  readonly dht = new Map<string, Uint8Array>()
  readonly connected = new Set<string>()
  dhtAvailable = true
  dhtGets = 0

  components (peerId: PeerId): CardServiceComponents {
    const keyOf = (key: Uint8Array): string => Buffer.from(key).toString('hex')
    return {
      peerId,
      registrar: {
        handle: async (_protocol, handler) => { this.handlers.set(peerId.toString(), handler as StreamHandler) },
        unhandle: async () => { this.handlers.delete(peerId.toString()) }
      },
      connectionManager: {
        getConnections: ((peer?: PeerId) => this.connected.has(`${peerId}>${peer}`) ? [{}] : []) as never,
        openStream: (async (peer: PeerId) => {
          const handler = this.handlers.get(peer.toString())
          if (handler == null) throw new Error('unreachable peer')
          const [outbound, inbound] = await streamPair()
          void handler(inbound, { remotePeer: peerId } as never)
          return outbound
        }) as never
      },
      contentRouting: {
        get: async () => { throw new Error('not used') },
        put: async () => { throw new Error('not used') }
      },
      peerRouting: {
        findPeer: async (id: PeerId) => ({ id, multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001')] })
      },
      dht: {
        put: (async function * (this: FakeNetwork, key: Uint8Array, value: Uint8Array) {
          if (!this.dhtAvailable) return
          this.dht.set(keyOf(key), value)
          yield { name: 'PEER_RESPONSE', messageName: 'PUT_VALUE', record: { key, value } }
        }).bind(this) as never,
        get: (async function * (this: FakeNetwork, key: Uint8Array) {
          this.dhtGets++
          if (!this.dhtAvailable) throw new Error('dht unreachable')
          const value = this.dht.get(keyOf(key))
          if (value != null) yield { name: 'PEER_RESPONSE', messageName: 'GET_VALUE', record: { key, value } }
        }).bind(this) as never
      }
    }
  }
}

interface Agent {
  identity: Identity
  peerId: PeerId
  service: CardService & Startable
  publish(extra?: { seq?: number, name?: string }): Promise<Uint8Array>
}

const started: Startable[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map(async s => s.stop()))
})

async function agent (net: FakeNetwork, init: CardServiceInit = {}): Promise<Agent> {
  const identity = Identity.generate(prims)
  const peerId = cardPeerId({ peerId: identity.peerId })
  const service = cardService({ identity, ...init })(net.components(peerId)) as CardService & Startable
  await service.start()
  started.push(service)
  const signedPrekey = generateSignedPrekey(prims, identity, 1)
  return {
    identity,
    peerId,
    service,
    async publish (extra = {}) {
      const { bytes } = signCard(prims, identity, { name: extra.name ?? 'agent', signedPrekey, seq: extra.seq })
      await service.publish(bytes)
      return bytes
    }
  }
}

describe('card service', () => {
  it('publishes to the DHT and resolves from it, with addresses', async () => {
    const net = new FakeNetwork()
    const a = await agent(net)
    const b = await agent(net)
    const bytes = await a.publish()
    const got = await b.service.resolve(a.peerId)
    expect(got.source).toBe('dht')
    expect(got.bytes).toEqual(bytes)
    expect(got.card.name).toBe('agent')
    expect(got.addrs.map(String)).toEqual(['/ip4/127.0.0.1/tcp/4001'])
  })

  it('answers from a fresh cache without asking the network', async () => {
    const net = new FakeNetwork()
    const a = await agent(net)
    const b = await agent(net)
    await a.publish()
    await b.service.resolve(a.peerId)
    const gets = net.dhtGets
    const again = await b.service.resolve(a.peerId)
    expect(again.source).toBe('cache')
    expect(net.dhtGets).toBe(gets)
  })

  it('falls back to the peer itself when connected, then to a stale cached copy', async () => {
    const net = new FakeNetwork()
    const a = await agent(net)
    const b = await agent(net, { cacheTtl: 0 })
    await a.publish()
    await b.service.resolve(a.peerId)

    net.dhtAvailable = false
    net.connected.add(`${b.peerId}>${a.peerId}`)
    expect((await b.service.resolve(a.peerId)).source).toBe('direct')

    net.connected.clear()
    const stale = await b.service.resolve(a.peerId)
    expect(stale.source).toBe('stale-cache')
    expect(stale.card.name).toBe('agent')
  })

  it('throws CardNotFoundError when nothing has the card', async () => {
    const net = new FakeNetwork()
    const a = await agent(net)
    const b = await agent(net)
    await expect(b.service.resolve(a.peerId)).rejects.toMatchObject({ name: 'CardNotFoundError' })
  })

  it('keeps the newer of a stale cached copy and an older DHT record', async () => {
    const net = new FakeNetwork()
    const a = await agent(net)
    const b = await agent(net, { cacheTtl: 0 })
    const old = await a.publish({ seq: 1, name: 'old' })
    await a.publish({ seq: 2, name: 'new' })
    await b.service.resolve(a.peerId)
    // someone replays the old record into the DHT
    net.dht.set([...net.dht.keys()][0]!, old)
    const got = await b.service.resolve(a.peerId)
    expect(got.card.name).toBe('new')
  })

  it('refuses to publish an older card or somebody else\'s', async () => {
    const net = new FakeNetwork()
    const a = await agent(net)
    const b = await agent(net)
    await a.publish({ seq: 5 })
    await expect(a.publish({ seq: 4 })).rejects.toMatchObject({ name: 'CardEncodingError' })
    const foreign = await b.publish()
    await expect(a.service.publish(foreign)).rejects.toMatchObject({ name: 'CardSignatureError' })
  })

  it('reports a publish that reached no DHT peer', async () => {
    const net = new FakeNetwork()
    net.dhtAvailable = false
    const a = await agent(net)
    await expect(a.publish()).rejects.toMatchObject({ name: 'CardPublishError' })
    // still served on the card protocol
    expect(a.service.card?.card.name).toBe('agent')
  })

  it('republishes on its timer, re-signed with a fresh issuedAt and the same seq', async () => {
    const net = new FakeNetwork()
    const a = await agent(net, { republishInterval: 20 })
    const bytes = await a.publish({ seq: 7 })
    const first = a.service.card!.card
    await vi.waitFor(() => { expect(a.service.card!.card.issuedAt).toBeGreaterThan(first.issuedAt) }, { timeout: 5_000, interval: 10 })
    const [stored] = [...net.dht.values()]
    expect(stored).not.toEqual(bytes)
    const b = await agent(net)
    const got = await b.service.resolve(a.peerId)
    expect(got.card.seq).toBe(7)
    expect(got.card.issuedAt).toBeGreaterThan(first.issuedAt)
  })

  it('retries a failed publish', async () => {
    const net = new FakeNetwork()
    net.dhtAvailable = false
    const a = await agent(net, { publishRetryInterval: 20 })
    await expect(a.publish()).rejects.toMatchObject({ name: 'CardPublishError' })
    net.dhtAvailable = true
    await vi.waitFor(() => { expect(net.dht.size).toBe(1) }, { timeout: 5_000, interval: 10 })
  })

  it('hands each one-time prekey out once over the card protocol', async () => {
    const net = new FakeNetwork()
    const pool: OneTimePrekeyPublic[] = generateOneTimePrekeys(prims, 10, 2).map(k => ({ id: k.id, publicKey: k.publicKey }))
    const askedBy: string[] = []
    const a = await agent(net, {
      takeOneTimePrekey: async (peer) => { askedBy.push(peer.toString()); return pool.shift() }
    })
    const b = await agent(net)
    await a.publish()
    const first = await b.service.fetchDirect(a.peerId)
    const second = await b.service.fetchDirect(a.peerId)
    const third = await b.service.fetchDirect(a.peerId)
    expect(first.card.name).toBe('agent')
    expect(first.oneTimePrekey?.id).toBe(10)
    expect(second.oneTimePrekey?.id).toBe(11)
    expect(third.oneTimePrekey).toBeUndefined()
    expect(askedBy).toEqual([b.peerId.toString(), b.peerId.toString(), b.peerId.toString()])
  })

  it('refuses a card response for another peer', async () => {
    const net = new FakeNetwork()
    const a = await agent(net)
    const b = await agent(net)
    const c = await agent(net)
    await c.publish()
    // a serves c's card
    net.handlers.set(a.peerId.toString(), async (stream) => {
      await writeFrame(stream, CardResponse.encode({ version: 1, card: c.service.card!.bytes.slice() }))
      await stream.close()
    })
    await expect(b.service.fetchDirect(a.peerId)).rejects.toMatchObject({ name: 'CardSignatureError' })
  })

  it('refuses an oversize response frame before reading it', async () => {
    const net = new FakeNetwork()
    const a = await agent(net)
    const b = await agent(net)
    net.handlers.set(a.peerId.toString(), async (stream) => {
      stream.send(encodeLength(MAX_CARD_RESPONSE_BYTES + 1))
    })
    await expect(b.service.fetchDirect(a.peerId)).rejects.toMatchObject({ name: 'FrameTooLargeError' })
  })

  it('times out a peer that never answers', async () => {
    const net = new FakeNetwork()
    const a = await agent(net)
    const b = await agent(net, { fetchTimeout: 100 })
    net.handlers.set(a.peerId.toString(), async () => {})
    await expect(b.service.fetchDirect(a.peerId)).rejects.toThrow()
  })

  it('reads and fills a persistent cache, verifying what it reads', async () => {
    const net = new FakeNetwork()
    const store = new Map<string, { bytes: Uint8Array, fetchedAt: number }>()
    const cache: CardCache = {
      get: (peer) => store.get(peer.toString()),
      put: (peer, entry) => { store.set(peer.toString(), entry) }
    }
    const a = await agent(net)
    const b = await agent(net, { cache })
    const bytes = await a.publish()
    await b.service.resolve(a.peerId)
    expect(store.get(a.peerId.toString())?.bytes).toEqual(bytes)

    // a fresh service with the same store finds it without the network
    const b2 = cardService({ cache })(net.components(b.peerId)) as CardService & Startable
    await b2.start()
    started.push(b2)
    net.dhtAvailable = false
    expect((await b2.resolve(a.peerId)).source).toBe('cache')

    // a corrupted entry is ignored
    store.set(a.peerId.toString(), { bytes: bytes.slice(0, 10), fetchedAt: Date.now() })
    const b3 = cardService({ cache })(net.components(b.peerId)) as CardService & Startable
    await b3.start()
    started.push(b3)
    await expect(b3.resolve(a.peerId)).rejects.toMatchObject({ name: 'CardNotFoundError' })
  })
})
