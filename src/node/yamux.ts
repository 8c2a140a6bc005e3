/**
 * yamux as agentmsg nodes run it: `@libp2p/yamux` with one change, its
 * streams give their peer more receive window once half of it is used, not
 * after every data frame.
 *
 * @libp2p/yamux 8 answers every data frame it receives with a WindowUpdate
 * frame (`YamuxStream.handleData` → `sendWindowUpdate`, which tops the window
 * up as soon as any of it is used). Each is a frame of its own: a Noise
 * encryption and a socket write on the receiving side, a decryption on the
 * sending side, and it runs synchronously before the receiving protocol sees
 * its data. One DM costs two of them (the envelope's and the ack's). go-yamux
 * and rust-yamux send the update once half the window is used; so do these
 * streams. The window and its auto-tuning (doubling when half a window is
 * read within four round trips) are yamux's own; only when the update goes
 * changes. The peer never waits for window while it holds more than half of
 * it, so nothing stalls, and the wire format is untouched: any yamux peer
 * works with it.
 *
 * @libp2p/yamux offers no option for this, so it is done per stream, on the
 * muxers this factory makes (nothing global is patched): the muxer's
 * `_newStream` and the stream's `state`, `recvWindow`, `recvWindowCapacity`
 * and `sendWindowUpdate` are yamux internals. If a yamux release no longer
 * has them, streams keep yamux's own behaviour, and
 * test/integration/yamux.test.ts fails.
 */
import { yamux } from '@libp2p/yamux'
import { StreamState } from '@libp2p/yamux/stream'
import type { YamuxMuxerInit } from '@libp2p/yamux'
import type { StreamMuxerFactory } from '@libp2p/interface'

/** The parts of a `YamuxStream` this module reads and replaces. */
interface StreamInternals {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
  sendWindowUpdate: () => void
}

/** The part of a `YamuxMuxer` this module wraps. */
interface MuxerInternals {
  _newStream: (streamId: number, state: StreamState, direction: 'inbound' | 'outbound') => unknown
}

function isStream (value: unknown): value is StreamInternals {
  const s = value as Partial<StreamInternals> | null
  return s != null && typeof s.sendWindowUpdate === 'function' && typeof s.recvWindow === 'number' &&
    typeof s.recvWindowCapacity === 'number' && typeof s.state === 'number'
}

function hasNewStream (muxer: unknown): muxer is MuxerInternals {
  return typeof (muxer as Partial<MuxerInternals>)._newStream === 'function'
}

/**
 * Make `stream` top its receive window up only once less than half of it is
 * left. Streams still opening (their SYN or ACK rides on the update) and
 * paused ones go through yamux's own `sendWindowUpdate`.
 */
function lazyWindow (stream: StreamInternals): void {
  const update = stream.sendWindowUpdate
  stream.sendWindowUpdate = function (this: StreamInternals) {
    if (this.state === StreamState.Established && this.recvWindowCapacity * 2 > this.recvWindow) return
    update.call(this)
  }
}

/** `yamux(init)` of @libp2p/yamux whose streams send window updates at half a window (see above). */
export function lazyWindowYamux (init: YamuxMuxerInit = {}): () => StreamMuxerFactory {
  const stock = yamux(init)
  return () => {
    // the same factory object (its protocol, capabilities and tags), its muxers' streams changed
    const factory = stock()
    const createStreamMuxer = factory.createStreamMuxer.bind(factory)
    factory.createStreamMuxer = (maConn) => {
      const muxer = createStreamMuxer(maConn)
      const internals: unknown = muxer
      if (!hasNewStream(internals)) return muxer
      const newStream = internals._newStream
      internals._newStream = function (this: MuxerInternals, ...args: Parameters<MuxerInternals['_newStream']>) {
        const stream = newStream.apply(this, args)
        if (isStream(stream)) lazyWindow(stream)
        return stream
      }
      return muxer
    }
    return factory
  }
}
