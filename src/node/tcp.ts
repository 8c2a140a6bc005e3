/**
 * TCP as agentmsg nodes run it: `@libp2p/tcp` whose connections hand the
 * kernel each send in one `writev`, not one `write` per buffer.
 *
 * A Noise message leaves @chainsafe/libp2p-noise 17 as two buffers, its
 * 2-byte length and its ciphertext, and @libp2p/tcp 11 writes every buffer
 * of a send with a `socket.write` of its own. With TCP_NODELAY (libp2p's
 * default) that is two syscalls and two segments per message: the receiver
 * wakes for 2 bytes, then again for the rest. Traced with strace on the dm
 * bench, every DM and every ack went out that way. (Noise concatenated the
 * two until its libp2p 3 rewrite: ChainSafe/js-libp2p-noise#387.) Corking the
 * socket around the writes of one send makes Node flush them together.
 *
 * @libp2p/tcp offers no option for this, so it is done per connection, on
 * the connections this factory's transports make (`connections.ts`; nothing
 * global is patched): the connection's `sendData` and `socket` are
 * @libp2p/tcp internals. A connection without them is left as it is, and
 * test/integration/transports.test.ts fails.
 */
import { tcp } from '@libp2p/tcp'
import { withPreparedConnections } from './connections.js'
import type { TCPComponents, TCPOptions } from '@libp2p/tcp'
import type { MultiaddrConnection, Transport } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The parts of @libp2p/tcp's connection this module reads and replaces. */
interface ConnectionInternals {
  socket: { cork: () => void, uncork: () => void }
  sendData: (data: Uint8ArrayList) => { sentBytes: number, canSendMore: boolean }
}

function isTcpConnection (value: unknown): value is ConnectionInternals {
  const c = value as Partial<ConnectionInternals> | null
  return c != null && typeof c.sendData === 'function' && typeof c.socket?.cork === 'function' && typeof c.socket.uncork === 'function'
}

/** Make `connection` write each send's buffers to its socket in one go. */
export function corkSends (connection: MultiaddrConnection): void {
  const internals: unknown = connection
  if (!isTcpConnection(internals)) return
  const sendData = internals.sendData
  internals.sendData = function (this: ConnectionInternals, data) {
    this.socket.cork()
    try {
      return sendData.call(this, data)
    } finally {
      this.socket.uncork()
    }
  }
}

/** `tcp(init)` of @libp2p/tcp whose connections write each send in one `writev` (see above). */
export function corkedTcp (init: TCPOptions = {}): (components: TCPComponents) => Transport {
  return withPreparedConnections(tcp(init), corkSends)
}
