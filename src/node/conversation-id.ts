import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, toHex, utf8 } from '../crypto/bytes.js'

const LABEL = utf8('agentmsg/v1/conversation')

/**
 * The id of the 1:1 conversation between two agents: the same on both sides,
 * `hex(SHA-256("agentmsg/v1/conversation" || lower || higher))[0..32]` over the
 * two PeerIds' bytes in byte order.
 */
export function conversationId (a: Uint8Array, b: Uint8Array): string {
  const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a]
  return toHex(sha256(concatBytes(LABEL, lo, hi))).slice(0, 32)
}
