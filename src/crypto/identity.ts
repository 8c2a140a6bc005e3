/**
 * An agent's identity is its libp2p Ed25519 key: the PeerId *is* the
 * verification key, so anyone can check a signature from the id alone.
 *
 * For X3DH the same key is used for Diffie-Hellman through the RFC 7748
 * birational map (Edwards y → Montgomery u, and the clamped SHA-512 of the
 * seed as the scalar), as libsodium's `crypto_sign_ed25519_*_to_curve25519`
 * does. One key means one thing to publish, pin and compare; the choice is
 * recorded in docs/protocol.md.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { expectBytes, equalBytes, wipe } from './bytes.js'
import { InvalidInputError } from './errors.js'
import type { Primitives } from './primitives.js'

/**
 * A libp2p PeerId for an Ed25519 key is an identity multihash of the key's
 * protobuf encoding: 0x00 (identity) 0x24 (length 36), then
 * 0x08 0x01 (KeyType = Ed25519) 0x12 0x20 (Data, 32 bytes), then the key.
 */
const PEER_ID_PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20)
export const PEER_ID_LENGTH = PEER_ID_PREFIX.length + 32

export function peerIdBytesFromPublicKey (publicKey: Uint8Array): Uint8Array {
  expectBytes(publicKey, 32, 'ed25519 public key')
  const out = new Uint8Array(PEER_ID_LENGTH)
  out.set(PEER_ID_PREFIX, 0)
  out.set(publicKey, PEER_ID_PREFIX.length)
  return out
}

/** The Ed25519 public key inside a PeerId's bytes; throws `InvalidInputError` for anything else. */
export function publicKeyFromPeerIdBytes (peerId: Uint8Array): Uint8Array {
  if (!(peerId instanceof Uint8Array) || peerId.length !== PEER_ID_LENGTH ||
    !equalBytes(peerId.subarray(0, PEER_ID_PREFIX.length), PEER_ID_PREFIX)) {
    throw new InvalidInputError('peer id: expected the 38-byte identity multihash of an Ed25519 key')
  }
  return peerId.slice(PEER_ID_PREFIX.length)
}

/** An Ed25519 public key mapped to X25519 (RFC 7748 §4.1 birational map). */
export function montgomeryPublicKey (edPublicKey: Uint8Array): Uint8Array {
  expectBytes(edPublicKey, 32, 'ed25519 public key')
  try {
    return ed25519.utils.toMontgomery(edPublicKey)
  } catch {
    throw new InvalidInputError('ed25519 public key: not a valid curve point')
  }
}

export interface PublicIdentity {
  /** 32-byte Ed25519 verification key */
  readonly publicKey: Uint8Array
  /** the libp2p PeerId bytes of that key */
  readonly peerId: Uint8Array
}

/** Our own identity: holds the Ed25519 seed. Never logged, never serialised outside the 0600 identity file. */
export class Identity implements PublicIdentity {
  readonly publicKey: Uint8Array
  readonly peerId: Uint8Array
  readonly #seed: Uint8Array
  #dhSecret?: Uint8Array

  private constructor (seed: Uint8Array, publicKey: Uint8Array) {
    this.#seed = seed
    this.publicKey = publicKey
    this.peerId = peerIdBytesFromPublicKey(publicKey)
  }

  static generate (prims: Primitives): Identity {
    const { privateKey, publicKey } = prims.ed25519KeyPair()
    return new Identity(privateKey, publicKey)
  }

  /** From a 32-byte seed, or libp2p's 64-byte raw Ed25519 private key (seed || public key). */
  static fromPrivateKey (prims: Primitives, raw: Uint8Array): Identity {
    if (raw.length !== 32 && raw.length !== 64) {
      throw new InvalidInputError(`ed25519 private key: expected 32 or 64 bytes, got ${raw.length}`)
    }
    const seed = raw.slice(0, 32)
    const publicKey = prims.ed25519PublicKey(seed)
    if (raw.length === 64 && !equalBytes(raw.subarray(32), publicKey)) {
      throw new InvalidInputError('ed25519 private key: public half does not match the seed')
    }
    return new Identity(seed, publicKey)
  }

  sign (prims: Primitives, message: Uint8Array): Uint8Array {
    return prims.ed25519Sign(this.#seed, message)
  }

  /** X25519 with our identity key (the Montgomery form of the Ed25519 seed). */
  dh (prims: Primitives, theirX25519Public: Uint8Array): Uint8Array {
    this.#dhSecret ??= ed25519.utils.toMontgomerySecret(this.#seed)
    return prims.x25519(this.#dhSecret, theirX25519Public)
  }

  /** The 32-byte seed, for writing the identity file. */
  exportSeed (): Uint8Array {
    return this.#seed.slice()
  }

  /** Forget the secret material held by this object. */
  destroy (): void {
    wipe(this.#seed, this.#dhSecret)
  }
}
