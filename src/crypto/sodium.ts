/**
 * Ed25519, X25519, the CSPRNG and short HMAC-SHA256 on libsodium, through
 * the optional `sodium-native` addon; every other primitive is
 * `nativePrimitives`'.
 *
 * Every message is signed by its sender and verified by its receiver, and
 * OpenSSL's Ed25519 is the slow part of that: on the 2-core bench host
 * `openssl speed ed25519` does 7,800 verifications/s (128 µs) and 20,000
 * signatures/s (50 µs); libsodium's took 53 – 66 µs and 23 – 27 µs in the
 * same minutes (`npm run bench -- crypto`). A receiver spent a third of its
 * CPU in OpenSSL's verify. X25519 runs at every DH ratchet step, which is
 * every message of a conversation that goes back and forth: through
 * `node:crypto` a new key pair costs 52 µs and an agreement with a peer's new
 * key ~100 µs (the key import is half of it); libsodium takes 20 and 32 µs,
 * with no key objects to make.
 *
 * The acceptance rule is the one `nativePrimitives` and `noblePrimitives`
 * apply, checked here in the same code before libsodium sees the signature
 * (S < L, a canonical A, neither A nor R of small order; the cofactorless
 * equation compared as encodings, which is what libsodium computes), so the
 * three agree byte for byte whatever libsodium's version.
 *
 * `sodium-native` ships prebuilt binaries for the common platforms; where it
 * cannot be loaded `defaultPrimitives()` uses `nativePrimitives`.
 */
import { createRequire } from 'node:module'
import { equalBytes, expectByteCount, expectBytes, expectUint8Array, isBytes, wipe } from './bytes.js'
import { LowOrderPointError } from './errors.js'
import { ed25519EncodingChecks, nativePrimitives } from './native.js'
import { ED25519_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, X25519_KEY_LENGTH } from './primitives.js'
import type { KeyPair, Primitives } from './primitives.js'

/** The part of sodium-native's API this project uses (it ships no types). */
export interface SodiumNative {
  /** Clamps the scalar; throws when the result is all zeroes (a low-order point). */
  crypto_scalarmult(shared: Uint8Array, privateKey: Uint8Array, publicKey: Uint8Array): void
  crypto_scalarmult_base(publicKey: Uint8Array, privateKey: Uint8Array): void
  crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void
  crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
  /** Fills `buffer` from libsodium's CSPRNG (the OS's getrandom). */
  randombytes_buf(buffer: Uint8Array): void
  /** SHA-256 of `input`, written to `out` (32 bytes). */
  crypto_hash_sha256(out: Uint8Array, input: Uint8Array): void
  /** RFC 8439 ChaCha20-Poly1305 (12-byte nonce): writes `ct || tag` to `out`, returns its length. */
  crypto_aead_chacha20poly1305_ietf_encrypt(out: Uint8Array, message: Uint8Array, aad: Uint8Array | null, nsec: null, nonce: Uint8Array, key: Uint8Array): number
  /** Writes the plaintext to `out`, returns its length; throws when the tag does not verify. */
  crypto_aead_chacha20poly1305_ietf_decrypt(out: Uint8Array, nsec: null, sealed: Uint8Array, aad: Uint8Array | null, nonce: Uint8Array, key: Uint8Array): number
}

/** libsodium's expanded secret key: seed || public key. */
const SECRET_KEY_LENGTH = 64
const SHA256_LENGTH = 32
const SHA256_BLOCK = 64
const HMAC_IPAD = 0x36
const HMAC_OPAD = 0x5c

const { isCanonicalScalar, isCanonicalY, hasSmallOrder } = ed25519EncodingChecks

let loaded: SodiumNative | null | undefined

/** sodium-native, or undefined when it is not installed or its binary does not load here. */
export function loadSodium (): SodiumNative | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('sodium-native') as SodiumNative
    } catch {
      loaded = null
    }
  }
  return loaded ?? undefined
}

interface CachedSecretKey {
  /** Our copy of the seed, to notice a caller that overwrote its buffer in place. */
  readonly seed: Uint8Array
  readonly secretKey: Uint8Array
}

/** Keyed by the caller's seed buffer, as `nativePrimitives`' private key cache is. */
const secretKeys = new WeakMap<Uint8Array, CachedSecretKey>()

function makePrimitives (sodium: SodiumNative): Primitives {
  /**
   * libsodium's CSPRNG: 1 µs for a ratchet's 12-byte nonce, against 4 µs for
   * `crypto.randomFillSync` (one call per message sent).
   */
  function randomBytes (length: number): Uint8Array {
    expectByteCount(length, 'randomBytes')
    const out = new Uint8Array(length)
    if (length > 0) sodium.randombytes_buf(out)
    return out
  }

  function x25519PublicKey (privateKey: Uint8Array): Uint8Array {
    expectBytes(privateKey, X25519_KEY_LENGTH, 'x25519 privateKey')
    const publicKey = new Uint8Array(X25519_KEY_LENGTH)
    sodium.crypto_scalarmult_base(publicKey, privateKey)
    return publicKey
  }

  function x25519KeyPair (): KeyPair {
    const privateKey = randomBytes(X25519_KEY_LENGTH)
    return { privateKey, publicKey: x25519PublicKey(privateKey) }
  }

  /** RFC 7748 X25519: any 32 bytes as u (the top bit masked); an all-zero output throws `LowOrderPointError`. */
  function x25519 (privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
    expectBytes(privateKey, X25519_KEY_LENGTH, 'x25519 privateKey')
    expectBytes(publicKey, X25519_KEY_LENGTH, 'x25519 publicKey')
    const shared = new Uint8Array(X25519_KEY_LENGTH)
    try {
      sodium.crypto_scalarmult(shared, privateKey, publicKey)
    } catch (err) {
      // libsodium's only failure: an all-zero result (or a u on its blocklist, whose results all are)
      throw new LowOrderPointError('x25519: all-zero shared secret (low-order public key)', { cause: err })
    }
    return shared
  }

  function secretKeyOf (seed: Uint8Array): Uint8Array {
    const hit = secretKeys.get(seed)
    if (hit !== undefined && equalBytes(hit.seed, seed)) return hit.secretKey
    const publicKey = new Uint8Array(ED25519_KEY_LENGTH)
    const secretKey = new Uint8Array(SECRET_KEY_LENGTH)
    sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
    secretKeys.set(seed, { seed: seed.slice(), secretKey })
    return secretKey
  }

  function ed25519Sign (seed: Uint8Array, message: Uint8Array): Uint8Array {
    expectBytes(seed, ED25519_KEY_LENGTH, 'ed25519 seed')
    expectUint8Array(message, 'ed25519 message')
    const signature = new Uint8Array(ED25519_SIGNATURE_LENGTH)
    sodium.crypto_sign_detached(signature, message, secretKeyOf(seed))
    return signature
  }

  /** The acceptance rule of `nativePrimitives.ed25519Verify`; never throws. */
  function ed25519Verify (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (!isBytes(publicKey, ED25519_KEY_LENGTH) || !isBytes(signature, ED25519_SIGNATURE_LENGTH)) return false
    if (!(message instanceof Uint8Array)) return false
    if (!isCanonicalScalar(signature.subarray(32)) || hasSmallOrder(signature.subarray(0, 32))) return false
    if (!isCanonicalY(publicKey) || hasSmallOrder(publicKey)) return false
    try {
      return sodium.crypto_sign_verify_detached(signature, message, publicKey)
    } catch {
      return false
    }
  }

  /**
   * RFC 2104 HMAC, on libsodium's one-shot SHA-256 for a key and data of at
   * most a block each (a ratchet's chain steps: a 32-byte key, one byte of
   * data, two per message sent or received): 2.9 µs against 5.2 µs through
   * `node:crypto`'s hash objects, whose setup is most of the cost at that
   * size. Longer inputs go to OpenSSL, whose SHA-256 is faster per byte
   * (1.6 against 2.6 µs for 600 bytes).
   */
  // one scratch block for every call (each runs to its end synchronously, and wipes it):
  // a fresh 128-byte array per call would be an off-heap allocation, ~0.7 µs (transient-bytes.ts)
  const block = new Uint8Array(SHA256_BLOCK + SHA256_BLOCK)
  const outerInput = block.subarray(0, SHA256_BLOCK + SHA256_LENGTH)
  function hmacSha256 (key: Uint8Array, data: Uint8Array): Uint8Array {
    if (!(key instanceof Uint8Array) || !(data instanceof Uint8Array) || key.length > SHA256_BLOCK || data.length > SHA256_BLOCK) {
      return nativePrimitives.hmacSha256(key, data)
    }
    for (let i = 0; i < SHA256_BLOCK; i++) block[i] = (key[i] ?? 0) ^ HMAC_IPAD
    block.set(data, SHA256_BLOCK)
    const inner = new Uint8Array(SHA256_LENGTH)
    sodium.crypto_hash_sha256(inner, block.subarray(0, SHA256_BLOCK + data.length))
    for (let i = 0; i < SHA256_BLOCK; i++) block[i] = (key[i] ?? 0) ^ HMAC_OPAD
    block.set(inner, SHA256_BLOCK)
    const mac = new Uint8Array(SHA256_LENGTH)
    sodium.crypto_hash_sha256(mac, outerInput)
    wipe(block, inner)
    return mac
  }

  return Object.freeze({ ...nativePrimitives, name: 'sodium', randomBytes, x25519KeyPair, x25519PublicKey, x25519, ed25519Sign, ed25519Verify, hmacSha256 })
}

let primitives: Primitives | null | undefined

/** `Primitives` with libsodium's Ed25519 and X25519, or undefined when sodium-native cannot be loaded here. */
export function sodiumPrimitives (): Primitives | undefined {
  if (primitives === undefined) {
    const sodium = loadSodium()
    primitives = sodium === undefined ? null : makePrimitives(sodium)
  }
  return primitives ?? undefined
}
