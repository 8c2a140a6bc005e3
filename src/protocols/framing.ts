/**
 * Length-prefixed frames on js-libp2p v3 streams, shared by every agentmsg
 * protocol (card, dm, relay, …).
 *
 * A frame on the wire is `varint(length) || bytes`: unsigned LEB128, the same
 * framing as libp2p's own protocols (identify, kad-dht) and it-length-prefixed.
 *
 * ## How v3 streams work (what this module relies on)
 *
 * A v3 `Stream` is an event target, not a duplex of async iterables:
 * `stream.send(bytes)` queues bytes and returns `false` when the caller should
 * wait for the `drain` event (`stream.onDrain()`); received bytes arrive as
 * `message` events, and are buffered inside the stream while nobody listens.
 * `stream.close()` half-closes our writable end; the remote's half-close shows
 * as `remoteWriteStatus !== 'writable'` (and a `remoteCloseWrite` event);
 * `stream.abort(err)` resets both ends.
 *
 * Reading uses `byteStream()` from `@libp2p/utils`, the helper libp2p's
 * own `lpStream`/`pbStream` are built on. Unlike `lpStream.read()`, which
 * throws the same `UnexpectedEOFError` for a clean end between frames and for
 * a truncated frame, the reader here tells them apart: `read()` resolves
 * `undefined` at a clean end and throws `TruncatedFrameError` mid-frame.
 * Bytes read past the last frame are handed back to the stream on
 * `unwrap()` (and when `readFrame`/`readFrames` finish), so a stream can
 * change hands or protocols without losing data.
 *
 * @example
 * ```ts
 * // request/response on one stream
 * await writeFrame(stream, request, { signal })
 * const response = await readFrame(stream, { maxLength: 16 * 1024, signal })
 * await stream.close({ signal })
 *
 * // a long-lived stream of frames
 * for await (const frame of readFrames(stream, { maxLength: 64 * 1024 })) {
 *   handle(frame)
 * }
 * ```
 */
import { byteStream } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import type { AbortOptions, MessageStream } from '@libp2p/interface'
import type { ByteStream } from '@libp2p/utils'

/** A frame announced a length above `maxLength`. The stream has been aborted. */
export class FrameTooLargeError extends Error {
  override name = 'FrameTooLargeError'
}

/** The length prefix was not a valid varint. The stream has been aborted. */
export class InvalidFrameError extends Error {
  override name = 'InvalidFrameError'
}

/** The stream ended in the middle of a frame. */
export class TruncatedFrameError extends Error {
  override name = 'TruncatedFrameError'
}

/** `readFrame` found the stream ended (cleanly) before any frame. */
export class StreamEndedError extends Error {
  override name = 'StreamEndedError'
}

export interface ReadFrameOptions extends AbortOptions {
  /** Largest frame (excluding its prefix) accepted; a larger announced length aborts the stream. */
  maxLength: number
  /**
   * Most bytes buffered while the reader is behind the network; beyond it the
   * stream is reset by `byteStream`.
   *
   * @default max(4 MiB, 2 * (maxLength + 10))
   */
  maxBufferSize?: number
}

export interface WriteFrameOptions extends AbortOptions {
  /** Refuse (throw `FrameTooLargeError`) to write a frame larger than this. */
  maxLength?: number
}

const MAX_VARINT_BYTES = 5 // lengths are < 2^32 here

/** The varint prefix for `length`. */
export function encodeLength (length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0 || length > 0xffffffff) {
    throw new RangeError(`frame length out of range: ${length}`)
  }
  const out: number[] = []
  let n = length
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return Uint8Array.from(out)
}

/**
 * Queues one frame; waits for `drain` when the stream asks for it. Returns
 * when the bytes are handed to the muxer, not when the peer has them.
 */
export async function writeFrame (stream: MessageStream, frame: Uint8Array | Uint8ArrayList, options: WriteFrameOptions = {}): Promise<void> {
  options.signal?.throwIfAborted()
  if (options.maxLength != null && frame.byteLength > options.maxLength) {
    throw new FrameTooLargeError(`frame of ${frame.byteLength} bytes exceeds ${options.maxLength}`)
  }
  if (!stream.send(new Uint8ArrayList(encodeLength(frame.byteLength), frame))) {
    await stream.onDrain(options)
  }
}

/**
 * Reads frames one at a time from a stream. Attaches a `message` listener
 * until `unwrap()`: while it is attached, nobody else should read the stream.
 */
export class FrameReader<S extends MessageStream = MessageStream> {
  readonly #stream: S
  readonly #bytes: ByteStream<S>
  readonly #buffer = new Uint8ArrayList()
  readonly #maxLength: number
  readonly #maxLengthBytes: number
  #unwrapped = false

  constructor (stream: S, options: Omit<ReadFrameOptions, 'signal'>) {
    if (!Number.isSafeInteger(options.maxLength) || options.maxLength < 0 || options.maxLength > 0xffffffff) {
      throw new RangeError(`maxLength out of range: ${options.maxLength}`)
    }
    this.#stream = stream
    this.#maxLength = options.maxLength
    this.#maxLengthBytes = Math.min(MAX_VARINT_BYTES, encodeLength(options.maxLength).length)
    this.#bytes = byteStream(stream, {
      maxBufferSize: options.maxBufferSize ?? Math.max(4 * 1024 * 1024, 2 * (options.maxLength + 10))
    })
  }

  /**
   * The next frame, or `undefined` when the remote closed its writable end
   * cleanly between frames.
   *
   * @throws FrameTooLargeError | InvalidFrameError - the stream is aborted
   * @throws TruncatedFrameError - the stream ended inside a frame
   * @throws the signal's reason when aborted; the stream is left as it is
   */
  async read (options: AbortOptions = {}): Promise<Uint8Array | undefined> {
    if (this.#unwrapped) throw new Error('FrameReader was unwrapped')
    while (true) {
      const frame = this.#takeFrame()
      if (frame != null) return frame
      const chunk = await this.#bytes.read(options)
      if (chunk == null) {
        if (this.#buffer.byteLength === 0) return undefined
        throw new TruncatedFrameError(`stream ended inside a frame (${this.#buffer.byteLength} bytes buffered)`)
      }
      this.#buffer.append(chunk)
    }
  }

  /** Stops reading; any bytes read past the last frame go back to the stream. */
  unwrap (): S {
    if (this.#unwrapped) return this.#stream
    this.#unwrapped = true
    const stream = this.#bytes.unwrap()
    // byteStream put back what it held; ours came earlier, so it goes first
    if (this.#buffer.byteLength > 0 && stream.status === 'open') {
      stream.unshift(this.#buffer.sublist())
      this.#buffer.consume(this.#buffer.byteLength)
    }
    return stream
  }

  #takeFrame (): Uint8Array | undefined {
    const buffer = this.#buffer
    let length = 0
    let scale = 1
    let i = 0
    for (; ; i++) {
      if (i >= buffer.byteLength) return undefined
      if (i >= this.#maxLengthBytes) {
        // a prefix longer than maxLength needs cannot announce an acceptable length
        return this.#fail(new FrameTooLargeError(`frame length prefix longer than ${this.#maxLengthBytes} bytes`))
      }
      const b = buffer.get(i)
      length += (b & 0x7f) * scale
      scale *= 128
      if ((b & 0x80) === 0) break
    }
    if (length > this.#maxLength) {
      return this.#fail(new FrameTooLargeError(`frame of ${length} bytes exceeds ${this.#maxLength}`))
    }
    const prefix = i + 1
    if (buffer.byteLength < prefix + length) return undefined
    const frame = buffer.subarray(prefix, prefix + length)
    buffer.consume(prefix + length)
    return frame
  }

  #fail (err: Error): never {
    this.#buffer.consume(this.#buffer.byteLength)
    this.#stream.abort(err)
    throw err
  }
}

/**
 * Exactly one frame. Bytes after it stay in the stream for the next reader.
 *
 * @throws StreamEndedError - the stream ended cleanly before a frame
 */
export async function readFrame (stream: MessageStream, options: ReadFrameOptions): Promise<Uint8Array> {
  const reader = new FrameReader(stream, options)
  try {
    const frame = await reader.read(options)
    if (frame == null) throw new StreamEndedError('stream ended before a frame')
    return frame
  } finally {
    reader.unwrap()
  }
}

/**
 * Every frame until the remote closes its writable end. Breaking out of the
 * loop hands unread bytes back to the stream. The signal, if given, bounds
 * the whole iteration.
 */
export async function * readFrames (stream: MessageStream, options: ReadFrameOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = new FrameReader(stream, options)
  try {
    while (true) {
      const frame = await reader.read(options)
      if (frame == null) return
      yield frame
    }
  } finally {
    reader.unwrap()
  }
}
