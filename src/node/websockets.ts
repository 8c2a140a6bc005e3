/**
 * WebSockets as agentmsg nodes run it: `@libp2p/websockets` whose
 * connections send each send as one WebSocket message, not one per buffer.
 *
 * A Noise message leaves @chainsafe/libp2p-noise 17 as two buffers, its
 * 2-byte length and its ciphertext, and @libp2p/websockets 10 sends every
 * buffer of a send as a WebSocket message of its own: two frames (each with
 * its header, and a mask from a client) and two `message` events at the
 * other end for every Noise message. The same split made TCP write twice
 * (`tcp.ts`). A WebSocket carries a byte stream here, so the buffers of one
 * send are joined into one message: a copy of a few hundred bytes, cheaper
 * than a frame.
 *
 * @libp2p/websockets offers no option for this, so it is done per
 * connection, on the connections this factory's transports make
 * (`connections.ts`): the connection's `sendData` and `websocket` are
 * @libp2p/websockets internals. A connection without them is left as it is,
 * and test/integration/transports.test.ts fails.
 */
import { webSockets } from '@libp2p/websockets'
import { Uint8ArrayList } from 'uint8arraylist'
import { withPreparedConnections } from './connections.js'
import type { MultiaddrConnection, Transport } from '@libp2p/interface'
import type { WebSocketsComponents, WebSocketsInit } from '@libp2p/websockets'

/** The parts of @libp2p/websockets' connection this module reads and replaces. */
interface ConnectionInternals {
  websocket: { send: (data: Uint8Array) => void }
  sendData: (data: Uint8ArrayList) => { sentBytes: number, canSendMore: boolean }
}

function isWebSocketConnection (value: unknown): value is ConnectionInternals {
  const c = value as Partial<ConnectionInternals> | null
  return c != null && typeof c.sendData === 'function' && typeof c.websocket?.send === 'function'
}

/** Make `connection` send each send's buffers as one WebSocket message. */
export function joinSends (connection: MultiaddrConnection): void {
  const internals: unknown = connection
  if (!isWebSocketConnection(internals)) return
  const sendData = internals.sendData
  internals.sendData = function (this: ConnectionInternals, data) {
    // subarray() joins the buffers (a list of one is returned as it is)
    return sendData.call(this, new Uint8ArrayList(data.subarray()))
  }
}

/** `webSockets(init)` of @libp2p/websockets whose connections send each send as one message (see above). */
export function joinedWebSockets (init: WebSocketsInit = {}): (components: WebSocketsComponents) => Transport {
  return withPreparedConnections(webSockets(init), joinSends)
}
