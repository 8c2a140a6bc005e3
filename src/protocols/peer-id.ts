/** PeerId strings from the identity-multihash bytes that envelopes and cards carry. */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { publicKeyFromPeerIdBytes } from '../crypto/index.js'

/** Agents talk to few peers, often: remember the last ones. */
const cache = new Map<string, string>()
const MAX_CACHED = 1024

/**
 * The PeerId string of Ed25519 identity-multihash bytes (an envelope's
 * `from`/`to`). Throws `EncodingError` for bytes that are not one.
 */
export function peerIdString (bytes: Uint8Array): string {
  const key = Buffer.from(bytes).toString('hex')
  let peerId = cache.get(key)
  if (peerId == null) {
    peerId = peerIdFromPublicKey(publicKeyFromRaw(publicKeyFromPeerIdBytes(bytes))).toString()
    if (cache.size >= MAX_CACHED) cache.clear()
    cache.set(key, peerId)
  }
  return peerId
}

/** The identity-multihash bytes of an Ed25519 PeerId string. Throws for anything else. */
export function peerIdBytesOf (peer: string): Uint8Array {
  const id = peerIdFromString(peer)
  if (id.type !== 'Ed25519') throw new TypeError(`not an Ed25519 peer id: ${peer}`)
  return id.toMultihash().bytes
}
