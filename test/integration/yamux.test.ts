/**
 * yamux as nodes built by `createAgentLibp2p` run it (src/node/yamux.ts):
 * window updates at half a window instead of after every data frame, over
 * real TCP on 127.0.0.1. The sender's send window shows the updates it got;
 * stock @libp2p/yamux is the control, and must keep working against ours.
 */
import { yamux } from '@libp2p/yamux'
import { byteStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { TestNodes } from './helpers.js'
import type { TestNode } from './helpers.js'
import type { Stream } from '@libp2p/interface'

const SINK = '/agentmsg-test/sink/1.0.0'
/** @libp2p/yamux's initial stream window (256 KiB) */
const WINDOW = 256 * 1024
/** @libp2p/yamux's largest stream window, which its auto-tuning may grow to (16 MiB) */
const MAX_WINDOW = 16 * 1024 * 1024
const FRAME = 1000

const nodes = new TestNodes()
afterEach(async () => { await nodes.stopAll() })

/** The sender's view of its yamux stream (a yamux internal: bytes it may still send). */
function sendWindow (stream: Stream): number {
  const capacity = (stream as unknown as { sendWindowCapacity?: unknown }).sendWindowCapacity
  if (typeof capacity !== 'number') throw new Error('not a yamux stream: no sendWindowCapacity')
  return capacity
}

/** The byte at `i` of the test pattern: a stream that loses, repeats or reorders bytes does not match it. */
const patternAt = (i: number): number => (i * 7 + (i >>> 10)) & 0xff

function chunk (offset: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = patternAt(offset + i)
  return bytes
}

/**
 * `receiver` reads `total` bytes on each sink stream, checks them against the
 * pattern, then writes one byte back: whatever window updates it sent went
 * out before that byte, so the sender's window is final once the byte is in.
 */
async function sink (receiver: TestNode, total: number): Promise<void> {
  await receiver.node.handle(SINK, async (stream) => {
    // byteStream's buffer does not hold the stream back; yamux's window (grown up to 16 MiB) does
    const bytes = byteStream(stream, { maxBufferSize: 2 * MAX_WINDOW })
    let offset = 0
    while (offset < total) {
      const got = (await bytes.read({ bytes: Math.min(64 * 1024, total - offset) })).subarray()
      for (let i = 0; i < got.byteLength; i++) {
        if (got[i] !== patternAt(offset + i)) throw new Error(`byte ${offset + i} differs`)
      }
      offset += got.byteLength
    }
    await bytes.write(new Uint8Array([1]))
    await stream.close()
  })
}

/** Sends `total` pattern bytes in `frame`-byte writes to `receiver`'s sink and waits for its one-byte answer. */
async function send (sender: TestNode, receiver: TestNode, total: number, frame: number): Promise<Stream> {
  const conn = await sender.node.dial(multiaddr(receiver.tcpAddr))
  const stream = await conn.newStream(SINK)
  const bytes = byteStream(stream)
  for (let offset = 0; offset < total; offset += frame) {
    if (!stream.send(chunk(offset, Math.min(frame, total - offset)))) await stream.onDrain()
  }
  const answer = await bytes.read({ bytes: 1 })
  expect(answer.get(0)).toBe(1)
  return stream
}

describe('yamux with window updates at half a window', { timeout: 60_000 }, () => {
  it('gives no window back while more than half of it is left', async () => {
    const a = await nodes.start()
    const b = await nodes.start()
    const total = 100 * FRAME // 100 KB: less than half the window
    await sink(b, total)
    const stream = await send(a, b, total, FRAME)
    // the stream's first frame opens it (SYN) and is answered at once (ACK, with the window so far);
    // the rest get no update, so at most one frame's worth came back
    expect(sendWindow(stream)).toBeLessThanOrEqual(WINDOW - total + FRAME)
  })

  it('stock yamux gives the window back after every frame (the control)', async () => {
    // (and, answering that fast, grows it: at least the whole initial window is back)
    const a = await nodes.start({ streamMuxers: [yamux()] })
    const b = await nodes.start({ streamMuxers: [yamux()] })
    const total = 100 * FRAME
    await sink(b, total)
    const stream = await send(a, b, total, FRAME)
    expect(sendWindow(stream)).toBeGreaterThanOrEqual(WINDOW)
  })

  it('gives the window back once half of it is used', async () => {
    const a = await nodes.start()
    const b = await nodes.start()
    const total = 200 * FRAME // 200 KB: past half the window, within one window
    await sink(b, total)
    const stream = await send(a, b, total, FRAME)
    // an update went out once less than half was left: without it ~63 KB would be left, with it over half
    expect(sendWindow(stream)).toBeGreaterThan(WINDOW / 2)
  })

  it('carries many windows intact, in small and in large writes', async () => {
    const a = await nodes.start()
    const b = await nodes.start()
    const total = 8 * 1024 * 1024 // 32 windows at yamux's initial size
    await sink(b, total)
    await send(a, b, total, 256)
    await send(a, b, total, 64 * 1024)
  })

  it('works with stock yamux on the other end, both ways', async () => {
    const ours = await nodes.start()
    const stock = await nodes.start({ streamMuxers: [yamux()] })
    const total = 4 * 1024 * 1024
    await sink(ours, total)
    await sink(stock, total)
    await send(ours, stock, total, 4096)
    await send(stock, ours, total, 4096)
  })
})
