/**
 * Frames written to one stream in the same turn of the event loop go out in
 * one `stream.send`.
 *
 * Every `send` costs a yamux data frame, a Noise encryption, a TCP write and,
 * on the far side, a decryption (and, with stock yamux, a window update sent
 * back: src/node/yamux.ts sends those at half a window instead). A DM
 * stream carries up to 256 envelopes (or acks) written back to back, so
 * writing them one by one paid that per frame. Here the frames are gathered
 * and handed over once the current run of microtasks is done
 * (`process.nextTick`), which is after every write that the same I/O event
 * led to (a group commit resolving, a window of envelopes), and before the
 * event loop polls again, so a lone frame is not held back.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import { encodeLength } from '../framing.js'
import { DM_FRAME_VERSION } from './constants.js'
import type { Stream } from '@libp2p/interface'

/**
 * The `DmFrame` header in front of an envelope (`version` = 1, then the
 * `envelope` field's tag and length), so the envelope itself is not copied.
 * The same bytes as `DmFrame.encode({ version, envelope })`.
 */
export function envelopeFrameHeader (envelopeLength: number): Uint8Array {
  const length = encodeLength(envelopeLength)
  const header = new Uint8Array(3 + length.length)
  header[0] = 0x08
  header[1] = DM_FRAME_VERSION
  header[2] = 0x12
  header.set(length, 3)
  return header
}

export class FrameWriter {
  readonly #stream: Stream
  #pending = new Uint8ArrayList()
  #scheduled = false
  #drain: Promise<void> | undefined
  #error: Error | undefined

  constructor (stream: Stream) {
    this.#stream = stream
  }

  /**
   * Queue one frame, given as the parts it is the concatenation of (the
   * length prefix is added here; the parts are not copied, so the caller
   * must not change them). Returns a promise to wait for when the stream has
   * asked writers to hold back until it drains, else undefined. Throws the
   * error that ended an earlier flush.
   */
  write (...parts: Uint8Array[]): Promise<void> | undefined {
    if (this.#error != null) throw this.#error
    let length = 0
    for (const part of parts) length += part.byteLength
    this.#pending.append(encodeLength(length))
    for (const part of parts) this.#pending.append(part)
    if (!this.#scheduled) {
      this.#scheduled = true
      process.nextTick(() => { this.flush() })
    }
    return this.#drain
  }

  /**
   * Hand everything queued to the stream now (before closing it, say). A
   * stream that is no longer writable drops the frames: unacked envelopes stay
   * in the sender's outbox and go again on the next stream. A stream that
   * throws is aborted.
   */
  flush (): void {
    this.#scheduled = false
    if (this.#pending.byteLength === 0) return
    const frames = this.#pending
    this.#pending = new Uint8ArrayList()
    if (this.#stream.writeStatus !== 'writable') return
    try {
      if (!this.#stream.send(frames) && this.#drain == null) {
        this.#drain = this.#stream.onDrain().then(
          () => { this.#drain = undefined },
          (err: Error) => { this.#error ??= err }
        )
      }
    } catch (err) {
      this.#error ??= err as Error
      this.#stream.abort(err as Error)
    }
  }
}
