/**
 * `Primitives` on `@noble/curves`, `@noble/hashes` and `@noble/ciphers`: the
 * portable path (browsers, runtimes without OpenSSL). No `node:` import may
 * reach this module.
 *
 * It must agree with `nativePrimitives` byte for byte, errors included:
 * same input checks, same error types, and the same Ed25519 verification
 * rule (see `ed25519Verify`).
 */
import { gcm } from '@noble/ciphers/aes.js'
import { ed25519, x25519 as x25519Curve } from '@noble/curves/ed25519.js'
import { bytesToNumberLE } from '@noble/curves/utils.js'
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 as nobleSha256, sha512 } from '@noble/hashes/sha2.js'
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js'
import { concatBytes, equalBytes, expectByteCount, expectBytes, expectUint8Array, isAllZero, isBytes } from './bytes.js'
import { DecryptError, InvalidInputError, LowOrderPointError } from './errors.js'
import {
  AES_KEY_LENGTH,
  ED25519_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  GCM_NONCE_LENGTH,
  GCM_TAG_LENGTH,
  HKDF_MAX_LENGTH,
  X25519_KEY_LENGTH
} from './primitives.js'
import type { KeyPair, Primitives } from './primitives.js'

/** Web Crypto's getRandomValues refuses more than 64 KiB per call. */
const RANDOM_CHUNK = 65536

const Point = ed25519.Point
const Fn = Point.Fn

function checkAesGcm (key: unknown, nonce: unknown, aad: unknown): void {
  expectBytes(key, AES_KEY_LENGTH, 'aes-gcm key')
  expectBytes(nonce, GCM_NONCE_LENGTH, 'aes-gcm nonce')
  expectUint8Array(aad, 'aes-gcm aad')
}

function randomBytes (length: number): Uint8Array {
  expectByteCount(length, 'randomBytes')
  const out = new Uint8Array(length)
  for (let offset = 0; offset < length; offset += RANDOM_CHUNK) {
    const chunk = nobleRandomBytes(Math.min(RANDOM_CHUNK, length - offset))
    out.set(chunk, offset)
    chunk.fill(0)
  }
  return out
}

function x25519PublicKey (privateKey: Uint8Array): Uint8Array {
  expectBytes(privateKey, X25519_KEY_LENGTH, 'x25519 privateKey')
  return x25519Curve.getPublicKey(privateKey)
}

function x25519 (privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  expectBytes(privateKey, X25519_KEY_LENGTH, 'x25519 privateKey')
  expectBytes(publicKey, X25519_KEY_LENGTH, 'x25519 publicKey')
  let shared: Uint8Array
  try {
    shared = x25519Curve.getSharedSecret(privateKey, publicKey)
  } catch (err) {
    // With both lengths checked, noble throws only for a u that is one of the low-order points
    // (checked before the ladder) — exactly the inputs whose clamped-scalar output is all zeroes.
    throw new LowOrderPointError('x25519: all-zero shared secret (low-order public key)', { cause: err })
  }
  if (isAllZero(shared)) {
    throw new LowOrderPointError('x25519: all-zero shared secret (low-order public key)')
  }
  return shared
}

function x25519KeyPair (): KeyPair {
  const privateKey = randomBytes(X25519_KEY_LENGTH)
  return { publicKey: x25519PublicKey(privateKey), privateKey }
}

function ed25519PublicKey (seed: Uint8Array): Uint8Array {
  expectBytes(seed, ED25519_KEY_LENGTH, 'ed25519 seed')
  return ed25519.getPublicKey(seed)
}

function ed25519KeyPair (): KeyPair {
  const privateKey = randomBytes(ED25519_KEY_LENGTH)
  return { publicKey: ed25519PublicKey(privateKey), privateKey }
}

function ed25519Sign (seed: Uint8Array, message: Uint8Array): Uint8Array {
  expectBytes(seed, ED25519_KEY_LENGTH, 'ed25519 seed')
  expectUint8Array(message, 'ed25519 message')
  return ed25519.sign(message, seed)
}

/**
 * RFC 8032 §5.1.7, strict: S < L, A a canonical encoding of a point that is
 * not of small order, and the cofactorless equation [S]B - [k]A == R checked
 * on encodings (so R must be canonical), with R not of small order either.
 *
 * noble's own `ed25519.verify(…, { zip215: false })` is strict on encodings
 * too, but checks the cofactored equation [8]([S]B - [k]A - R) == 0: it
 * accepts an R or A carrying a small-order component, which OpenSSL's
 * cofactorless check rejects. Both are RFC 8032, but the two paths must give
 * the same answer for the same signature (a card one node accepts and
 * another rejects splits the network), so this follows OpenSSL.
 */
function ed25519Verify (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!isBytes(publicKey, ED25519_KEY_LENGTH) || !isBytes(signature, ED25519_SIGNATURE_LENGTH)) return false
  if (!(message instanceof Uint8Array)) return false
  try {
    const r = signature.subarray(0, 32)
    const s = bytesToNumberLE(signature.subarray(32))
    if (s >= Fn.ORDER) return false
    // zip215 = false: y < p, and no x = 0 with the sign bit set (RFC 8032 §5.1.3)
    const A = Point.fromBytes(publicKey, false)
    if (A.isSmallOrder()) return false
    const k = Fn.create(bytesToNumberLE(sha512(concatBytes(r, publicKey, message))))
    const R = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k))
    if (!equalBytes(R.toBytes(), r)) return false
    return !R.isSmallOrder()
  } catch {
    return false
  }
}

function aesGcmSeal (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  checkAesGcm(key, nonce, aad)
  expectUint8Array(plaintext, 'aes-gcm plaintext')
  return gcm(key, nonce, aad).encrypt(plaintext)
}

function aesGcmOpen (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  checkAesGcm(key, nonce, aad)
  expectUint8Array(sealed, 'aes-gcm sealed')
  if (sealed.length < GCM_TAG_LENGTH) {
    throw new InvalidInputError(`aes-gcm sealed: expected at least ${GCM_TAG_LENGTH} bytes, got ${sealed.length}`)
  }
  try {
    // noble checks the tag before it decrypts anything
    return gcm(key, nonce, aad).decrypt(sealed)
  } catch {
    throw new DecryptError('aes-gcm: authentication failed')
  }
}

function hkdf (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  expectUint8Array(ikm, 'hkdf ikm')
  expectUint8Array(salt, 'hkdf salt')
  expectUint8Array(info, 'hkdf info')
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > HKDF_MAX_LENGTH) {
    throw new InvalidInputError(`hkdf length: expected an integer in 1..${HKDF_MAX_LENGTH}, got ${String(length)}`)
  }
  return nobleHkdf(nobleSha256, ikm, salt, info, length)
}

function hmacSha256 (key: Uint8Array, data: Uint8Array): Uint8Array {
  expectUint8Array(key, 'hmac key')
  expectUint8Array(data, 'hmac data')
  return hmac(nobleSha256, key, data)
}

function sha256 (data: Uint8Array): Uint8Array {
  expectUint8Array(data, 'sha256 data')
  return nobleSha256(data)
}

export const noblePrimitives: Primitives = Object.freeze({
  name: 'noble',
  randomBytes,
  x25519KeyPair,
  x25519PublicKey,
  x25519,
  ed25519KeyPair,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  aesGcmSeal,
  aesGcmOpen,
  hkdf,
  hmacSha256,
  sha256
})
