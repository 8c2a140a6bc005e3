/**
 * The relay protocol against a real relay node (an agent node with
 * `relay: {...}`, TCP on 127.0.0.1, level in a temp dir) and plain libp2p
 * nodes as its clients, each with a crypto identity for its own key.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { generateSignedPrekey, nativePrimitives as prims } from '../../src/crypto/index.js'
import { Session } from '../../src/crypto/session.js'
import { decodeEnvelope, encodeEnvelope } from '../../src/crypto/envelope.js'
import { RelayClient, RelayFrame, RELAY_FRAME_VERSION, RELAY_PROTOCOL } from '../../src/protocols/relay/index.js'
import { MAX_IN_FLIGHT_REQUESTS, MAX_PENDING_PUSHES } from '../../src/protocols/relay/constants.js'
import { Response } from '../../src/protocols/relay/relay.pb.js'
import { readFrames, writeFrame } from '../../src/protocols/framing.js'
import { signDescriptor } from '../../src/protocols/den/descriptor.js'
import { Agents } from './agents.js'
import { TestNodes, waitFor } from './helpers.js'
import type { AgentNode, RelayNodeOptions } from '../../src/node/agent-node.js'
import type { HeldEnvelope } from '../../src/protocols/relay/index.js'
import type { TestNode } from './helpers.js'

const agents = new Agents()
const nodes = new TestNodes()
afterEach(async () => {
  await nodes.stopAll()
  await agents.stopAll()
})

interface Client {
  node: TestNode
  client: RelayClient
  pushed: HeldEnvelope[]
  /** a fresh session to `to`: each call seals one more envelope */
  sealer(to: TestNode): (size?: number) => Uint8Array
}

async function relayNode (options: RelayNodeOptions = {}, dataDir?: string, listen?: string[]): Promise<AgentNode> {
  return await agents.start({ relay: options, name: 'relay', discoverRelays: 0, ...(dataDir == null ? {} : { dataDir }), ...(listen == null ? {} : { listen }) })
}

async function client (relay: AgentNode): Promise<Client> {
  const node = await nodes.start()
  await node.node.peerStore.merge(relay.libp2p.peerId, { multiaddrs: relay.libp2p.getMultiaddrs() })
  const pushed: HeldEnvelope[] = []
  const relayClient = new RelayClient(node.node.dialProtocol.bind(node.node), relay.libp2p.peerId, { onPush: (held) => { pushed.push(held) } })
  return {
    node,
    client: relayClient,
    pushed,
    sealer (to) {
      const signedPrekey = generateSignedPrekey(prims, to.dir.identity, 1)
      const session = Session.initiate(prims, node.dir.identity, { identityKey: to.dir.identity.publicKey, signedPrekey })
      return (size = 2) => session.sealEnvelope(new Uint8Array(size).fill(104)).bytes
    }
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const hexes = (list: Array<{ envelope: Uint8Array }>): string[] => list.map(h => hex(h.envelope))

function idOf (envelope: Uint8Array): Uint8Array {
  return decodeEnvelope(envelope).id.slice()
}

describe('relay protocol', () => {
  it('holds a deposit for its recipient, who fetches it in order and acks it away', async () => {
    const relay = await relayNode()
    const [mallory, bob] = [await client(relay), await client(relay)]
    const seal = mallory.sealer(bob.node)
    const envelopes = [seal(), seal(), seal()]
    for (const envelope of envelopes) expect(await mallory.client.deposit(envelope)).toMatchObject({ duplicate: false })
    expect(await mallory.client.deposit(envelopes[0]!)).toMatchObject({ duplicate: true })

    const first = await bob.client.fetch(0, 2)
    expect(first.hasMore).toBe(true)
    const rest = await bob.client.fetch(first.held[1]!.seq, 2)
    expect(hexes([...first.held, ...rest.held])).toEqual(envelopes.map(hex))
    expect(rest.hasMore).toBe(false)

    expect(await bob.client.ack([idOf(envelopes[0]!), idOf(envelopes[1]!)])).toBe(2)
    expect(hexes((await bob.client.fetch()).held)).toEqual([hex(envelopes[2]!)])
    // the depositor's own mailbox is its own: empty
    expect((await mallory.client.fetch()).held).toEqual([])
  })

  it('refuses anyone but the recipient, alike whether or not the mailbox exists, and keeps the mail intact', async () => {
    const relay = await relayNode()
    const [mallory, bob, carol] = [await client(relay), await client(relay), await client(relay)]
    const envelope = mallory.sealer(bob.node)()
    await mallory.client.deposit(envelope)
    const bobBytes = bob.node.peerId.toMultihash().bytes
    const nobody = (await nodes.start()).peerId.toMultihash().bytes

    for (const mailbox of [bobBytes, nobody]) {
      for (const request of [{ fetch: { after: 0n, limit: 10, mailbox } }, { ack: { ids: [idOf(envelope)], mailbox } }, { subscribe: { mailbox } }]) {
        await expect(carol.client.request(request)).rejects.toMatchObject({ name: 'RelayRefusedError', refusal: 'NOT_AUTHORIZED', message: 'relay refused: NOT_AUTHORIZED (a mailbox is read only by its owner)' })
      }
    }
    // an ack on its own connection only ever reaches carol's own (empty) mailbox
    expect(await carol.client.ack([idOf(envelope)])).toBe(0)
    expect(hexes((await bob.client.fetch()).held)).toEqual([hex(envelope)])
  })

  it('refuses forged, re-signed, oversize, undecodable and third-party deposits', async () => {
    const relay = await relayNode()
    const [mallory, bob, carol] = [await client(relay), await client(relay), await client(relay)]
    const genuine = mallory.sealer(bob.node)()

    const tampered = genuine.slice()
    tampered[tampered.length - 70]! ^= 1
    const resigned = decodeEnvelope(genuine.slice())
    resigned.signature = new Uint8Array(carol.node.dir.identity.sign(prims, new Uint8Array(32)))
    const claimed = decodeEnvelope(genuine.slice())
    claimed.from = new Uint8Array(carol.node.peerId.toMultihash().bytes)

    await expect(mallory.client.deposit(tampered)).rejects.toMatchObject({ refusal: 'BAD_SIGNATURE' })
    await expect(mallory.client.deposit(encodeEnvelope(resigned))).rejects.toMatchObject({ refusal: 'BAD_SIGNATURE' })
    await expect(carol.client.deposit(encodeEnvelope(claimed))).rejects.toMatchObject({ refusal: 'BAD_SIGNATURE' })
    await expect(carol.client.deposit(genuine)).rejects.toMatchObject({ refusal: 'NOT_AUTHOR' })
    await expect(mallory.client.deposit(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ refusal: 'BAD_ENVELOPE' })
    await expect(mallory.client.deposit(new Uint8Array(64 * 1024 + 1))).rejects.toMatchObject({ refusal: 'TOO_LARGE' })
    expect((await bob.client.fetch()).held).toEqual([])
  })

  it('refuses a sender over its deposit rate with a retry time, and a full mailbox, keeping earlier mail', async () => {
    const relay = await relayNode({ depositsPerMinute: 3, maxEnvelopes: 4 })
    const [mallory, dave, bob] = [await client(relay), await client(relay), await client(relay)]
    const fromMallory = mallory.sealer(bob.node)
    const fromDave = dave.sealer(bob.node)
    const held = [fromMallory(), fromMallory(), fromMallory()]
    for (const envelope of held) await mallory.client.deposit(envelope)
    const limited = await mallory.client.deposit(fromMallory()).catch((err: unknown) => err)
    expect(limited).toMatchObject({ name: 'RelayRefusedError', refusal: 'RATE_LIMITED' })
    // the bucket refills 3 per minute: one token in 20 s
    expect((limited as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(15_000)
    expect((limited as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(20_000)

    held.push(fromDave())
    await dave.client.deposit(held[3]!)
    await expect(dave.client.deposit(fromDave())).rejects.toMatchObject({ refusal: 'MAILBOX_FULL' })
    expect(hexes((await bob.client.fetch()).held)).toEqual(held.map(hex))
  })

  it('pushes new deposits to a subscribed recipient', async () => {
    const relay = await relayNode()
    const [mallory, bob] = [await client(relay), await client(relay)]
    await bob.client.subscribe()
    const seal = mallory.sealer(bob.node)
    const envelopes = [seal(), seal()]
    for (const envelope of envelopes) await mallory.client.deposit(envelope)
    await waitFor(() => bob.pushed.length === 2)
    expect(hexes(bob.pushed)).toEqual(envelopes.map(hex))
    expect(bob.pushed[1]!.seq).toBeGreaterThan(bob.pushed[0]!.seq)
  })

  it('loses nothing across a relay restart', async () => {
    const first = await relayNode()
    const [mallory, bob] = [await client(first), await client(first)]
    const envelope = mallory.sealer(bob.node)()
    await mallory.client.deposit(envelope)
    const dataDir = first.dataDir
    const listen = first.libp2p.getMultiaddrs().map(a => a.decapsulateCode(421).toString())
    await agents.stop(first)

    const again = await relayNode({}, dataDir, listen)
    expect(again.peerId).toBe(first.peerId)
    const reader = new RelayClient(bob.node.node.dialProtocol.bind(bob.node.node), again.libp2p.peerId)
    await waitFor(async () => (await reader.fetch().then(p => p.held.length, () => 0)) === 1)
    expect(hexes((await reader.fetch()).held)).toEqual([hex(envelope)])
  })

  it(`resets a subscriber that stops reading once ${MAX_PENDING_PUSHES} pushes wait, and keeps its mail for a fetch`, async () => {
    const relay = await relayNode({ depositsPerMinute: 1_000_000 })
    const [mallory, bob] = [await client(relay), await client(relay)]
    // bob subscribes on a stream of its own and stops reading it: yamux stops granting the relay window
    const stream = await bob.node.node.dialProtocol(relay.libp2p.peerId, RELAY_PROTOCOL)
    stream.maxReadBufferLength = 64 * 1024 * 1024
    await writeFrame(stream, RelayFrame.encode({ version: RELAY_FRAME_VERSION, id: 1, subscribe: { mailbox: new Uint8Array(0) } }))
    stream.pause()
    const closed = new Promise<void>(resolve => { stream.addEventListener('close', () => { resolve() }, { once: true }) })

    // 2 KB envelopes: ~128 fill the 256 KiB window, then the pushes queue at the relay
    const seal = mallory.sealer(bob.node)
    const sent: string[] = []
    let reset = false
    void closed.then(() => { reset = true })
    for (let i = 0; i < 3_000 && !reset; i++) {
      const envelope = seal(2_000)
      await mallory.client.deposit(envelope)
      sent.push(hex(envelope))
    }
    await closed
    // it took more than the bound to get there, and not everything was pushed
    expect(sent.length).toBeGreaterThan(MAX_PENDING_PUSHES)
    expect(relay.libp2p.services.relay!.stats.pushes).toBeLessThan(sent.length)
    // nothing was lost: a fetch has every deposit, in order
    const fetched: string[] = []
    for (let after = 0; ;) {
      const page = await bob.client.fetch(after, 1000)
      fetched.push(...hexes(page.held))
      if (!page.hasMore) break
      after = page.held.at(-1)!.seq
    }
    expect(fetched).toEqual(sent)
  })

  it(`keeps at most ${MAX_IN_FLIGHT_REQUESTS} requests in flight on a relay stream; the next waits for an answer`, async () => {
    // a relay that reads requests and answers only when told
    const fake = await nodes.start()
    const frames: RelayFrame[] = []
    let answer: ((id: number) => Promise<void>) | undefined
    await fake.node.handle(RELAY_PROTOCOL, (stream) => {
      answer = async (id) => { await writeFrame(stream, RelayFrame.encode({ version: RELAY_FRAME_VERSION, id, response: { refusal: Response.Refusal.NONE, removed: 0 } as Partial<Response> as Response })) }
      void (async () => { for await (const bytes of readFrames(stream, { maxLength: 1024 })) frames.push(RelayFrame.decode(bytes)) })().catch(() => {})
    })
    const agent = await nodes.start()
    await agent.node.peerStore.merge(fake.peerId, { multiaddrs: fake.node.getMultiaddrs() })
    const relayClient = new RelayClient(agent.node.dialProtocol.bind(agent.node), fake.peerId, { requestTimeout: 60_000 })
    const acks = Array.from({ length: MAX_IN_FLIGHT_REQUESTS + 2 }, async () => await relayClient.ack([new Uint8Array(16)]))
    await waitFor(() => frames.length === MAX_IN_FLIGHT_REQUESTS)
    // an answer lets exactly one more out
    await answer!(frames[0]!.id)
    await waitFor(() => frames.length === MAX_IN_FLIGHT_REQUESTS + 1)
    expect(await acks[0]).toBe(0)
    for (const frame of frames.slice(1)) await answer!(frame.id)
    await waitFor(() => frames.length === MAX_IN_FLIGHT_REQUESTS + 2)
    await answer!(frames.at(-1)!.id)
    expect(await Promise.all(acks)).toHaveLength(MAX_IN_FLIGHT_REQUESTS + 2)
    // closing fails what is in flight and what waits for a slot alike
    const stuck = Array.from({ length: MAX_IN_FLIGHT_REQUESTS + 1 }, async () => await relayClient.ack([new Uint8Array(16)]).catch((err: Error) => err.name))
    await waitFor(() => frames.length === 2 * MAX_IN_FLIGHT_REQUESTS + 2)
    relayClient.close()
    expect(new Set(await Promise.all(stuck))).toEqual(new Set(['RelayUnavailableError']))
  })

  it('limits history-archive reads per agent and tells it when to come back', async () => {
    const relay = await relayNode({ historyReadsPerMinute: 2 })
    const [bob, carol] = [await client(relay), await client(relay)]
    await bob.client.archivePut([{ key: new Uint8Array(16).fill(1), blob: new Uint8Array(32).fill(7) }])
    expect((await bob.client.archiveList()).entries).toHaveLength(1)
    expect((await bob.client.archiveList()).entries).toHaveLength(1)
    const refused = await bob.client.archiveList().catch((err: unknown) => err)
    expect(refused).toMatchObject({ name: 'RelayRefusedError', refusal: 'RATE_LIMITED' })
    // two a minute: one more in 30 s
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(29_000)
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(30_000)
    // each agent has its own budget
    expect((await carol.client.archiveList()).entries).toEqual([])
  })

  it('resets a stream that breaks the frame rules and keeps serving others', async () => {
    const relay = await relayNode()
    const [mallory, bob] = [await client(relay), await client(relay)]
    const stream = await mallory.node.node.dialProtocol(relay.libp2p.peerId, RELAY_PROTOCOL)
    await writeFrame(stream, RelayFrame.encode({ version: RELAY_FRAME_VERSION + 1, id: 1, fetch: { after: 0n, limit: 1, mailbox: new Uint8Array(0) } }))
    await waitFor(() => stream.status !== 'open')
    const stream2 = await mallory.node.node.dialProtocol(relay.libp2p.peerId, RELAY_PROTOCOL)
    await writeFrame(stream2, RelayFrame.encode({ version: RELAY_FRAME_VERSION, id: 1, fetch: { after: 0n, limit: 1, mailbox: new Uint8Array(0) }, ack: { ids: [], mailbox: new Uint8Array(0) } }))
    await waitFor(() => stream2.status !== 'open')
    expect(relay.libp2p.services.relay!.stats.rejectedFrames).toBe(2)
    expect((await bob.client.fetch()).held).toEqual([])
  })

  it('keeps a den for a member, refuses a non-member of a private den and a forged descriptor', async () => {
    const relay = await relayNode()
    const [owner, member, outsider] = [await client(relay), await client(relay), await client(relay)]
    const den = signDescriptor(prims, owner.node.dir.identity, { slug: 'kept', title: 'Kept', kind: 'private', members: [member.node.peerId.toString()] })
    await member.client.hostDen(den.bytes, new Uint8Array(0))
    expect((await relay.dens.get(den.id))?.hosted).toBe(true)
    await expect(outsider.client.hostDen(den.bytes, new Uint8Array(0))).rejects.toMatchObject({ refusal: 'NOT_AUTHORIZED' })
    const forged = den.bytes.slice()
    forged[forged.length - 1]! ^= 1
    await expect(member.client.hostDen(forged, new Uint8Array(0))).rejects.toMatchObject({ refusal: 'BAD_REQUEST' })
  })

  it('keeps at most maxHostedDens dens; a den it keeps is still taken again', async () => {
    const relay = await relayNode({ maxHostedDens: 2 })
    const owner = await client(relay)
    const dens = ['one', 'two', 'three'].map(slug => signDescriptor(prims, owner.node.dir.identity, { slug, title: slug, kind: 'public' }))
    await owner.client.hostDen(dens[0]!.bytes, new Uint8Array(0))
    await owner.client.hostDen(dens[1]!.bytes, new Uint8Array(0))
    await expect(owner.client.hostDen(dens[2]!.bytes, new Uint8Array(0))).rejects.toMatchObject({ refusal: 'BAD_REQUEST', message: expect.stringContaining('at most 2 dens') })
    expect((await relay.dens.get(dens[2]!.id))?.hosted).not.toBe(true)
    await owner.client.hostDen(dens[0]!.bytes, new Uint8Array(0))
  })

  it('stops a page at 1 MiB of envelopes, however many were asked for, and says there is more', async () => {
    const relay = await relayNode()
    const [mallory, bob] = [await client(relay), await client(relay)]
    const seal = mallory.sealer(bob.node)
    const envelopes = Array.from({ length: 20 }, () => seal(60 * 1024))
    for (const envelope of envelopes) await mallory.client.deposit(envelope)
    const first = await bob.client.fetch(0, 100)
    expect(first.hasMore).toBe(true)
    expect(first.held.length).toBeLessThan(20)
    expect(first.held.reduce((n, h) => n + h.envelope.length, 0)).toBeLessThanOrEqual(1024 * 1024)
    const rest = await bob.client.fetch(first.held.at(-1)!.seq, 100)
    expect(rest.hasMore).toBe(false)
    expect(hexes([...first.held, ...rest.held])).toEqual(envelopes.map(hex))
  })
})
