/**
 * The one small interface every cryptographic operation of agentmsg goes
 * through. Three implementations exist and must agree byte for byte:
 *
 * - `nativePrimitives` on `node:crypto` (OpenSSL);
 * - `sodiumPrimitives()`: `nativePrimitives` with libsodium's Ed25519 and
 *   X25519 (two to three times as fast), when the optional sodium-native
 *   addon loads — the fast path;
 * - `noblePrimitives` on `@noble/*`, the portable path for browsers.
 *
 * Every function checks its inputs where they enter and throws
 * `InvalidInputError` for a wrong length, so callers get
 * `expected 32 bytes, got 31` instead of an OpenSSL error from deep inside.
 */

export interface KeyPair {
  /** 32 bytes */
  publicKey: Uint8Array
  /** 32 bytes: the X25519 scalar, or the Ed25519 seed */
  privateKey: Uint8Array
}

export interface Primitives {
  readonly name: 'native' | 'noble' | 'sodium'

  randomBytes(length: number): Uint8Array

  /** A fresh X25519 key pair. */
  x25519KeyPair(): KeyPair
  /** The X25519 public key of a 32-byte private scalar. */
  x25519PublicKey(privateKey: Uint8Array): Uint8Array
  /**
   * X25519(privateKey, publicKey). Throws `LowOrderPointError` when the
   * output is all zeroes (RFC 7748 §6.1): a peer may not force a known secret.
   */
  x25519(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array

  /** A fresh Ed25519 key pair; `privateKey` is the 32-byte seed. */
  ed25519KeyPair(): KeyPair
  ed25519PublicKey(seed: Uint8Array): Uint8Array
  /** A 64-byte RFC 8032 signature. */
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array
  /**
   * Strict RFC 8032 verification: false for any non-canonical encoding,
   * S >= L (malleability), a small-order key, or a wrong length — never throws.
   */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean

  /** AES-256-GCM with a 12-byte nonce; returns ciphertext || 16-byte tag. */
  aesGcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array
  /** Opens ciphertext || tag; throws `DecryptError` on any authentication failure. */
  aesGcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array

  /** HKDF-SHA256 (RFC 5869); `length` ≤ 255 * 32. */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array
  sha256(data: Uint8Array): Uint8Array
}

export const AES_KEY_LENGTH = 32
export const GCM_NONCE_LENGTH = 12
export const GCM_TAG_LENGTH = 16
export const X25519_KEY_LENGTH = 32
export const ED25519_KEY_LENGTH = 32
export const ED25519_SIGNATURE_LENGTH = 64
export const SHA256_LENGTH = 32
export const HKDF_MAX_LENGTH = 255 * SHA256_LENGTH
