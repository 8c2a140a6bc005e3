/**
 * src/node/yamux.ts alone, on a stand-in for @libp2p/yamux: which window
 * updates a stream sends or skips, and that a yamux without the internals it
 * relies on is left as it is. The real muxer over TCP: test/integration/yamux.test.ts.
 */
import { describe, expect, it, vi } from 'vitest'
import { StreamState } from '@libp2p/yamux/stream'

/** what the stand-in muxer's _newStream returns next */
let nextStream: unknown
/** whether the stand-in muxer has a _newStream at all */
let withNewStream = true

vi.mock('@libp2p/yamux', () => ({
  yamux: () => () => ({
    protocol: '/yamux/1.0.0',
    createStreamMuxer: () => withNewStream ? { _newStream: () => nextStream } : { other: true }
  })
}))

const { lazyWindowYamux } = await import('../../../src/node/yamux.js')

interface FakeStream { state: StreamState, recvWindow: number, recvWindowCapacity: number, sendWindowUpdate: () => void, updates: number }

function fakeStream (state: StreamState, recvWindow: number, recvWindowCapacity: number): FakeStream {
  const stream: FakeStream = { state, recvWindow, recvWindowCapacity, updates: 0, sendWindowUpdate: () => { stream.updates++ } }
  return stream
}

/** A stream made through a muxer of lazyWindowYamux's factory. */
function made (stream: unknown): unknown {
  nextStream = stream
  const muxer = lazyWindowYamux()().createStreamMuxer({} as never) as unknown as { _newStream: (...args: unknown[]) => unknown }
  return muxer._newStream(1, StreamState.Init, 'outbound')
}

describe('lazyWindowYamux', () => {
  it('an established stream sends no update while more than half its window is left, and one at half', () => {
    const stream = made(fakeStream(StreamState.Established, 1000, 1000)) as FakeStream
    for (const capacity of [1000, 999, 501]) {
      stream.recvWindowCapacity = capacity
      stream.sendWindowUpdate()
    }
    expect(stream.updates).toBe(0)
    stream.recvWindowCapacity = 500
    stream.sendWindowUpdate()
    expect(stream.updates).toBe(1)
    stream.recvWindowCapacity = 0
    stream.sendWindowUpdate()
    expect(stream.updates).toBe(2)
  })

  it('opening and paused streams always go through yamux\'s own update (it carries their SYN or ACK)', () => {
    for (const state of [StreamState.Init, StreamState.SYNSent, StreamState.SYNReceived, StreamState.Paused]) {
      const stream = made(fakeStream(state, 1000, 999)) as FakeStream
      stream.sendWindowUpdate()
      expect(stream.updates).toBe(1)
    }
  })

  it('leaves what does not look like a yamux stream, or a muxer without _newStream, as it is', () => {
    const odd = { sendWindowUpdate: 'not a function' }
    expect(made(odd)).toEqual({ sendWindowUpdate: 'not a function' })
    withNewStream = false
    try {
      expect(lazyWindowYamux()().createStreamMuxer({} as never)).toEqual({ other: true })
    } finally {
      withNewStream = true
    }
  })
})
