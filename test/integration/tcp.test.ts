/**
 * TCP as nodes built by `createAgentLibp2p` run it (src/node/tcp.ts): each
 * send reaches the socket in one write, over real TCP on 127.0.0.1. Stock
 * @libp2p/tcp is the control (a Noise message goes out as two writes, its
 * length and its ciphertext), and must keep working against ours.
 */
import { Socket } from 'node:net'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { byteStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { corkSends } from '../../src/node/tcp.js'
import { TestNodes } from './helpers.js'
import type { TestNode } from './helpers.js'
import type { MultiaddrConnection } from '@libp2p/interface'

const ECHO = '/agentmsg-test/echo/1.0.0'
const ROUNDS = 200
const FRAME = 256

const nodes = new TestNodes()
afterEach(async () => {
  vi.restoreAllMocks()
  await nodes.stopAll()
})

const stockTransports = { transports: [tcp(), webSockets()] }

async function echo (node: TestNode): Promise<void> {
  await node.node.handle(ECHO, async (stream) => {
    for await (const data of stream) {
      if (!stream.send(data)) await stream.onDrain()
    }
    await stream.close()
  })
}

/** The byte at `i` of the test pattern. */
const patternAt = (i: number): number => (i * 7 + (i >>> 10)) & 0xff

/**
 * `ROUNDS` frames from `a` to `b`'s echo, one at a time, each checked on its
 * way back; returns how many socket writes (`_write` and `_writev` calls, both
 * nodes together) the rounds took.
 */
async function rounds (a: TestNode, b: TestNode, frame = FRAME, count = ROUNDS): Promise<number> {
  const conn = await a.node.dial(multiaddr(b.tcpAddr))
  const stream = await conn.newStream(ECHO)
  const bytes = byteStream(stream, { maxBufferSize: 4 * frame })
  // one round first: the stream is open at both ends before counting starts
  await bytes.write(new Uint8Array(1))
  await bytes.read({ bytes: 1 })
  const write = vi.spyOn(Socket.prototype, '_write')
  const writev = vi.spyOn(Socket.prototype, '_writev')
  for (let r = 0; r < count; r++) {
    const out = new Uint8Array(frame).map((_, i) => patternAt(r * frame + i))
    await bytes.write(out)
    const back = (await bytes.read({ bytes: frame })).subarray()
    expect(Buffer.compare(back, out)).toBe(0)
  }
  const writes = write.mock.calls.length + writev.mock.calls.length
  write.mockRestore()
  writev.mockRestore()
  await stream.close()
  return writes
}

describe('TCP connections that write each send in one go', { timeout: 60_000 }, () => {
  it('write a Noise message in one socket write, where stock @libp2p/tcp takes two', async () => {
    const [a, b] = await nodes.spawn(2)
    await echo(b!)
    // a frame there, its echo back: one Noise message each way, and nothing else (yamux gives window back at half a window)
    const ours = await rounds(a!, b!)
    expect(ours).toBeGreaterThanOrEqual(2 * ROUNDS)
    expect(ours).toBeLessThanOrEqual(2 * ROUNDS + 10)

    const [c, d] = await nodes.spawn(2, stockTransports)
    await echo(d!)
    const stock = await rounds(c!, d!)
    expect(stock).toBeGreaterThanOrEqual(4 * ROUNDS)
  })

  it('carry large sends intact, to and from a stock @libp2p/tcp peer', async () => {
    const ours = await nodes.start()
    const stock = await nodes.start(stockTransports)
    await echo(ours)
    await echo(stock)
    // 64 KiB frames: several Noise messages per send
    await rounds(ours, stock, 64 * 1024, 16)
    await rounds(stock, ours, 64 * 1024, 16)
  })

  it('leave a connection that is not @libp2p/tcp\'s as it is', () => {
    const sendData = (): { sentBytes: number, canSendMore: boolean } => ({ sentBytes: 0, canSendMore: true })
    const other = { sendData, socket: {} } as unknown as MultiaddrConnection
    corkSends(other)
    expect((other as unknown as { sendData: unknown }).sendData).toBe(sendData)
  })
})
