/**
 * A hostile peer on the DM protocol: real nodes on loopback TCP with real
 * level stores. Mallory is a bare libp2p node (the agentmsg defaults, no DM
 * service of its own) that opens raw streams to Bob's `/agentmsg/dm/1.0.0`
 * and writes bytes by hand. Frame-level garbage must reset the stream;
 * well-framed but bad envelopes must be answered with an Ack REJECTED; in no
 * case may anything be stored, and Bob must go on serving Alice.
 */
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { afterEach, describe, expect, it } from 'vitest'
import {
  Session, SignatureError, decodeEnvelope, defaultPrimitives, encodeEnvelope, publicKeyFromPeerIdBytes, verifyEnvelope
} from '../../src/crypto/index.js'
import { conversationId } from '../../src/node/conversation-id.js'
import { encodeBody, validateBody } from '../../src/protocols/dm/body.js'
import { Body, Receipt } from '../../src/protocols/dm/body.pb.js'
import { DM_FRAME_VERSION, DM_PROTOCOL, MAX_FRAME_BYTES } from '../../src/protocols/dm/constants.js'
import { Ack, DmFrame } from '../../src/protocols/dm/dm.pb.js'
import { concatBytes } from '../../src/crypto/bytes.js'
import { encodeLength } from '../../src/protocols/framing.js'
import { Agents } from './agents.js'
import { TestNodes, waitFor } from './helpers.js'
import type { StatusChange } from '../../src/node/agent-node.js'
import type { MessageRecord } from '../../src/store/index.js'
import type { TestNode } from './helpers.js'
import type { Stream, StreamCloseEvent } from '@libp2p/interface'

const prims = defaultPrimitives()
const agents = new Agents()
const { start } = agents
const rawNodes = new TestNodes()

afterEach(async () => {
  await rawNodes.stopAll()
  await agents.stopAll()
})

function lengthPrefixed (body: Uint8Array): Uint8Array {
  return concatBytes(encodeLength(body.length), body)
}

function frame (version: number, envelope: Uint8Array): Uint8Array {
  return lengthPrefixed(DmFrame.encode({ version, envelope } as DmFrame))
}

/** A raw stream Mallory opened, with everything Bob wrote back decoded as DM frames. */
interface RawStream {
  stream: Stream
  frames: DmFrame[]
  /** resolves with the stream's 'close' event; rejects if it has not closed within `timeout` */
  closed(name: string, timeout?: number): Promise<StreamCloseEvent | undefined>
}

async function openRaw (mallory: TestNode, bobAddr: string): Promise<RawStream> {
  const stream = await mallory.node.dialProtocol(multiaddr(bobAddr), DM_PROTOCOL, { signal: AbortSignal.timeout(5_000) })
  let closeEvent: StreamCloseEvent | undefined
  let isClosed = false
  const waiters: Array<() => void> = []
  stream.addEventListener('close', (evt) => {
    closeEvent = evt
    isClosed = true
    for (const wake of waiters.splice(0)) wake()
  })
  const frames: DmFrame[] = []
  const decoder = new LengthPrefixedDecoder()
  // read whatever Bob answers until the stream ends; a reset ends the loop with an error
  void (async () => {
    for await (const chunk of stream) {
      for (const data of decoder.decode(chunk)) frames.push(DmFrame.decode(data.subarray()))
    }
  })().catch(() => {})
  return {
    stream,
    frames,
    closed: async (name, timeout = 5_000) => {
      if (isClosed) return closeEvent
      return await new Promise<StreamCloseEvent | undefined>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`${name}: stream still ${stream.status} after ${timeout} ms (our read end ${stream.readStatus}, write end ${stream.writeStatus})`))
        }, timeout)
        waiters.push(() => { clearTimeout(timer); resolve(closeEvent) })
      })
    }
  }
}

describe('DM protocol under attack', { timeout: 60_000 }, () => {
  it('Garbage, truncated, oversize and wrong-version frames on the DM protocol: the stream is reset, nothing crashes, nothing is stored, the next honest message goes through', async () => {
    const boot = await start({ dhtServer: true, name: 'bootstrap' })
    const bootstrap = [boot.addresses.find(a => !a.includes('/ws'))!]
    const [bob, alice, mallory] = await Promise.all([
      start({ bootstrap, name: 'bob' }),
      start({ bootstrap, name: 'alice' }),
      rawNodes.start()
    ])
    const bobAddr = bob.addresses.find(a => !a.includes('/ws'))!
    const resolved = await waitFor(async () => await alice.getCard(bob.peerId).catch(() => undefined), { timeout: 15_000, message: 'alice resolves bob\'s card' })
    const bobCard = resolved.card
    const bobPublic = { peerId: Uint8Array.from(bobCard.peerId), publicKey: publicKeyFromPeerIdBytes(bobCard.peerId) }

    const received: MessageRecord[] = []
    bob.addEventListener('message.received', (evt) => { received.push((evt as CustomEvent<MessageRecord>).detail) })
    const before = bob.stats

    /** DM streams from Mallory that Bob still holds open. */
    const bobDmStreams = (): number => bob.libp2p.getConnections(mallory.peerId)
      .flatMap(c => c.streams)
      .filter(st => st.protocol === DM_PROTOCOL).length
    const bobReleased = async (name: string): Promise<void> => {
      await waitFor(() => bobDmStreams() === 0, { timeout: 5_000, message: `${name}: Bob releases his end of the stream` })
    }

    /**
     * A frame-level attack: Bob must reset the stream and count a rejected
     * frame. Soft assertions, so one case that misbehaves does not hide the
     * others; a stream Bob leaves open is reset from our side to free it.
     */
    async function expectReset (name: string, bytes: Uint8Array[], closeWrite = false): Promise<void> {
      const rejected = bob.stats.rejectedFrames
      const raw = await openRaw(mallory, bobAddr)
      for (const b of bytes) raw.stream.send(b)
      if (closeWrite) await raw.stream.close()
      const outcome = await raw.closed(name).then(evt => ({ evt, err: undefined }), (err: Error) => ({ evt: undefined, err }))
      expect.soft(outcome.err?.message, `${name}: Bob ends the stream`).toBeUndefined()
      if (outcome.err == null) {
        expect.soft(raw.stream.status, `${name}: stream status`).toBe('reset')
        expect.soft(outcome.evt?.error, `${name}: the close carries the remote reset`).toBeDefined()
        expect.soft(outcome.evt?.local, `${name}: reset by Bob, not by us`).not.toBe(true)
      } else {
        raw.stream.abort(new Error('test cleanup: Bob left the stream open'))
      }
      await bobReleased(name)
      expect.soft(raw.frames, `${name}: Bob answered nothing`).toHaveLength(0)
      expect.soft(bob.stats.rejectedFrames, `${name}: counted as a rejected frame`).toBe(rejected + 1)
    }

    /** An envelope-level attack: a well-formed frame, answered with Ack REJECTED on the same stream. */
    async function expectRejectedAck (name: string, envelope: Uint8Array): Promise<Ack> {
      const rejected = bob.stats.rejectedEnvelopes
      const rejectedFrames = bob.stats.rejectedFrames
      const raw = await openRaw(mallory, bobAddr)
      raw.stream.send(frame(DM_FRAME_VERSION, envelope))
      await waitFor(() => raw.frames.length > 0, { timeout: 5_000, message: `${name}: an ack from Bob` })
      expect(raw.frames, `${name}: exactly one answer`).toHaveLength(1)
      const answer = raw.frames[0]!
      expect(answer.version).toBe(DM_FRAME_VERSION)
      expect(answer.envelope, `${name}: the answer carries no envelope`).toHaveLength(0)
      expect(answer.ack, `${name}: the answer is an ack`).toBeDefined()
      expect(answer.ack!.status, `${name}: ack status`).toBe(Ack.Status.REJECTED)
      expect(bob.stats.rejectedEnvelopes, `${name}: counted as a rejected envelope`).toBe(rejected + 1)
      expect(bob.stats.rejectedFrames, `${name}: not a frame-level rejection`).toBe(rejectedFrames)
      // The stream survives an envelope-level rejection; we end it ourselves.
      expect(raw.stream.status).toBe('open')
      raw.stream.abort(new Error('done'))
      await raw.closed(name)
      await bobReleased(name)
      return answer.ack!
    }

    // a real, validly signed envelope from Mallory's own identity to Bob
    const session = Session.initiate(prims, mallory.dir.identity, {
      identityKey: bobPublic.publicKey,
      signedPrekey: bobCard.signedPrekey!
    })
    const convId = conversationId(mallory.dir.identity.peerId, bobPublic.peerId)
    const sealBody = (content: string): Uint8Array => session.seal(encodeBody(validateBody({ type: 'text', content }), convId))

    // 1. random garbage. Long enough that whatever length its first bytes announce
    //    is either over the limit or fully present, so Bob must decide on it.
    const garbage = randomBytes(MAX_FRAME_BYTES + 16)
    await expectReset(`garbage ${garbage.subarray(0, 8).toString('hex')}…`, [garbage])

    // 2. a valid length prefix, then bytes that are not protobuf (wire type 7 does not exist)
    await expectReset('non-protobuf', [lengthPrefixed(new Uint8Array(32).fill(0xff))])

    // 3. truncated: 1000 bytes announced, 10 sent, then our write side closes.
    //    The frame can never complete: a FrameError ("truncated"), so a reset.
    await expectReset('truncated', [concatBytes(encodeLength(1000), randomBytes(10))], true)

    // 4. oversize: the announced length alone must be enough to reset
    await expectReset('oversize', [concatBytes(encodeLength(MAX_FRAME_BYTES + 1), randomBytes(16))])

    // 5. wrong version, carrying an otherwise perfectly valid envelope
    const valid = sealBody('version 2 must not get this in')
    expect(() => verifyEnvelope(prims, bobPublic, valid)).not.toThrow()
    await expectReset('version 2', [frame(2, valid)])

    const framesAfterFrameAttacks = bob.stats.rejectedFrames
    expect.soft(framesAfterFrameAttacks - before.rejectedFrames, 'rejected frames after the 5 frame-level cases').toBeGreaterThanOrEqual(5)

    // 6. a well-formed frame whose envelope is garbage
    const garbageAck = await expectRejectedAck('garbage envelope', randomBytes(200))
    expect(garbageAck.reason).toBe('EncodingError')

    // 7. a real envelope with one bit of its ciphertext flipped after signing
    const sealed = sealBody('one bit of this will flip')
    const decoded = decodeEnvelope(sealed)
    const ciphertext = Uint8Array.from(decoded.ciphertext)
    ciphertext[0]! ^= 0x01
    const flipped = encodeEnvelope({ ...decoded, ciphertext })
    expect(() => verifyEnvelope(prims, bobPublic, sealed)).not.toThrow()
    expect(() => verifyEnvelope(prims, bobPublic, flipped)).toThrow(SignatureError)
    const flippedAck = await expectRejectedAck('flipped bit', flipped)
    expect(flippedAck.reason).toBe('SignatureError')
    // named, so an honest sender whose envelope is refused stops resending it
    expect(Buffer.from(flippedAck.id)).toEqual(Buffer.from(decoded.id))

    // Bob is fine, counted every attack, and stored nothing
    const after = bob.stats
    expect(bob.isStarted).toBe(true)
    expect(bob.libp2p.status).toBe('started')
    expect(after.rejectedFrames).toBeGreaterThanOrEqual(framesAfterFrameAttacks)
    expect(after.rejectedEnvelopes - before.rejectedEnvelopes).toBe(2)
    expect(after.duplicates).toBe(before.duplicates)
    expect(received).toHaveLength(0)
    expect((await bob.inbox()).total).toBe(0)
    expect(await bob.conversations()).toEqual([])
    for (const envelope of [valid, sealed]) {
      expect(await bob.message(Buffer.from(decodeEnvelope(envelope).id).toString('hex'))).toBeUndefined()
    }

    // and the next honest message goes through
    const statuses: StatusChange[] = []
    alice.addEventListener('message.status', (evt) => { statuses.push((evt as CustomEvent<StatusChange>).detail) })
    const sent = await alice.send(bob.peerId, { type: 'text', content: 'hello after the storm' })
    await waitFor(() => received.length === 1, { message: 'bob receives alice\'s message' })
    expect(received[0]).toMatchObject({ messageId: sent.messageId, from: alice.peerId, content: 'hello after the storm' })
    await waitFor(() => statuses.some(s => s.messageId === sent.messageId && s.status === 'delivered'), { message: 'alice sees delivered' })
    expect((await bob.inbox()).total).toBe(1)
    expect(await bob.conversations()).toHaveLength(1)

    // a validly sealed read receipt from Mallory about Bob's message to Alice changes nothing
    const reply = await bob.send(alice.peerId, { type: 'text', content: 'thanks' })
    await waitFor(async () => (await bob.message(reply.messageId))?.status === 'delivered', { message: 'alice has bob\'s reply' })
    const forged = session.seal(encodeBody({ type: 'receipt', receipt: { kind: Receipt.Kind.READ, messageIds: [reply.messageId], taskId: '' } }, convId))
    const raw = await openRaw(mallory, bobAddr)
    raw.stream.send(frame(DM_FRAME_VERSION, forged))
    await waitFor(() => raw.frames.length > 0, { timeout: 5_000, message: 'an ack for the forged receipt' })
    expect(raw.frames[0]!.ack!.status).toBe(Ack.Status.OK)
    expect((await bob.message(reply.messageId))?.status).toBe('delivered')

    // a sealed body that breaks the rules is refused, and so is its resend (not a "duplicate")
    const badBody = Body.encode({ type: 'text', content: 'x'.repeat(4001), payload: '', metadata: '', replyTo: '', conversationId: convId, padding: new Uint8Array(0) })
    const refused = session.seal(badBody)
    for (const attempt of ['first', 'resend']) {
      raw.frames.length = 0
      raw.stream.send(frame(DM_FRAME_VERSION, refused))
      await waitFor(() => raw.frames.length > 0, { timeout: 5_000, message: `an ack for the ${attempt} bad body` })
      expect(raw.frames[0]!.ack, attempt).toMatchObject({ status: Ack.Status.REJECTED, reason: 'BodyValidationError' })
    }
    expect((await bob.inbox()).total).toBe(1)
    raw.stream.abort(new Error('done'))
  })
})
