/**
 * The DM transport alone: two services joined by an in-memory stream pair,
 * fake registrar and connection manager, and an outbox held in arrays.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { describe, expect, it, vi } from 'vitest'
import { Ack, DmFrame } from '../../../../src/protocols/dm/dm.pb.js'
import { DM_FRAME_VERSION, DM_PROTOCOL, MAX_ACK_REASON_CHARS, MAX_FRAME_BYTES, MAX_IN_FLIGHT, MAX_IN_FLIGHT_BYTES, MAX_READ_BUFFER_BYTES, READ_OVERHEAD_PER_ENVELOPE, readBufferBytes } from '../../../../src/protocols/dm/constants.js'
import { envelopeFrameHeader } from '../../../../src/protocols/dm/frame-writer.js'
import { MAX_ENVELOPE_BYTES } from '../../../../src/crypto/envelope.js'
import { DmService } from '../../../../src/protocols/dm/dm-service.js'
import { encodeLength } from '../../../../src/protocols/framing.js'
import type { DmHandlers, PendingEnvelope } from '../../../../src/protocols/dm/dm-service.js'
import type { PeerId, Stream } from '@libp2p/interface'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** An "envelope" for the transport: 16 id bytes then anything; the fake deliver reads the id. */
function fakeEnvelope (n: number): PendingEnvelope {
  const id = new Uint8Array(16)
  new DataView(id.buffer).setUint32(12, n)
  const envelope = new Uint8Array(40)
  envelope.set(id)
  envelope.fill(0xab, 16)
  return { id: hex(id), envelope }
}

function lengthPrefixed (bytes: Uint8Array): Uint8Array {
  return new Uint8Array([...encodeLength(bytes.length), ...bytes])
}

/** Real time (performance.now, which the fake-timer test leaves alone), one turn of the event loop at a time. */
async function waitFor (check: () => boolean, timeout = 5000): Promise<void> {
  const start = performance.now()
  while (!check()) {
    if (performance.now() - start > timeout) throw new Error('timed out waiting')
    await new Promise(resolve => setImmediate(resolve))
  }
}

/** `n` turns of the event loop: room for anything that needs no I/O to happen, before checking it did not. */
async function turns (n = 50): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
}

interface Side {
  peerId: PeerId
  service: DmService
  outbox: PendingEnvelope[]
  received: string[]
  statuses: string[]
  /** the reasons of the acks this side got */
  reasons: string[]
  rejected: Error[]
  handler?: (stream: Stream, connection: { remotePeer: PeerId }) => void
  /** the next delivery waits for this gate (once) */
  holdNext?: { gate: Promise<void>, delivering: { count: number } }
}

/** `side` holds its next delivery (and so its ack) until `gate` opens. */
function holdNext (side: Side, gate: Promise<void>, delivering: { count: number }): void {
  side.holdNext = { gate, delivering }
}

async function pair (opts: { failDials?: number, retryFirst?: boolean, maxInFlight?: number, maxInFlightBytes?: number, receiverMaxInFlightBytes?: number, rejectReason?: string, gate?: Promise<void>, delivering?: { count: number }, ackTimeout?: number, streams?: { opened: number }, ackDelay?: number, held?: Array<() => void> } = {}): Promise<{ a: Side, b: Side }> {
  const asked = new Set<string>()
  const sides: Side[] = []
  let failDials = opts.failDials ?? 0
  for (let i = 0; i < 2; i++) {
    const side = { peerId: peerIdFromPrivateKey(await generateKeyPair('Ed25519')), outbox: [], received: [], statuses: [], reasons: [], rejected: [] } as unknown as Side
    sides.push(side)
  }
  const [a, b] = sides as [Side, Side]
  for (const [self, other] of [[a, b], [b, a]] as const) {
    const handlers: DmHandlers = {
      deliver: async (_from, envelope) => {
        const held = self.holdNext
        if (held != null) {
          self.holdNext = undefined
          held.delivering.count++
          await held.gate
        }
        if (opts.gate != null) {
          opts.delivering!.count++
          await opts.gate
        }
        // each delivery waits until the test calls its release, in any order
        if (opts.held != null) await new Promise<void>(resolve => opts.held!.push(resolve))
        // a slow receiver: each ack waits this long (its store, say)
        if (opts.ackDelay != null) await new Promise(resolve => setTimeout(resolve, opts.ackDelay))
        const id = envelope.subarray(0, 16)
        if (envelope[16] !== 0xab) return { id, status: Ack.Status.REJECTED, reason: opts.rejectReason ?? 'bad' }
        if (opts.retryFirst === true && !asked.has(hex(id))) {
          asked.add(hex(id))
          return { id, status: Ack.Status.RETRY, reason: 'storage' }
        }
        const duplicate = self.received.includes(hex(id))
        if (!duplicate) self.received.push(hex(id))
        return { id, status: duplicate ? Ack.Status.DUPLICATE : Ack.Status.OK }
      },
      pending: async () => [...self.outbox],
      sent: (_peer, id) => { self.statuses.push(`sent:${id}`) },
      acked: async (_peer, id, status, reason) => {
        self.statuses.push(`${Ack.Status[status] ?? status}:${id}`)
        if (reason !== '') self.reasons.push(reason)
        const i = self.outbox.findIndex(e => e.id === id)
        if (i >= 0 && status !== Ack.Status.RETRY) self.outbox.splice(i, 1)
      },
      rejectedFrame: (_peer, err) => { self.rejected.push(err) }
    }
    self.service = new DmService({
      registrar: {
        handle: async (_protocol: string, handler: Side['handler']) => { self.handler = handler },
        unhandle: async () => {}
      } as never,
      connectionManager: {
        openStream: async () => {
          if (failDials > 0) {
            failDials--
            throw new Error('dial failed')
          }
          const [outbound, inbound] = await streamPair({ protocol: DM_PROTOCOL })
          if (opts.streams != null) opts.streams.opened++
          other.handler!(inbound, { remotePeer: self.peerId })
          return outbound
        }
      } as never
    }, handlers, { retryMin: 10, retryMax: 40, ...(opts.maxInFlight == null ? {} : { maxInFlight: opts.maxInFlight }), ...(opts.maxInFlightBytes == null ? {} : { maxInFlightBytes: opts.maxInFlightBytes }), ...(opts.receiverMaxInFlightBytes != null && self === b ? { maxInFlightBytes: opts.receiverMaxInFlightBytes } : {}), ...(opts.ackTimeout == null ? {} : { ackTimeout: opts.ackTimeout }) })
  }
  await a.service.start()
  await b.service.start()
  return { a, b }
}

/** A gate for the receiver's deliveries (`pair({ gate, delivering })`): each waits until `open()`; `delivering.count` counts them. */
function deliveryGate (): { gate: Promise<void>, open: () => void, delivering: { count: number } } {
  let open!: () => void
  const gate = new Promise<void>(resolve => { open = resolve })
  return { gate, open, delivering: { count: 0 } }
}

/** Puts `count` fake envelopes in `a`'s outbox for `b` and flushes; returns them. */
function sendMail (a: Side, b: Side, count: number): PendingEnvelope[] {
  const mail = Array.from({ length: count }, (_, i) => fakeEnvelope(i))
  a.outbox.push(...mail)
  a.service.flush(b.peerId.toString())
  return mail
}

/** Waits until `a`'s outbox is empty, checks `b` stored `mail` once each, in order, and stops both. */
async function deliveredInOrder (a: Side, b: Side, mail: PendingEnvelope[]): Promise<void> {
  await waitFor(() => a.outbox.length === 0)
  expect(b.received).toEqual(mail.map(m => m.id))
  await a.service.stop(); await b.service.stop()
}

describe('dm transport', () => {
  it('delivers the outbox in order, acks each envelope, and empties the outbox', async () => {
    const { a, b } = await pair()
    const mail = sendMail(a, b, 600)
    await waitFor(() => a.outbox.length === 0)
    expect(b.received).toEqual(mail.map(m => m.id))
    expect(a.statuses.filter(s => s.startsWith('OK:'))).toHaveLength(600)
    await a.service.stop(); await b.service.stop()
  })

  it('writes at most maxInFlight envelopes before their acks come back', async () => {
    const { gate, open, delivering } = deliveryGate()
    const { a, b } = await pair({ maxInFlight: 3, gate, delivering })
    const mail = sendMail(a, b, 10)
    // the receiver holds every ack: the sender stops at the window
    await waitFor(() => delivering.count === 3)
    const sent = (): number => a.statuses.filter(s => s.startsWith('sent:')).length
    await waitFor(() => sent() === 3)
    await turns()
    expect(sent()).toBe(3)
    expect(delivering.count).toBe(3)
    open()
    await deliveredInOrder(a, b, mail)
  })

  it('writes no envelope past maxInFlightBytes before acks free room, and one larger than the window alone', async () => {
    const size = fakeEnvelope(0).envelope.byteLength
    for (const [window, expected] of [[3 * size, 3], [3 * size + size - 1, 3], [size - 1, 1]] as const) {
      const { gate, open, delivering } = deliveryGate()
      const { a, b } = await pair({ maxInFlightBytes: window, gate, delivering })
      const mail = sendMail(a, b, 10)
      const sent = (): number => a.statuses.filter(s => s.startsWith('sent:')).length
      await waitFor(() => sent() === expected && delivering.count === expected)
      await turns()
      expect(sent()).toBe(expected)
      open()
      await deliveredInOrder(a, b, mail)
    }
  })

  it('a receiver reads no frame past its maxInFlightBytes until its acks free room, whatever the sender\'s window', async () => {
    const size = fakeEnvelope(0).envelope.byteLength
    const { gate, open, delivering } = deliveryGate()
    // the sender would write all 10; the receiver holds at most 4 envelopes' bytes (the 4th reaches the bound)
    const { a, b } = await pair({ receiverMaxInFlightBytes: 4 * size, gate, delivering })
    const mail = sendMail(a, b, 10)
    await waitFor(() => a.statuses.filter(s => s.startsWith('sent:')).length === 10)
    await waitFor(() => delivering.count === 4)
    await turns()
    expect(delivering.count).toBe(4)
    open()
    await deliveredInOrder(a, b, mail)
  })

  it('a receiver at its bound reads the next frame as soon as its oldest delivery settles, not once all have', async () => {
    const size = fakeEnvelope(0).envelope.byteLength
    const held: Array<() => void> = []
    const { a, b } = await pair({ receiverMaxInFlightBytes: 4 * size, held })
    const mail = sendMail(a, b, 10)
    await waitFor(() => held.length === 4)
    await turns()
    expect(held.length).toBe(4)
    // one settles: room for exactly one more
    held[0]!()
    await waitFor(() => held.length === 5)
    await turns()
    expect(held.length).toBe(5)
    // the rest, as they come
    let released = 1
    await waitFor(() => {
      while (released < held.length) held[released++]!()
      return a.outbox.length === 0
    })
    expect(b.received).toEqual(mail.map(m => m.id))
    await a.service.stop(); await b.service.stop()
  })

  it(`an ack's reason is cut to ${MAX_ACK_REASON_CHARS} characters`, async () => {
    const { a, b } = await pair({ rejectReason: `ContentPolicyError(${'p'.repeat(500)})` })
    const refused = fakeEnvelope(1)
    refused.envelope[16] = 0
    a.outbox.push(refused)
    a.service.flush(b.peerId.toString())
    await waitFor(() => a.outbox.length === 0)
    expect(a.reasons).toEqual([`ContentPolicyError(${'p'.repeat(MAX_ACK_REASON_CHARS - 'ContentPolicyError('.length)}`])
    await a.service.stop(); await b.service.stop()
  })

  it('a reader holds a whole window of the largest envelopes and a window of acks with the longest reasons', () => {
    // framed as they go on the wire; the reason at its worst: 3 UTF-8 bytes for each of its UTF-16 units
    const envelopeFrame = encodeLength(envelopeFrameHeader(MAX_ENVELOPE_BYTES).byteLength + MAX_ENVELOPE_BYTES).byteLength + envelopeFrameHeader(MAX_ENVELOPE_BYTES).byteLength
    const ack = DmFrame.encode({ version: DM_FRAME_VERSION, envelope: new Uint8Array(0), ack: { id: new Uint8Array(16), status: Ack.Status.REJECTED, reason: '\uffff'.repeat(MAX_ACK_REASON_CHARS) } } as DmFrame)
    const ackFrame = encodeLength(ack.byteLength).byteLength + ack.byteLength
    expect(envelopeFrame + ackFrame).toBeLessThanOrEqual(READ_OVERHEAD_PER_ENVELOPE)
    expect(MAX_READ_BUFFER_BYTES).toBeGreaterThanOrEqual(MAX_IN_FLIGHT_BYTES + MAX_IN_FLIGHT * (envelopeFrame + ackFrame))
    // more than the framing module's default, which a full window with its headers would overflow
    expect(MAX_READ_BUFFER_BYTES).toBeGreaterThan(4 * 1024 * 1024)
    // a larger window configured needs a larger buffer, by its bytes and its envelopes' framing
    expect(readBufferBytes(2 * MAX_IN_FLIGHT, 2 * MAX_IN_FLIGHT_BYTES) - MAX_READ_BUFFER_BYTES).toBe(MAX_IN_FLIGHT_BYTES + MAX_IN_FLIGHT * READ_OVERHEAD_PER_ENVELOPE)
  })

  it('a stream whose acks stop coming is reset after ackTimeout and its envelopes go again on a new one, stored once', async () => {
    const { gate, open, delivering } = deliveryGate()
    const streams = { opened: 0 }
    const { a, b } = await pair({ gate, delivering, ackTimeout: 200, streams })
    const mail = [fakeEnvelope(1), fakeEnvelope(2)]
    a.outbox.push(...mail)
    a.service.flush(b.peerId.toString())
    // the receiver holds its acks: the first stream is given up, and the mail is written again on a second
    await waitFor(() => delivering.count === 2 && streams.opened === 1)
    await waitFor(() => streams.opened === 2 && delivering.count === 4, 5000)
    expect(a.outbox).toHaveLength(2)
    open()
    await waitFor(() => a.outbox.length === 0)
    // each stored once, by the first stream's deliveries (they were waiting first); the copies on the
    // second are answered as duplicates, the only acks the sender sees (the first stream is gone)
    expect(b.received).toEqual(mail.map(m => m.id))
    expect(a.statuses.filter(s => !s.startsWith('sent:'))).toEqual(mail.map(m => `DUPLICATE:${m.id}`))
    await a.service.stop(); await b.service.stop()
  })

  it('a receiver that acks slowly but steadily keeps its stream', async () => {
    const streams = { opened: 0 }
    // 40 envelopes, 4 in flight, each acked 50 ms after it arrived: about half a second in all, more than
    // twice the ack timeout, but never 200 ms without an ack
    const { a, b } = await pair({ ackTimeout: 200, streams, maxInFlight: 4, ackDelay: 50 })
    const mail = sendMail(a, b, 40)
    await waitFor(() => a.outbox.length === 0)
    expect(streams.opened).toBe(1)
    expect(b.received).toEqual(mail.map(m => m.id))
    await a.service.stop(); await b.service.stop()
  })

  it('the wait for an ack starts at the first envelope in an empty window, not at the last ack before it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { gate, open, delivering } = deliveryGate()
    const streams = { opened: 0 }
    const { a, b } = await pair({ ackTimeout: 200, streams })
    try {
      // one envelope, acked at once: the window is empty again, the timer still runs
      a.outbox.push(fakeEnvelope(1))
      a.service.flush(b.peerId.toString())
      await waitFor(() => a.outbox.length === 0)
      // 150 ms later, one whose ack the receiver holds for 100 ms: never 200 ms without an answer
      vi.advanceTimersByTime(150)
      holdNext(b, gate, delivering)
      a.outbox.push(fakeEnvelope(2))
      a.service.flush(b.peerId.toString())
      await waitFor(() => delivering.count === 1)
      vi.advanceTimersByTime(100)
      open()
      await waitFor(() => a.outbox.length === 0)
      vi.advanceTimersByTime(400)
      expect(streams.opened).toBe(1)
      expect(b.received).toEqual([fakeEnvelope(1).id, fakeEnvelope(2).id])
    } finally {
      open()
      vi.useRealTimers()
      await a.service.stop(); await b.service.stop()
    }
  })

  it('replies travel back on the same stream', async () => {
    const { a, b } = await pair()
    a.outbox.push(fakeEnvelope(1))
    a.service.flush(b.peerId.toString())
    await waitFor(() => a.outbox.length === 0)
    b.outbox.push(fakeEnvelope(2))
    b.service.flush(a.peerId.toString())
    await waitFor(() => b.outbox.length === 0)
    expect(a.received).toEqual([fakeEnvelope(2).id])
    await a.service.stop(); await b.service.stop()
  })

  it('retries with backoff until the peer can be dialled', async () => {
    const { a, b } = await pair({ failDials: 3 })
    a.outbox.push(fakeEnvelope(7))
    a.service.flush(b.peerId.toString())
    await waitFor(() => a.outbox.length === 0)
    expect(b.received).toEqual([fakeEnvelope(7).id])
    await a.service.stop(); await b.service.stop()
  })

  it('a peer that closes its side cleanly gets the stream closed, not reset or counted', async () => {
    const { a, b } = await pair()
    const [outbound, inbound] = await streamPair({ protocol: DM_PROTOCOL })
    b.handler!(inbound, { remotePeer: a.peerId })
    const closed = new Promise(resolve => inbound.addEventListener('close', resolve))
    await outbound.close()
    await closed
    expect(b.rejected).toEqual([])
    await a.service.stop(); await b.service.stop()
  })

  it('an envelope the peer could not store (RETRY) is sent again', async () => {
    const { a, b } = await pair({ retryFirst: true })
    a.outbox.push(fakeEnvelope(11))
    a.service.flush(b.peerId.toString())
    await waitFor(() => a.outbox.length === 0)
    expect(a.statuses.filter(s => s.endsWith(fakeEnvelope(11).id))).toEqual([`sent:${fakeEnvelope(11).id}`, `RETRY:${fakeEnvelope(11).id}`, `sent:${fakeEnvelope(11).id}`, `OK:${fakeEnvelope(11).id}`])
    expect(b.received).toEqual([fakeEnvelope(11).id])
    await a.service.stop(); await b.service.stop()
  })

  it('a rejected envelope is acked REJECTED, not retried', async () => {
    const { a, b } = await pair()
    const bad = fakeEnvelope(9)
    bad.envelope[16] = 0
    a.outbox.push(bad)
    a.service.flush(b.peerId.toString())
    await waitFor(() => a.outbox.length === 0)
    expect(a.statuses).toContain(`REJECTED:${bad.id}`)
    expect(b.received).toEqual([])
    await a.service.stop(); await b.service.stop()
  })

  it('garbage, oversize, wrong-version and truncated frames reset the stream; the next honest frame goes through', async () => {
    const { a, b } = await pair()
    const attacks = [
      Uint8Array.of(0x05, 0xff, 0xff, 0xff, 0xff, 0xff), // a frame that is not protobuf
      lengthPrefixed(DmFrame.encode({ version: 2, envelope: fakeEnvelope(1).envelope } as DmFrame)), // unknown version
      lengthPrefixed(DmFrame.encode({ version: 1, envelope: new Uint8Array(0) })), // neither envelope nor ack
      lengthPrefixed(new Uint8Array(MAX_FRAME_BYTES + 1)) // oversize
    ]
    for (const attack of attacks) {
      const [outbound, inbound] = await streamPair({ protocol: DM_PROTOCOL })
      b.handler!(inbound, { remotePeer: a.peerId })
      const closed = new Promise(resolve => outbound.addEventListener('close', resolve))
      outbound.send(attack)
      await closed
    }
    // a frame cut off by a clean close of the peer's side
    const [outbound, inbound] = await streamPair({ protocol: DM_PROTOCOL })
    b.handler!(inbound, { remotePeer: a.peerId })
    const closed = new Promise(resolve => inbound.addEventListener('close', resolve))
    outbound.send(Uint8Array.of(0xe8, 0x07, 1, 2, 3)) // announces 1,000 bytes, sends 3
    await outbound.close()
    await closed
    expect(b.rejected.map(e => e.name)).toEqual(['FrameError', 'FrameError', 'FrameError', 'FrameError', 'FrameError'])
    expect(b.received).toEqual([])
    a.outbox.push(fakeEnvelope(3))
    a.service.flush(b.peerId.toString())
    await waitFor(() => a.outbox.length === 0)
    expect(b.received).toEqual([fakeEnvelope(3).id])
    await a.service.stop(); await b.service.stop()
  })
})
