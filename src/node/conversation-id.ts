import { hash } from 'node:crypto'
import { utf8 } from '../crypto/bytes.js'
import { concatTransient } from '../crypto/transient-bytes.js'

const LABEL = utf8('agentmsg/v1/conversation')

/**
 * The id of the 1:1 conversation between two agents: the same on both sides,
 * `hex(SHA-256("agentmsg/v1/conversation" || lower || higher))[0..32]` over the
 * two PeerIds' bytes in byte order.
 */
export function conversationId (a: Uint8Array, b: Uint8Array): string {
  const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a]
  // node's one-shot hash: ~1 µs here, against ~3 µs for @noble/hashes (computed for every message)
  return hash('sha256', concatTransient(LABEL, lo, hi), 'hex').slice(0, 32)
}
