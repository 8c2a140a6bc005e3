import { serviceCapabilities } from '@libp2p/interface'
import { byteStream, streamPair } from '@libp2p/utils'
import { afterEach, describe, expect, it } from 'vitest'
import { PING_LENGTH, agentPing } from '../../../src/node/ping.js'
import type { PingComponents, PingInit } from '@libp2p/ping'
import type { Startable, Stream, StreamCloseEvent, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'

const PING = '/ipfs/ping/1.0.0'
const started: Startable[] = []
afterEach(async () => { await Promise.all(started.splice(0).map(async s => s.stop())) })

/**
 * A ping service whose registrar records the handler, and whose every
 * `openStream` is one stream pair: `remote(inbound)` plays the other peer.
 */
async function service (init: PingInit = {}, remote: (stream: Stream) => Promise<void> = async () => {}): Promise<{
  ping: ReturnType<ReturnType<typeof agentPing>>
  handler: () => StreamHandler
  options: () => StreamHandlerOptions
  outbound: () => Stream
}> {
  let handler: StreamHandler | undefined
  let options: StreamHandlerOptions | undefined
  let outbound: Stream | undefined
  const components = {
    registrar: {
      handle: async (protocol: string, h: StreamHandler, o: StreamHandlerOptions) => {
        expect(protocol).toBe(PING)
        handler = h
        options = o
      },
      unhandle: async () => {}
    },
    connectionManager: {
      openStream: async () => {
        const [out, inbound] = await streamPair()
        outbound = out
        void remote(inbound)
        return out
      }
    }
  } as unknown as PingComponents
  const ping = agentPing(init)(components)
  await ping.start()
  started.push(ping)
  return { ping, handler: () => handler!, options: () => options!, outbound: () => outbound! }
}

async function closeOf (stream: Stream): Promise<StreamCloseEvent> {
  return await new Promise(resolve => { stream.addEventListener('close', resolve, { once: true }) })
}

async function remoteClosed (stream: Stream): Promise<void> {
  if (stream.remoteWriteStatus !== 'writable') return
  await new Promise(resolve => { stream.addEventListener('remoteCloseWrite', resolve, { once: true }) })
}

describe('agentPing', () => {
  it('is a ping service for kad-dht and the connection monitor: its capability, protocol and limits', async () => {
    const { ping, options } = await service()
    expect((ping as unknown as Record<symbol, unknown>)[serviceCapabilities]).toEqual(['@libp2p/ping'])
    expect(options()).toEqual({ maxInboundStreams: 2, maxOutboundStreams: 2, runOnLimitedConnection: true })
  })

  it('ping() closes its write end only after the echo, so a late handler still sees the close', async () => {
    let writeStatusAtPayload: string | undefined
    const { ping, outbound } = await service({}, async (remote) => {
      const bytes = byteStream(remote)
      const data = await bytes.read({ bytes: PING_LENGTH })
      writeStatusAtPayload = outbound().writeStatus
      await bytes.write(data)
      await remoteClosed(remote)
      await remote.close()
    })
    await expect(ping.ping({} as never)).resolves.toBeGreaterThanOrEqual(0)
    expect(writeStatusAtPayload).toBe('writable')
    // and the stream ends with both sides' close, not a reset
    if (outbound().status === 'open') await closeOf(outbound())
    expect(outbound().status).toBe('closed')
  })

  it('ping() refuses a wrong echo and resets the stream', async () => {
    const { ping, outbound } = await service({}, async (remote) => {
      const bytes = byteStream(remote)
      const data = await bytes.read({ bytes: PING_LENGTH })
      await bytes.write(data.subarray().map(b => b ^ 1))
    })
    await expect(ping.ping({} as never)).rejects.toMatchObject({ name: 'ProtocolError' })
    expect(outbound().status).toBe('aborted')
  })

  it('echoes a sender that closed its write end before the handler started, and closes', async () => {
    const { handler } = await service()
    const [sender, receiver] = await streamPair()
    const closed = closeOf(sender)
    const payload = crypto.getRandomValues(new Uint8Array(PING_LENGTH))
    const bytes = byteStream(sender)
    await bytes.write(payload)
    await sender.close()
    // the handler starts only now, after the payload and the close arrived
    await remoteClosed(receiver)
    void handler()(receiver, {} as never)

    const echo = await bytes.read({ bytes: PING_LENGTH, signal: AbortSignal.timeout(2_000) })
    expect(new Uint8Array(echo.subarray())).toEqual(payload)
    expect((await closed).error).toBeUndefined()
  })

  it('resets a stream whose sender never closes once `timeout` has passed', async () => {
    const { handler } = await service({ timeout: 100 })
    const [sender, receiver] = await streamPair()
    const closed = closeOf(sender)
    void handler()(receiver, {} as never)
    const bytes = byteStream(sender)
    await bytes.write(new Uint8Array(PING_LENGTH))
    await bytes.read({ bytes: PING_LENGTH })
    expect((await closed).error).toBeDefined()
  })
})
