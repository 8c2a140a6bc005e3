/**
 * The agent side of `/agentmsg/relay/1.0.0`: one stream to one relay,
 * requests numbered and matched to their responses, pushes handed to
 * `onPush` once subscribed. The stream is opened on first use and again
 * after it ends; `onClosed` tells the owner that a subscription it held is
 * gone (so it can subscribe and fetch again).
 */
import { logger } from '@libp2p/logger'
import { readFrames, writeFrame } from '../framing.js'
import {
  MAX_IN_FLIGHT_REQUESTS, MAX_RESPONSE_BYTES, RELAY_DIAL_TIMEOUT, RELAY_FRAME_VERSION, RELAY_PROTOCOL, REQUEST_TIMEOUT
} from './constants.js'
import { RelayFrameError, RelayRefusedError, RelayUnavailableError } from './errors.js'
import { RelayFrame, Response } from './relay.pb.js'
import type { AbortOptions, PeerId, Stream } from '@libp2p/interface'

const log = logger('agentmsg:relay-client')

export interface HeldEnvelope {
  seq: number
  envelope: Uint8Array
}

/** Opens a stream to a peer on a protocol (libp2p's `dialProtocol`). */
export type DialProtocol = (peer: PeerId, protocol: string, options: AbortOptions) => Promise<Stream>

export interface RelayClientOptions {
  /** A pushed envelope (after `subscribe()`). */
  onPush?(held: HeldEnvelope): void
  /** The stream ended: a subscription on it is gone. */
  onClosed?(): void
  /** @default RELAY_DIAL_TIMEOUT (5 s) */
  dialTimeout?: number
  /** @default REQUEST_TIMEOUT (10 s) */
  requestTimeout?: number
}

interface Pending {
  resolve(response: Response): void
  reject(err: Error): void
  timer: ReturnType<typeof setTimeout>
}

/** One request kind with its fields (byte fields of any Uint8Array; they are only encoded). */
type Request = Partial<Record<'deposit' | 'fetch' | 'ack' | 'subscribe' | 'archivePut' | 'archiveList' | 'denHost', Record<string, unknown>>>

export class RelayClient {
  readonly relay: PeerId
  readonly #dial: DialProtocol
  readonly #options: RelayClientOptions
  #stream?: Promise<Stream>
  #nextId = 1
  readonly #pending = new Map<number, Pending>()
  readonly #waiting: Array<() => void> = []
  /** requests holding one of the MAX_IN_FLIGHT_REQUESTS slots (opening the stream, written, or awaiting an answer) */
  #inFlight = 0
  #closed = false

  constructor (dial: DialProtocol, relay: PeerId, options: RelayClientOptions = {}) {
    this.#dial = dial
    this.relay = relay
    this.#options = options
  }

  /** Hold `envelope` (ours) for its recipient. Throws `RelayRefusedError` with the relay's reason, or `RelayUnavailableError`. */
  async deposit (envelope: Uint8Array): Promise<{ seq: number, duplicate: boolean }> {
    const response = await this.#request({ deposit: { envelope } })
    return { seq: Number(response.held[0]?.seq ?? 0n), duplicate: response.duplicate }
  }

  /** Our envelopes held after `after` (0: from the start), in deposit order. */
  async fetch (after = 0, limit = 0): Promise<{ held: HeldEnvelope[], hasMore: boolean }> {
    const response = await this.#request({ fetch: { after: BigInt(after), limit, mailbox: new Uint8Array(0) } })
    return { held: response.held.map(h => ({ seq: Number(h.seq), envelope: h.envelope })), hasMore: response.hasMore }
  }

  /** Tell the relay these envelopes (16-byte ids) are persisted here; returns how many it removed. */
  async ack (ids: Uint8Array[]): Promise<number> {
    if (ids.length === 0) return 0
    return (await this.#request({ ack: { ids, mailbox: new Uint8Array(0) } })).removed
  }

  /** Have new deposits for us pushed on this stream while it lasts. */
  async subscribe (): Promise<void> {
    await this.#request({ subscribe: { mailbox: new Uint8Array(0) } })
  }

  async archivePut (entries: Array<{ key: Uint8Array, blob: Uint8Array }>): Promise<void> {
    await this.#request({ archivePut: { entries } })
  }

  async archiveList (after: Uint8Array = new Uint8Array(0), limit = 0): Promise<{ entries: Array<{ key: Uint8Array, blob: Uint8Array }>, hasMore: boolean }> {
    const response = await this.#request({ archiveList: { after, limit } })
    return { entries: response.entries, hasMore: response.hasMore }
  }

  /** Ask the relay to keep a den's envelopes for its members. */
  async hostDen (descriptor: Uint8Array, roster: Uint8Array): Promise<void> {
    await this.#request({ denHost: { descriptor, roster } })
  }

  /** A raw request, for tests of the relay's refusals (e.g. naming another agent's mailbox). */
  async request (request: Request): Promise<Response> {
    return await this.#request(request)
  }

  close (): void {
    this.#closed = true
    void this.#stream?.then(stream => { stream.abort(new Error('relay client closed')) }, () => {})
    this.#stream = undefined
    this.#failAll(new RelayUnavailableError('relay client closed'))
    // callers waiting for a slot give up
    for (const wake of this.#waiting.splice(0)) wake()
  }

  async #request (request: Request): Promise<Response> {
    // a slot is taken before the stream is opened: callers that arrive while it opens wait too
    while (this.#inFlight >= MAX_IN_FLIGHT_REQUESTS && !this.#closed) await new Promise<void>(resolve => this.#waiting.push(resolve))
    if (this.#closed) throw new RelayUnavailableError('relay client closed')
    this.#inFlight++
    try {
      const stream = await this.#open()
      const id = this.#nextId
      this.#nextId = this.#nextId >= 0xffff_fff0 ? 1 : this.#nextId + 1
      const response = new Promise<Response>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#settle(id)?.reject(new RelayUnavailableError(`relay ${this.relay.toString()} did not answer in time`))
        }, this.#options.requestTimeout ?? REQUEST_TIMEOUT)
        this.#pending.set(id, { resolve, reject, timer })
      })
      try {
        await writeFrame(stream, RelayFrame.encode({ version: RELAY_FRAME_VERSION, id, ...request } as Partial<RelayFrame>))
      } catch (err) {
        this.#settle(id)?.reject(new RelayUnavailableError(`relay ${this.relay.toString()}: ${(err as Error).message}`))
      }
      const answer = await response
      if (answer.refusal !== Response.Refusal.NONE) throw new RelayRefusedError(answer.refusal, answer.detail, answer.retryAfterMs)
      return answer
    } finally {
      this.#inFlight--
      this.#waiting.shift()?.()
    }
  }

  #settle (id: number): Pending | undefined {
    const pending = this.#pending.get(id)
    if (pending == null) return undefined
    this.#pending.delete(id)
    clearTimeout(pending.timer)
    return pending
  }

  async #open (): Promise<Stream> {
    if (this.#stream != null) return await this.#stream
    const opening = this.#dial(this.relay, RELAY_PROTOCOL, {
      signal: AbortSignal.timeout(this.#options.dialTimeout ?? RELAY_DIAL_TIMEOUT)
    }).then((stream) => {
      stream.inactivityTimeout = 0
      this.#read(stream)
      return stream
    })
    this.#stream = opening
    try {
      return await opening
    } catch (err) {
      if (this.#stream === opening) this.#stream = undefined
      throw new RelayUnavailableError(`cannot reach relay ${this.relay.toString()}: ${(err as Error).message}`)
    }
  }

  #read (stream: Stream): void {
    const run = async (): Promise<void> => {
      for await (const bytes of readFrames(stream, { maxLength: MAX_RESPONSE_BYTES })) {
        let frame: RelayFrame
        try {
          frame = RelayFrame.decode(bytes)
        } catch (err) {
          throw new RelayFrameError(`relay frame: ${(err as Error).message}`)
        }
        if (frame.version !== RELAY_FRAME_VERSION) throw new RelayFrameError(`relay frame: unknown version ${frame.version}`)
        if (frame.id === 0) {
          if (frame.push == null) throw new RelayFrameError('relay frame: id 0 without a push')
          this.#options.onPush?.({ seq: Number(frame.push.seq), envelope: frame.push.envelope })
          continue
        }
        if (frame.response == null) throw new RelayFrameError('relay frame: a response without a response')
        this.#settle(frame.id)?.resolve(frame.response)
      }
    }
    run()
      .catch((err: Error) => {
        log('relay stream to %p ended: %s', this.relay, err.message)
        stream.abort(err)
      })
      .finally(() => {
        void this.#stream?.then(current => {
          if (current !== stream) return
          this.#stream = undefined
          this.#failAll(new RelayUnavailableError(`stream to relay ${this.relay.toString()} ended`))
          if (!this.#closed) this.#options.onClosed?.()
        }, () => {})
      })
  }

  #failAll (err: Error): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(err)
  }
}
