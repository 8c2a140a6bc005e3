/**
 * Ping between two nodes built by `createAgentLibp2p` (TCP on 127.0.0.1,
 * level datastores), next to libp2p's connection monitor: it probes every
 * connection with a ping stream and aborts the connection when a probe
 * fails, e.g. because the previous ping stream still counts against the
 * ping service's stream limit.
 */
import { ping as libp2pPing } from '@libp2p/ping'
import { byteStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { TestNodes } from './helpers.js'
import type { TestNode } from './helpers.js'
import type { Connection, Libp2p, Stream, StreamCloseEvent } from '@libp2p/interface'

const PING = '/ipfs/ping/1.0.0'

const nodes = new TestNodes()
afterEach(async () => { await nodes.stopAll() })

/** Rejects with `what` unless `promise` settles within `ms`. */
async function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`timed out after ${ms} ms: ${what}`)) }, ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The stream's `close` event: `error` is set when it was reset or aborted. */
async function closeOf (stream: Stream): Promise<StreamCloseEvent> {
  return await new Promise(resolve => { stream.addEventListener('close', resolve, { once: true }) })
}

/**
 * Holds the next ping stream `node` accepts back from its handler until
 * `release(stream)` settles: a node too busy to start the handler at once
 * (libp2p awaits a peer-store write between negotiating the protocol and
 * calling the handler). Only the next stream: libp2p appends the handler to
 * the middleware list it was given, so the list is dropped at once.
 */
function holdNextPing (node: Libp2p, release: (stream: Stream) => Promise<unknown>): void {
  node.use(PING, async (stream, connection, next) => {
    node.unuse(PING)
    await release(stream)
    next(stream, connection)
  })
}

/** Once the remote has closed its write end of `stream` (at once if it has). */
async function remoteClosed (stream: Stream): Promise<void> {
  if (stream.remoteWriteStatus !== 'writable') return
  await new Promise(resolve => { stream.addEventListener('remoteCloseWrite', resolve, { once: true }) })
}

/**
 * Counts the ping streams opened on `conn` (the connection monitor opens one
 * per probe); `reach(n)` resolves at the n-th and rejects as soon as the
 * connection closes.
 */
function pingStreams (conn: Connection): { count: () => number, reach: (n: number) => Promise<void> } {
  let count = 0
  const waiting: Array<{ n: number, resolve: () => void }> = []
  const newStream = conn.newStream.bind(conn)
  conn.newStream = async (protocols, options) => {
    const stream = await newStream(protocols, options)
    if (stream.protocol === PING) {
      count++
      for (const w of waiting.filter(w => count >= w.n)) w.resolve()
    }
    return stream
  }
  const closed = new Promise<never>((_resolve, reject) => {
    conn.addEventListener('close', (evt) => { reject(new Error(`connection closed: ${(evt as StreamCloseEvent).error?.message ?? 'no error'}`)) }, { once: true })
  })
  closed.catch(() => {})
  return {
    count: () => count,
    reach: async (n) => {
      if (count >= n) return
      await Promise.race([new Promise<void>(resolve => { waiting.push({ n, resolve }) }), closed])
    }
  }
}

describe('ping', () => {
  it('echoes a ping whose sender closed its write end before our handler started, and closes the stream at once', async () => {
    const a = await nodes.start({ connectionMonitor: { enabled: false } })
    const b = await nodes.start({ connectionMonitor: { enabled: false } })
    const conn = await a.node.dial(multiaddr(b.tcpAddr))
    holdNextPing(b.node, remoteClosed)

    // what @libp2p/ping's ping() (kad-dht's routing-table check) puts on the wire
    const stream = await conn.newStream(PING)
    const closed = closeOf(stream)
    const bytes = byteStream(stream)
    const payload = crypto.getRandomValues(new Uint8Array(32))
    await bytes.write(payload)
    await stream.close()

    const echo = await bytes.read({ bytes: 32, signal: AbortSignal.timeout(5_000) })
    expect(new Uint8Array(echo.subarray())).toEqual(payload)
    // B's close, not the reset its handler's 10 s timeout would send
    const evt = await within(closed, 3_000, "B's end of the ping stream to close")
    expect(evt.error).toBeUndefined()
    expect(conn.streams.filter(s => s.protocol === PING)).toEqual([])
  })

  /**
   * The dm bench's failure: kad-dht pinged the other agent as they connected,
   * that agent started its ping handler late, and the monitor's next probe
   * aborted their connection. Here B holds its handler back for 300 ms (or
   * until the ping's sender has closed, if sooner) and A's monitor probes
   * every 500 ms.
   */
  async function pingThenProbe (b: Pick<TestNode, 'peerId' | 'tcpAddr'> & { node: Libp2p }): Promise<void> {
    const a = await nodes.start({ connectionMonitor: { pingInterval: 500 } })
    const conn = await a.node.dial(multiaddr(b.tcpAddr))
    const streams = pingStreams(conn)
    holdNextPing(b.node, async (stream) => { await Promise.race([remoteClosed(stream), new Promise(resolve => setTimeout(resolve, 300))]) })

    await a.node.services.ping.ping(b.peerId)
    const after = streams.count()
    await within(streams.reach(after + 3), 5_000, 'three probes after the ping')
    expect(conn.status).toBe('open')
  }

  it('keeps the connection of an agent that pings an agent slow to start its handler: the monitor probes it again and again', async () => {
    await pingThenProbe(await nodes.start({ connectionMonitor: { enabled: false } }))
  })

  it('keeps it when the slow peer runs @libp2p/ping (another libp2p node, an older agentmsg)', async () => {
    await pingThenProbe(await nodes.start({ connectionMonitor: { enabled: false }, services: () => ({ ping: libp2pPing() }) }))
  })

  it('lets the monitor probe a connection while another ping on it (kad-dht\'s) waits for its echo', async () => {
    const a = await nodes.start({ connectionMonitor: { pingInterval: 300 } })
    const b = await nodes.start({ connectionMonitor: { enabled: false } })
    const conn = await a.node.dial(multiaddr(b.tcpAddr))
    const streams = pingStreams(conn)
    let release = (): void => {}
    holdNextPing(b.node, async () => { await new Promise<void>(resolve => { release = resolve }) })

    const first = a.node.services.ping.ping(b.peerId)
    // a probe while the first ping is held at B
    await within(streams.reach(2), 5_000, 'a probe while a ping is on the wire')
    release()
    await first
    expect(conn.status).toBe('open')
  })
})
