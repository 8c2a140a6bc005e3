import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Identity, defaultPrimitives, generateSignedPrekey } from '../../../src/crypto/index.js'
import { AGENTMSG_DHT_PROTOCOL, cardRecordType, createAgentLibp2p, namespaceSelector, namespaceValidator } from '../../../src/node/libp2p.js'
import { cardKey, signCard } from '../../../src/protocols/card/index.js'
import type { AgentLibp2p, AgentLibp2pOptions, DhtRecordType } from '../../../src/node/libp2p.js'

const prims = defaultPrimitives()
const running: AgentLibp2p[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => n.stop()))
  await Promise.all(dirs.splice(0).map(async d => rm(d, { recursive: true, force: true })))
})

async function node (options: AgentLibp2pOptions = {}): Promise<AgentLibp2p> {
  const n = await createAgentLibp2p(options)
  running.push(n)
  return n
}

describe('createAgentLibp2p', () => {
  it('listens on loopback TCP and WebSockets by default', async () => {
    const n = await node()
    const addrs = n.getMultiaddrs().map(String)
    expect(addrs.some(a => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//.test(a))).toBe(true)
    expect(addrs.some(a => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//.test(a))).toBe(true)
  })

  it('serves the private DHT protocol only as a DHT server', async () => {
    const server = await node({ dhtServer: true, listen: ['/ip4/127.0.0.1/tcp/0'] })
    const client = await node({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    expect(server.getProtocols()).toContain(AGENTMSG_DHT_PROTOCOL)
    expect(server.getProtocols()).not.toContain('/ipfs/kad/1.0.0')
    expect(client.getProtocols()).not.toContain(AGENTMSG_DHT_PROTOCOL)
    expect(server.services.dht.getMode()).toBe('server')
    expect(client.services.dht.getMode()).toBe('client')
  })

  it('registers record validators and selectors under the agentmsg namespace', async () => {
    const n = await node({ listen: [] })
    // kad-dht picks them by the key's first path component
    expect(Object.keys(n.services.dht.validators)).toEqual(expect.arrayContaining(['pk', 'agentmsg']))
    expect(Object.keys(n.services.dht.selectors)).toEqual(expect.arrayContaining(['pk', 'agentmsg']))
    const alice = Identity.generate(prims)
    const { bytes } = signCard(prims, alice, { name: 'a', signedPrekey: generateSignedPrekey(prims, alice, 1) })
    await expect(Promise.resolve(n.services.dht.validators.agentmsg!(cardKey(alice.peerId), bytes))).resolves.toBeUndefined()
    await expect(Promise.resolve(n.services.dht.validators.agentmsg!(cardKey(Identity.generate(prims).peerId), bytes)))
      .rejects.toMatchObject({ name: 'CardSignatureError' })
  })

  it('keeps its level datastore across a stop and a new node on the same path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentmsg-libp2p-'))
    dirs.push(dir)
    const first = await createAgentLibp2p({ datastorePath: dir, listen: [] })
    const peerId = first.peerId
    await first.peerStore.merge(peerId, { metadata: { probe: new Uint8Array([42]) } })
    await first.stop()
    // the store was closed, so it opens again; what was written is still there
    const second = await node({ datastorePath: dir, listen: [] })
    const peer = await second.peerStore.get(peerId)
    expect([...peer.metadata.get('probe') ?? []]).toEqual([42])
  })

  it('dials a bootstrap peer again when its connection drops', async () => {
    const boot = await node({ dhtServer: true, listen: ['/ip4/127.0.0.1/tcp/0'] })
    const client = await node({ listen: ['/ip4/127.0.0.1/tcp/0'], start: false, bootstrap: [boot.getMultiaddrs()[0]!.toString()], bootstrapOptions: { timeout: 0 } })
    const next = async (event: 'peer:connect' | 'peer:disconnect'): Promise<void> => {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`no ${event} within 10 s`)) }, 10_000)
        client.addEventListener(event, () => { clearTimeout(timer); resolve() }, { once: true })
      })
    }
    const first = next('peer:connect')
    const seenByBoot = new Promise(resolve => { boot.addEventListener('peer:connect', resolve, { once: true }) })
    await client.start()
    await Promise.all([first, seenByBoot])
    // the bootstrap node drops us: we dial it again on our own
    const dropped = next('peer:disconnect')
    const again = next('peer:connect')
    await boot.hangUp(client.peerId)
    await dropped
    await again
    expect(client.getConnections(boot.peerId).length).toBeGreaterThan(0)
  })

  it('restarts on the same node object after a stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentmsg-libp2p-'))
    dirs.push(dir)
    const n = await node({ datastorePath: dir, listen: ['/ip4/127.0.0.1/tcp/0'] })
    await n.stop()
    await n.start()
    expect(n.status).toBe('started')
    await n.peerStore.merge(n.peerId, { metadata: { probe: new Uint8Array([1]) } })
  })
})

describe('agentmsg DHT namespace', () => {
  const calls: string[] = []
  const type = (prefix: string): DhtRecordType => ({
    prefix,
    validate: () => { calls.push(prefix) },
    select: () => { calls.push(prefix); return 0 }
  })
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

  it('dispatches to the record type with the longest matching prefix', async () => {
    calls.length = 0
    const types = [type('/agentmsg/card/'), type('/agentmsg/card/v2/')]
    await namespaceValidator(types)(enc('/agentmsg/card/xyz'), new Uint8Array())
    await namespaceValidator(types)(enc('/agentmsg/card/v2/xyz'), new Uint8Array())
    await namespaceSelector(types)(enc('/agentmsg/card/xyz'), [new Uint8Array()])
    expect(calls).toEqual(['/agentmsg/card/', '/agentmsg/card/v2/', '/agentmsg/card/'])
  })

  it('refuses keys no record type claims', async () => {
    const types = [cardRecordType(prims)]
    await expect(Promise.resolve(namespaceValidator(types)(enc('/agentmsg/relay/x'), new Uint8Array())))
      .rejects.toMatchObject({ name: 'UnknownRecordTypeError' })
    // the bare prefix names no peer
    await expect(Promise.resolve(namespaceValidator(types)(enc('/agentmsg/card/'), new Uint8Array())))
      .rejects.toMatchObject({ name: 'UnknownRecordTypeError' })
  })
})
