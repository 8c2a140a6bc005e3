/**
 * The DM transport: one long-lived stream per peer pair carrying envelope
 * frames and their acks in both directions, an in-flight window, and re-dial
 * with backoff while the node's outbox holds mail for a peer.
 *
 * It knows nothing of crypto or storage: the node hands it `deliver` (persist
 * an incoming envelope and say how to ack it) and an `outbox` view (what is
 * pending for a peer, and what to do with an ack).
 */
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { readFrames } from '../framing.js'
import { Ack, DmFrame } from './dm.pb.js'
import { AckTimeoutError, FrameError } from './errors.js'
import { FrameWriter, envelopeFrameHeader } from './frame-writer.js'
import {
  ACK_TIMEOUT, DIAL_TIMEOUT, DM_FRAME_VERSION, DM_PROTOCOL, MAX_ACK_REASON_CHARS, MAX_FRAME_BYTES, MAX_IN_FLIGHT, MAX_IN_FLIGHT_BYTES,
  MAX_READ_BUFFER_BYTES, RETRY_MAX, RETRY_MIN, readBufferBytes
} from './constants.js'
import type { PeerId, Startable, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

const log = logger('agentmsg:dm')

export interface DmComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
}

/** One envelope waiting in the outbox, as the transport sees it. */
export interface PendingEnvelope {
  /** hex envelope id */
  id: string
  envelope: Uint8Array
}

export interface DmHandlers {
  /**
   * Persist an envelope that arrived from `from`; resolves with how to ack it
   * and the envelope id to ack (empty when the envelope did not decode). Must not throw.
   */
  deliver(from: PeerId, envelope: Uint8Array): Promise<{ id: Uint8Array, status: Ack.Status, reason?: string }>
  /** Envelopes waiting for `peer`, oldest first. */
  pending(peer: string): Promise<PendingEnvelope[]>
  /** An envelope was written to a stream. */
  sent(peer: string, id: string): void
  /** The peer answered an envelope. */
  acked(peer: string, id: string, status: Ack.Status, reason: string): Promise<void>
  /** A frame from the network was unreadable (counted by the node). */
  rejectedFrame?(peer: string, err: Error): void
  /** A dial failed: the peer may have moved (a restart picks new ports). Look it up again before the next try. */
  unreachable?(peer: string): Promise<void>
}

export interface DmInit {
  /** Envelopes in flight per stream, each way. @default MAX_IN_FLIGHT (1,024) */
  maxInFlight?: number
  /** Envelope bytes in flight per stream, each way (one envelope always goes). @default MAX_IN_FLIGHT_BYTES (4 MiB) */
  maxInFlightBytes?: number
  /** @default 10 s */
  dialTimeout?: number
  /** First retry delay after a failed attempt; doubles up to `retryMax`. @default 1 s */
  retryMin?: number
  /** @default 5 min */
  retryMax?: number
  /** Reset a stream whose envelopes in flight got no ack for this long (ms). @default ACK_TIMEOUT (30 s) */
  ackTimeout?: number
}

interface Channel {
  peer: string
  stream?: Stream
  /** ids written on the current stream and not yet acked, with their envelopes' sizes */
  inFlight: Map<string, number>
  /** the sum of inFlight's sizes */
  inFlightBytes: number
  /** resolves waiters for window space */
  windowWaiters: Array<() => void>
  flushing: boolean
  again: boolean
  retryDelay: number
  retryTimer?: ReturnType<typeof setTimeout>
  /** runs while envelopes are in flight: a stream with no ack for ackTimeout is reset */
  ackTimer?: ReturnType<typeof setTimeout>
  /** when the wait for an ack started: the last ack, or the write into an empty window */
  waitingSince: number
}

function decodeFrame (bytes: Uint8Array): DmFrame {
  let frame: DmFrame
  try {
    frame = DmFrame.decode(bytes)
  } catch (err) {
    throw new FrameError(`dm frame: ${(err as Error).message}`)
  }
  if (frame.version !== DM_FRAME_VERSION) throw new FrameError(`dm frame: unknown version ${frame.version}`)
  if ((frame.envelope.length > 0) === (frame.ack != null)) throw new FrameError('dm frame: must carry exactly one of envelope or ack')
  return frame
}

export class DmService implements Startable {
  readonly #components: DmComponents
  readonly #handlers: DmHandlers
  readonly #maxInFlight: number
  readonly #maxInFlightBytes: number
  readonly #readBuffer: number
  readonly #dialTimeout: number
  readonly #retryMin: number
  readonly #retryMax: number
  readonly #ackTimeout: number
  readonly #channels = new Map<string, Channel>()
  readonly #writers = new WeakMap<Stream, FrameWriter>()
  #started = false

  constructor (components: DmComponents, handlers: DmHandlers, init: DmInit = {}) {
    this.#components = components
    this.#handlers = handlers
    this.#maxInFlight = init.maxInFlight ?? MAX_IN_FLIGHT
    this.#maxInFlightBytes = init.maxInFlightBytes ?? MAX_IN_FLIGHT_BYTES
    // room for a peer whose window is at least ours (the defaults on both sides)
    this.#readBuffer = Math.max(MAX_READ_BUFFER_BYTES, readBufferBytes(this.#maxInFlight, this.#maxInFlightBytes))
    this.#dialTimeout = init.dialTimeout ?? DIAL_TIMEOUT
    this.#retryMin = init.retryMin ?? RETRY_MIN
    this.#retryMax = init.retryMax ?? RETRY_MAX
    this.#ackTimeout = init.ackTimeout ?? ACK_TIMEOUT
  }

  readonly [Symbol.toStringTag] = 'agentmsg/dm'

  async start (): Promise<void> {
    await this.#components.registrar.handle(DM_PROTOCOL, (stream, connection) => {
      this.#adopt(connection.remotePeer.toString(), stream)
    }, { maxInboundStreams: 4, runOnLimitedConnection: false })
    this.#started = true
  }

  async stop (): Promise<void> {
    this.#started = false
    await this.#components.registrar.unhandle(DM_PROTOCOL)
    for (const channel of this.#channels.values()) {
      clearTimeout(channel.retryTimer)
      clearTimeout(channel.ackTimer)
      channel.stream?.abort(new Error('node stopping'))
    }
    this.#channels.clear()
  }

  isStarted (): boolean {
    return this.#started
  }

  /** Send whatever the outbox holds for `peer`, now or, if it cannot be reached, with backoff. */
  flush (peer: string): void {
    if (!this.#started) return
    const channel = this.#channel(peer)
    if (channel.flushing) {
      channel.again = true
      return
    }
    clearTimeout(channel.retryTimer)
    channel.retryTimer = undefined
    channel.flushing = true
    this.#flushLoop(channel)
      .catch(err => { log.error('flush to %s failed: %e', peer, err) })
      .finally(() => { channel.flushing = false })
  }

  /** No room for `bytes` more in `channel`'s window (an empty window takes any one envelope). */
  #windowFull (channel: Channel, bytes: number): boolean {
    if (channel.inFlight.size === 0) return false
    return channel.inFlight.size >= this.#maxInFlight || channel.inFlightBytes + bytes > this.#maxInFlightBytes
  }

  /** The last attempt to reach `peer` failed and the next waits for its backoff: sending now would dial in vain. */
  isBackingOff (peer: string): boolean {
    const channel = this.#channels.get(peer)
    return channel?.retryTimer != null && channel.stream == null && !channel.flushing
  }

  #channel (peer: string): Channel {
    let channel = this.#channels.get(peer)
    if (channel == null) {
      channel = { peer, inFlight: new Map(), inFlightBytes: 0, windowWaiters: [], flushing: false, again: false, retryDelay: this.#retryMin, waitingSince: 0 }
      this.#channels.set(peer, channel)
    }
    return channel
  }

  async #flushLoop (channel: Channel): Promise<void> {
    do {
      channel.again = false
      const pending = (await this.#handlers.pending(channel.peer)).filter(e => !channel.inFlight.has(e.id))
      if (pending.length === 0) return
      let stream: Stream
      try {
        stream = await this.#streamTo(channel)
      } catch (err) {
        await this.#handlers.unreachable?.(channel.peer).catch(() => {})
        this.#scheduleRetry(channel, err as Error)
        return
      }
      for (const entry of pending) {
        while (this.#windowFull(channel, entry.envelope.byteLength) && channel.stream === stream) {
          await new Promise<void>(resolve => channel.windowWaiters.push(resolve))
        }
        if (channel.stream !== stream || stream.status !== 'open') {
          // the stream died under us: everything unacked is still in the outbox
          channel.again = true
          break
        }
        // the wait for acks starts with the first envelope in an empty window
        if (channel.inFlight.size === 0) channel.waitingSince = Date.now()
        channel.inFlight.set(entry.id, entry.envelope.byteLength)
        channel.inFlightBytes += entry.envelope.byteLength
        if (channel.ackTimer == null) this.#awaitAcks(channel, stream, this.#ackTimeout)
        // gathered with the rest of this window into one stream write (FrameWriter)
        const drained = this.#writer(stream).write(envelopeFrameHeader(entry.envelope.byteLength), entry.envelope)
        this.#handlers.sent(channel.peer, entry.id)
        if (drained != null) await drained
      }
    } while (channel.again && this.#started)
  }

  /**
   * Check on `stream`'s acks in `delay` ms: nothing in flight then, the timer
   * ends; an ack (or a first write) since `waitingSince` + ackTimeout, it waits
   * the rest; else the stream is reset: its reader ends, the window empties
   * and the outbox goes again on a new stream (#adopt). One timer per stream,
   * not one per ack: acks only stamp `waitingSince`.
   */
  #awaitAcks (channel: Channel, stream: Stream, delay: number): void {
    channel.ackTimer = setTimeout(() => {
      channel.ackTimer = undefined
      if (channel.stream !== stream || channel.inFlight.size === 0) return
      const waited = Date.now() - channel.waitingSince
      if (waited < this.#ackTimeout) {
        this.#awaitAcks(channel, stream, this.#ackTimeout - waited)
        return
      }
      log('no ack from %s for %d ms with %d in flight: resetting the stream', channel.peer, waited, channel.inFlight.size)
      stream.abort(new AckTimeoutError(`no ack for ${waited} ms`))
    }, delay)
    channel.ackTimer.unref?.()
  }

  #writer (stream: Stream): FrameWriter {
    let writer = this.#writers.get(stream)
    if (writer == null) {
      writer = new FrameWriter(stream)
      this.#writers.set(stream, writer)
    }
    return writer
  }

  #scheduleRetry (channel: Channel, err: Error): void {
    if (!this.#started) return
    log('cannot reach %s (%s); retrying in %d ms', channel.peer, err.message, channel.retryDelay)
    clearTimeout(channel.retryTimer)
    channel.retryTimer = setTimeout(() => { this.flush(channel.peer) }, channel.retryDelay)
    channel.retryTimer.unref?.()
    channel.retryDelay = Math.min(channel.retryDelay * 2, this.#retryMax)
  }

  async #streamTo (channel: Channel): Promise<Stream> {
    if (channel.stream != null && channel.stream.status === 'open') return channel.stream
    const peerId = peerIdFromString(channel.peer)
    const stream = await this.#components.connectionManager.openStream(peerId, DM_PROTOCOL, {
      signal: AbortSignal.timeout(this.#dialTimeout)
    })
    this.#adopt(channel.peer, stream)
    return stream
  }

  /** Use a stream (ours or the peer's) for this peer pair and read its frames until it ends. */
  #adopt (peer: string, stream: Stream): void {
    const channel = this.#channel(peer)
    // a long-lived stream: the peer may be quiet for a long time
    stream.inactivityTimeout = 0
    if (channel.stream == null || channel.stream.status !== 'open') {
      channel.stream = stream
      channel.inFlight.clear()
      channel.inFlightBytes = 0
    }
    this.#read(channel, stream)
      .catch(err => {
        // only what the peer sent counts against it, not a stream it reset itself
        if ((err as Error).name === 'FrameError') this.#handlers.rejectedFrame?.(peer, err as Error)
        log('dm stream with %s reset: %s', peer, (err as Error).message)
        stream.abort(err as Error)
      })
      .finally(() => {
        if (channel.stream === stream) {
          channel.stream = undefined
          channel.inFlight.clear()
          channel.inFlightBytes = 0
          clearTimeout(channel.ackTimer)
          channel.ackTimer = undefined
          for (const wake of channel.windowWaiters.splice(0)) wake()
          // mail still waiting goes out on the next stream
          if (this.#started) this.#scheduleRetry(channel, new Error('stream closed'))
        }
      })
  }

  async #read (channel: Channel, stream: Stream): Promise<void> {
    const remote = peerIdFromString(channel.peer)
    // Envelopes are handed on as they arrive (so their writes can be grouped)
    // and acked strictly in arrival order, each once its delivery resolved.
    let acking: Promise<void> = Promise.resolve()
    const writer = this.#writer(stream)
    // envelopes handed on and not yet acked, and their bytes: bounded like the sender's window
    let delivering = 0
    let deliveringBytes = 0
    let ackError: Error | undefined
    /** wakes the reader waiting at the bound once a delivery settles */
    let room: (() => void) | undefined
    const freed = (): void => { const wake = room; room = undefined; wake?.() }
    try {
      for await (const data of readFrames(stream, { maxLength: MAX_FRAME_BYTES, maxBufferSize: this.#readBuffer })) {
        if (ackError != null) throw ackError
        const frame = decodeFrame(data)
        if (frame.ack != null) {
          const id = Buffer.from(frame.ack.id).toString('hex')
          const size = channel.inFlight.get(id)
          if (size === undefined) continue
          channel.inFlight.delete(id)
          channel.inFlightBytes -= size
          // progress: the wait for the rest starts again (the timer, when it fires, sees this)
          channel.waitingSince = Date.now()
          channel.windowWaiters.shift()?.()
          await this.#handlers.acked(channel.peer, id, frame.ack.status, frame.ack.reason)
          if (frame.ack.status === Ack.Status.RETRY) {
            // the peer could not store it now: it is still pending here, so try again later
            this.#scheduleRetry(channel, new Error(`peer asked to retry: ${frame.ack.reason}`))
          } else {
            channel.retryDelay = this.#retryMin
          }
          continue
        }
        const delivered = this.#handlers.deliver(remote, frame.envelope)
        const bytes = frame.envelope.byteLength
        delivering++
        deliveringBytes += bytes
        acking = acking.then(async () => {
          const { id, status, reason } = await delivered
          delivering--
          deliveringBytes -= bytes
          freed()
          if (stream.status !== 'open') return
          // acks resolved together (one group commit) leave in one stream write
          await writer.write(DmFrame.encode({ version: DM_FRAME_VERSION, envelope: new Uint8Array(0), ack: { id, status, reason: (reason ?? '').slice(0, MAX_ACK_REASON_CHARS) } } as DmFrame))
        }).catch((err: Error) => {
          ackError ??= err
          freed()
        })
        // the peer's window bounds this too; never hold more than ours: at the bound, the next
        // frame is read once the oldest delivery settles, not once all of them have
        while (ackError == null && (delivering >= this.#maxInFlight || deliveringBytes >= this.#maxInFlightBytes)) {
          await new Promise<void>(resolve => { room = resolve })
        }
      }
    } catch (err) {
      if (FRAMING_ERRORS.has((err as Error).name)) throw new FrameError(`dm frame: ${(err as Error).message}`)
      throw err
    } finally {
      await acking
      writer.flush()
    }
    if (ackError != null) throw ackError
    // the peer closed its side cleanly: close ours too, so the stream does not linger
    await stream.close().catch(() => {})
  }
}

/** Errors from the framing layer that mean the peer sent something unreadable. */
const FRAMING_ERRORS = new Set(['FrameTooLargeError', 'InvalidFrameError', 'TruncatedFrameError'])

