/**
 * The ping protocol (`/ipfs/ping/1.0.0`, libp2p's ping spec) with
 * `@libp2p/ping`'s options and service capability, which kad-dht (it pings
 * each peer it adds to its routing table) and libp2p's connection monitor (a
 * probe on every connection every 10 s) rely on. Two things differ: the
 * order in which each side closes, because @libp2p/ping 3.1's order cost us
 * whole connections, and the default outbound stream limit
 * (PING_MAX_OUTBOUND_STREAMS).
 *
 * @libp2p/ping's `ping()` writes its 32 bytes and closes its write end at
 * once. When that close reaches the remote before its handler has started
 * (libp2p awaits a peer-store write between protocol negotiation and the
 * handler, so a busy node starts it late), the handler echoes the bytes and
 * then waits for a close it has already missed: the stream iterator of
 * @libp2p/utils 7.4 ends on a `remoteCloseWrite` (or `close`) event, never on
 * a close that came before it started. The handler sits until its 10 s
 * timeout resets the stream, and all that time the pinging side still counts
 * the stream as an outbound ping stream. The connection monitor's next probe
 * on that connection finds two where @libp2p/ping allows one, fails, and the
 * monitor aborts the connection with every stream on it. In the dm bench
 * kad-dht pinged the other agent when they connected, and their connection
 * died at the next heartbeat.
 *
 * @example
 * ```ts
 * const node = await createLibp2p({ services: { ping: agentPing() } })
 * const rtt = await node.services.ping.ping(peerId)
 * ```
 */
import { ProtocolError, serviceCapabilities } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { byteStream } from '@libp2p/utils'
import { equalBytes } from '../crypto/bytes.js'
import type { Ping, PingComponents, PingInit } from '@libp2p/ping'
import type { DialProtocolOptions, DialTarget, Startable, Stream } from '@libp2p/interface'

const log = logger('agentmsg:ping')

const second = 1000
/** bytes in one ping and its echo (the spec's payload) */
export const PING_LENGTH = 32
// @libp2p/ping's defaults, so that its options mean the same here
/** how long a ping may take, and how long the handler serves one stream */
export const PING_TIMEOUT = 10 * second
/** ping streams a peer may have open to us per connection (the spec: accept two) */
export const PING_MAX_INBOUND_STREAMS = 2
/**
 * Ping streams we open per connection: 2 where @libp2p/ping allows 1. Two
 * pingers share the limit: the connection monitor (a probe every 10 s) and
 * kad-dht (a ping to each peer it adds, usually as the peer connects). With
 * 1, a probe that starts while kad-dht's ping waits for its echo is refused,
 * and the monitor aborts the connection for it. The spec asks a pinger to
 * keep one stream at a time and a listener to accept two; each of our two
 * pingers keeps to one, so together they stay within what listeners accept
 * (PING_MAX_INBOUND_STREAMS here, the same in @libp2p/ping).
 */
export const PING_MAX_OUTBOUND_STREAMS = 2

/**
 * The ping service. Each side closes only after the other can have seen
 * everything, so neither depends on the other's handler starting early:
 * - `ping()` closes its write end after the echo has arrived (like the
 *   connection monitor's probe), not right after writing. A remote running
 *   @libp2p/ping's handler therefore always sees the close while it waits
 *   for it, echoes and closes, and our stream ends within a round trip;
 * - the handler reads through a byte stream, which checks the stream's state
 *   and not only its events: a sender that closed before the handler began
 *   (any @libp2p/ping peer does that) gets its echo and our close at once.
 *
 * @default @libp2p/ping's, but for 2 outbound streams: `timeout`
 * PING_TIMEOUT, `maxInboundStreams` PING_MAX_INBOUND_STREAMS,
 * `maxOutboundStreams` PING_MAX_OUTBOUND_STREAMS, `runOnLimitedConnection`
 * true, `protocolPrefix` 'ipfs'
 */
export function agentPing (init: PingInit = {}): (components: PingComponents) => Ping & Startable {
  return (components) => new AgentPing(components, init)
}

class AgentPing implements Ping, Startable {
  readonly [Symbol.toStringTag] = '@agentmsg/ping'
  // kad-dht declares a dependency on this capability
  readonly [serviceCapabilities]: string[] = ['@libp2p/ping']

  readonly #components: PingComponents
  readonly #protocol: string
  readonly #timeout: number
  readonly #maxInboundStreams: number
  readonly #maxOutboundStreams: number
  readonly #runOnLimitedConnection: boolean

  constructor (components: PingComponents, init: PingInit) {
    this.#components = components
    this.#protocol = `/${init.protocolPrefix ?? 'ipfs'}/ping/1.0.0`
    this.#timeout = init.timeout ?? PING_TIMEOUT
    this.#maxInboundStreams = init.maxInboundStreams ?? PING_MAX_INBOUND_STREAMS
    this.#maxOutboundStreams = init.maxOutboundStreams ?? PING_MAX_OUTBOUND_STREAMS
    this.#runOnLimitedConnection = init.runOnLimitedConnection ?? true
  }

  async start (): Promise<void> {
    await this.#components.registrar.handle(this.#protocol, async (stream) => { await this.#echo(stream) }, {
      maxInboundStreams: this.#maxInboundStreams,
      maxOutboundStreams: this.#maxOutboundStreams,
      runOnLimitedConnection: this.#runOnLimitedConnection
    })
  }

  async stop (): Promise<void> {
    await this.#components.registrar.unhandle(this.#protocol)
  }

  /** Echoes every payload until the remote has closed its write end and all it sent is echoed, then closes. */
  async #echo (stream: Stream): Promise<void> {
    const signal = AbortSignal.timeout(this.#timeout)
    const bytes = byteStream(stream)
    try {
      while (true) {
        // null once the remote has closed its write end and nothing is left to read,
        // whether that close came before this handler started or while it waits
        const data = await bytes.read({ signal })
        if (data == null) break
        await bytes.write(data, { signal })
      }
      await stream.close({ signal })
    } catch (err) {
      log('ping from %s ended - %e', stream.id, err)
      stream.abort(err as Error)
    }
  }

  /**
   * Round-trip time in ms. Gives up after the service's `timeout` (or the
   * caller's signal, whichever comes first).
   */
  async ping (peer: DialTarget, options: DialProtocolOptions = {}): Promise<number> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.#timeout), ...(options.signal == null ? [] : [options.signal])])
    const stream = await this.#components.connectionManager.openStream(peer, this.#protocol, {
      runOnLimitedConnection: this.#runOnLimitedConnection,
      ...options,
      signal
    })
    try {
      const bytes = byteStream(stream)
      const data = crypto.getRandomValues(new Uint8Array(PING_LENGTH))
      const start = Date.now()
      const [, pong] = await Promise.all([
        bytes.write(data, { signal }),
        bytes.read({ bytes: PING_LENGTH, signal })
      ])
      const rtt = Date.now() - start
      if (!equalBytes(pong.subarray(), data)) throw new ProtocolError(`Received wrong ping ack after ${rtt}ms`)
      // only now: a close sent with the payload is what left remote handlers waiting (module docs)
      await stream.close({ signal })
      return rtt
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
  }
}
