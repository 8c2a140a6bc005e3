/**
 * `Primitives` on `node:crypto` (OpenSSL): the fast path on Node.
 *
 * Raw 32-byte keys become OpenSSL `KeyObject`s through fixed DER prefixes
 * (PKCS#8 for private keys, SPKI for public keys). Importing a private key
 * is not free — OpenSSL derives the public key on import — so private
 * `KeyObject`s are cached per key buffer. Public `KeyObject`s are not free
 * either (~30 µs for X25519, ~50 µs for Ed25519, as much as the operation
 * itself): they are looked up by value, since a peer's key arrives in a new
 * buffer every time, in small LRUs keyed by their hex.
 *
 * HMAC and HKDF are built here on SHA-256 hash contexts rather than on
 * `createHmac` / `hkdfSync`: those fetch the algorithm from the OpenSSL
 * provider on every call, which makes a 32-byte HMAC ~4x slower than this
 * (and slower than noble's pure-JS HMAC), and the symmetric ratchet runs
 * HMAC on every message.
 *
 * Ed25519 verification does not lean on OpenSSL alone for the edge cases:
 * S < L, a canonical public key and the small-order checks on A and R are
 * done here, so the answer is the same on every OpenSSL (and Node) version
 * and byte for byte the same as `noblePrimitives`. See `ed25519Verify`.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  generateKeyPairSync,
  hash,
  randomFillSync,
  sign,
  verify
} from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { equalBytes, expectByteCount, expectBytes, expectUint8Array, fromHex, isAllZero, isBytes, toHex, wipe } from './bytes.js'
import { DecryptError, InvalidInputError, LowOrderPointError } from './errors.js'
import { Lru } from '../lru.js'
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

// RFC 8410 encodings: SEQUENCE { version 0, AlgorithmIdentifier { OID }, OCTET STRING { OCTET STRING key } }
// and SEQUENCE { AlgorithmIdentifier { OID }, BIT STRING key }.
const X25519_PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420')
const ED25519_PKCS8_PREFIX = fromHex('302e020100300506032b657004220420')
const ED25519_SPKI_PREFIX = fromHex('302a300506032b6570032100')

/** Public `KeyObject`s kept per curve. */
const PUBLIC_KEY_CACHE_SIZE = 1024

const SHA256_BLOCK = 64
const HMAC_IPAD = 0x36
const HMAC_OPAD = 0x5c

/** Ed25519 group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const ED25519_L = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')

/**
 * Every 32-byte string that decodes to a point of order dividing 8, compared
 * with the sign bit (bit 255) masked off — the set libsodium's
 * `has_small_order` uses: y = 0, 1, p - 1, the two order-8 y values, and the
 * non-canonical p and p + 1.
 */
const ED25519_SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
].map(fromHex)

interface CachedPrivateKey {
  /** Our copy of the raw key, to notice a caller that overwrote its buffer in place. */
  readonly raw: Uint8Array
  readonly key: KeyObject
  publicKey?: Uint8Array
}

/**
 * Keyed by the caller's buffer, so an entry lives exactly as long as the key
 * it was made from (an ephemeral key and its `KeyObject` are collected
 * together). A buffer can be reused or overwritten, so a hit only counts when
 * the bytes still match our copy; otherwise the entry is replaced.
 */
const x25519PrivateKeys = new WeakMap<Uint8Array, CachedPrivateKey>()
const ed25519PrivateKeys = new WeakMap<Uint8Array, CachedPrivateKey>()

const x25519PublicKeys = new Lru<KeyObject>(PUBLIC_KEY_CACHE_SIZE)
const ed25519PublicKeys = new Lru<KeyObject>(PUBLIC_KEY_CACHE_SIZE)

/**
 * A Buffer that owns its memory becomes a plain Uint8Array over the same
 * bytes; a slice of Node's shared pool is copied, so the caller never holds
 * (or wipes) memory shared with unrelated data.
 */
function own (buf: Buffer): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) {
    return new Uint8Array(buf.buffer, 0, buf.byteLength)
  }
  return new Uint8Array(buf)
}

function withPrefix (prefix: Uint8Array, key: Uint8Array): Buffer {
  const der = Buffer.alloc(prefix.length + key.length)
  der.set(prefix, 0)
  der.set(key, prefix.length)
  return der
}

function cachedPrivateKey (cache: WeakMap<Uint8Array, CachedPrivateKey>, prefix: Uint8Array, raw: Uint8Array): CachedPrivateKey {
  const hit = cache.get(raw)
  if (hit !== undefined && equalBytes(hit.raw, raw)) return hit
  const der = withPrefix(prefix, raw)
  let key: KeyObject
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  } finally {
    wipe(der)
  }
  const entry: CachedPrivateKey = { raw: raw.slice(), key }
  cache.set(raw, entry)
  return entry
}

function publicKeyOf (entry: CachedPrivateKey): Uint8Array {
  // JWK, not SPKI: exporting DER goes through OpenSSL's encoder machinery (~20 µs), JWK is ~2 µs
  entry.publicKey ??= fromBase64Url(createPublicKey(entry.key).export({ format: 'jwk' }).x)
  // a copy: the caller may wipe or reuse what we return
  return entry.publicKey.slice()
}

function fromBase64Url (value: string | undefined): Uint8Array {
  if (value === undefined) throw new Error('node:crypto exported a JWK without "x"')
  // Buffer.from(string) may hand out a slice of the shared pool: copy
  return new Uint8Array(Buffer.from(value, 'base64url'))
}

/**
 * OpenSSL's key generation, then both halves read back as one JWK (~2 µs,
 * where a PKCS#8 export goes through OpenSSL's encoders at ~20 µs): about
 * half the cost of importing random bytes, which makes OpenSSL derive the
 * public key again. The new key object is cached for its first use. The JWK's
 * base64url strings cannot be wiped; like every string they live until the
 * garbage collector takes them.
 */
function generateKeyPair (type: 'x25519' | 'ed25519', cache: WeakMap<Uint8Array, CachedPrivateKey>): KeyPair {
  const key = type === 'x25519' ? generateKeyPairSync('x25519').privateKey : generateKeyPairSync('ed25519').privateKey
  const jwk = key.export({ format: 'jwk' })
  if (jwk.d === undefined || jwk.x === undefined) throw new Error('node:crypto exported a private JWK without "d" or "x"')
  const privateKey = new Uint8Array(Buffer.from(jwk.d, 'base64url'))
  const publicKey = new Uint8Array(Buffer.from(jwk.x, 'base64url'))
  if (privateKey.length !== 32 || publicKey.length !== 32) throw new Error('node:crypto exported a key of the wrong length')
  cache.set(privateKey, { raw: privateKey.slice(), key, publicKey: publicKey.slice() })
  return { publicKey, privateKey }
}

/** Little-endian `s < L`. */
function isCanonicalScalar (s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i]! < ED25519_L[i]!) return true
    if (s[i]! > ED25519_L[i]!) return false
  }
  return false
}

/** The y coordinate (sign bit masked) is below p = 2^255 - 19. */
function isCanonicalY (point: Uint8Array): boolean {
  if ((point[31]! & 0x7f) !== 0x7f) return true
  for (let i = 30; i >= 1; i--) {
    if (point[i] !== 0xff) return true
  }
  return point[0]! < 0xed
}

function hasSmallOrder (point: Uint8Array): boolean {
  outer: for (const candidate of ED25519_SMALL_ORDER) {
    for (let i = 0; i < 31; i++) {
      if (point[i] !== candidate[i]) continue outer
    }
    if ((point[31]! & 0x7f) === candidate[31]) return true
  }
  return false
}

function x25519PublicKeyObject (publicKey: Uint8Array): KeyObject {
  const id = toHex(publicKey)
  let key = x25519PublicKeys.get(id)
  if (key === undefined) {
    // OpenSSL takes any 32 bytes as an X25519 public key (the top bit is masked when used)
    // JWK import is ~25% cheaper than SPKI DER here
    key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' })
    x25519PublicKeys.set(id, key)
  }
  return key
}

/** The `KeyObject` of an acceptable Ed25519 public key, or undefined for one `ed25519Verify` must refuse. */
function ed25519PublicKeyObject (publicKey: Uint8Array): KeyObject | undefined {
  const id = toHex(publicKey)
  const hit = ed25519PublicKeys.get(id)
  if (hit !== undefined) return hit
  if (!isCanonicalY(publicKey) || hasSmallOrder(publicKey)) return undefined
  let key: KeyObject
  try {
    key = createPublicKey({ key: withPrefix(ED25519_SPKI_PREFIX, publicKey), format: 'der', type: 'spki' })
  } catch {
    return undefined
  }
  ed25519PublicKeys.set(id, key)
  return key
}

function checkAesGcm (key: unknown, nonce: unknown, aad: unknown): void {
  expectBytes(key, AES_KEY_LENGTH, 'aes-gcm key')
  expectBytes(nonce, GCM_NONCE_LENGTH, 'aes-gcm nonce')
  expectUint8Array(aad, 'aes-gcm aad')
}

function checkHkdf (ikm: unknown, salt: unknown, info: unknown, length: unknown): void {
  expectUint8Array(ikm, 'hkdf ikm')
  expectUint8Array(salt, 'hkdf salt')
  expectUint8Array(info, 'hkdf info')
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > HKDF_MAX_LENGTH) {
    throw new InvalidInputError(`hkdf length: expected an integer in 1..${HKDF_MAX_LENGTH}, got ${String(length)}`)
  }
}

/** RFC 2104: the key, hashed if longer than a block, zero-padded, XORed with ipad and with opad. */
function hmacPads (key: Uint8Array): Uint8Array {
  const pads = new Uint8Array(2 * SHA256_BLOCK)
  if (key.length > SHA256_BLOCK) {
    const hashed = hash('sha256', key, 'buffer')
    pads.set(hashed, 0)
    wipe(hashed)
  } else {
    pads.set(key, 0)
  }
  for (let i = 0; i < SHA256_BLOCK; i++) {
    pads[SHA256_BLOCK + i] = pads[i]! ^ HMAC_OPAD
    pads[i] = pads[i]! ^ HMAC_IPAD
  }
  return pads
}

/** H((K0 ^ opad) || H((K0 ^ ipad) || parts...)) */
function hmacWithPads (pads: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const inner = createHash('sha256').update(pads.subarray(0, SHA256_BLOCK))
  for (const part of parts) inner.update(part)
  const innerDigest = inner.digest()
  const mac = createHash('sha256').update(pads.subarray(SHA256_BLOCK)).update(innerDigest).digest()
  wipe(innerDigest)
  return mac
}

function randomBytes (length: number): Uint8Array {
  expectByteCount(length, 'randomBytes')
  return randomFillSync(new Uint8Array(length))
}

function x25519PublicKey (privateKey: Uint8Array): Uint8Array {
  expectBytes(privateKey, X25519_KEY_LENGTH, 'x25519 privateKey')
  return publicKeyOf(cachedPrivateKey(x25519PrivateKeys, X25519_PKCS8_PREFIX, privateKey))
}

function x25519 (privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  expectBytes(privateKey, X25519_KEY_LENGTH, 'x25519 privateKey')
  expectBytes(publicKey, X25519_KEY_LENGTH, 'x25519 publicKey')
  const ours = cachedPrivateKey(x25519PrivateKeys, X25519_PKCS8_PREFIX, privateKey).key
  const theirs = x25519PublicKeyObject(publicKey)
  let shared: Buffer
  try {
    shared = diffieHellman({ privateKey: ours, publicKey: theirs })
  } catch (err) {
    // OpenSSL refuses an all-zero X25519 output (ossl_x25519 returns 0 for it): that is its only
    // failure once both keys imported, and the one RFC 7748 §6.1 asks us to catch.
    if ((err as { code?: unknown }).code === 'ERR_OSSL_FAILED_DURING_DERIVATION') {
      throw new LowOrderPointError('x25519: all-zero shared secret (low-order public key)', { cause: err })
    }
    throw err
  }
  if (isAllZero(shared)) {
    throw new LowOrderPointError('x25519: all-zero shared secret (low-order public key)')
  }
  return own(shared)
}

function x25519KeyPair (): KeyPair {
  return generateKeyPair('x25519', x25519PrivateKeys)
}

function ed25519PublicKeyFromSeed (seed: Uint8Array): Uint8Array {
  expectBytes(seed, ED25519_KEY_LENGTH, 'ed25519 seed')
  return publicKeyOf(cachedPrivateKey(ed25519PrivateKeys, ED25519_PKCS8_PREFIX, seed))
}

function ed25519KeyPair (): KeyPair {
  return generateKeyPair('ed25519', ed25519PrivateKeys)
}

function ed25519Sign (seed: Uint8Array, message: Uint8Array): Uint8Array {
  expectBytes(seed, ED25519_KEY_LENGTH, 'ed25519 seed')
  expectUint8Array(message, 'ed25519 message')
  return own(sign(null, message, cachedPrivateKey(ed25519PrivateKeys, ED25519_PKCS8_PREFIX, seed).key))
}

/**
 * RFC 8032 §5.1.7 with the cofactorless equation ([S]B = R + [k]A, compared
 * as encodings, as OpenSSL does), plus: S < L, A a canonical encoding, and
 * neither A nor R of small order. OpenSSL checks S < L itself, and recent
 * Node releases (nodejs/node#64026) refuse small-order A and R; doing all of
 * it here gives the same answer on older runtimes and other OpenSSL builds.
 */
function ed25519Verify (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!isBytes(publicKey, ED25519_KEY_LENGTH) || !isBytes(signature, ED25519_SIGNATURE_LENGTH)) return false
  if (!(message instanceof Uint8Array)) return false
  if (!isCanonicalScalar(signature.subarray(32)) || hasSmallOrder(signature.subarray(0, 32))) return false
  const key = ed25519PublicKeyObject(publicKey)
  if (key === undefined) return false
  try {
    return verify(null, message, key, signature)
  } catch {
    return false
  }
}

/**
 * Node checks a raw key passed to createCipheriv for being a KeyObject or a
 * CryptoKey by catching exceptions (~14 µs here); a KeyObject made first
 * skips that, so one message key costs 6 µs instead of 19 µs.
 */
function secretKey (key: Uint8Array): KeyObject {
  return createSecretKey(key)
}

function aesGcmSeal (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  checkAesGcm(key, nonce, aad)
  expectUint8Array(plaintext, 'aes-gcm plaintext')
  const cipher = createCipheriv('aes-256-gcm', secretKey(key), nonce, { authTagLength: GCM_TAG_LENGTH })
  cipher.setAAD(aad)
  const ciphertext = cipher.update(plaintext)
  // GCM is a stream mode: final() emits nothing, but computes the tag
  cipher.final()
  const sealed = new Uint8Array(ciphertext.length + GCM_TAG_LENGTH)
  sealed.set(ciphertext, 0)
  sealed.set(cipher.getAuthTag(), ciphertext.length)
  return sealed
}

function aesGcmOpen (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  checkAesGcm(key, nonce, aad)
  expectUint8Array(sealed, 'aes-gcm sealed')
  if (sealed.length < GCM_TAG_LENGTH) {
    throw new InvalidInputError(`aes-gcm sealed: expected at least ${GCM_TAG_LENGTH} bytes, got ${sealed.length}`)
  }
  const split = sealed.length - GCM_TAG_LENGTH
  const decipher = createDecipheriv('aes-256-gcm', secretKey(key), nonce, { authTagLength: GCM_TAG_LENGTH })
  decipher.setAuthTag(sealed.subarray(split))
  decipher.setAAD(aad)
  // update() hands out plaintext before the tag is checked; it must not leave here unless final() passes
  const plaintext = decipher.update(sealed.subarray(0, split))
  try {
    decipher.final()
  } catch {
    wipe(plaintext)
    throw new DecryptError('aes-gcm: authentication failed')
  }
  return own(plaintext)
}

/** RFC 5869 §2.2–2.3; an empty salt is HashLen zeroes, which HMAC's zero padding makes the same key. */
/**
 * HKDF-SHA256 from @noble/hashes: for the short inputs of a ratchet (96-byte
 * output) it measured 8 µs here, against 11 µs for node's hkdfSync and 20 µs
 * for HMAC built on node hash objects. Same bytes either way (RFC 5869).
 */
function hkdf (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  checkHkdf(ikm, salt, info, length)
  return nobleHkdf(nobleSha256, ikm, salt, info, length)
}

function hmacSha256 (key: Uint8Array, data: Uint8Array): Uint8Array {
  expectUint8Array(key, 'hmac key')
  expectUint8Array(data, 'hmac data')
  const pads = hmacPads(key)
  const mac = hmacWithPads(pads, data)
  wipe(pads)
  return own(mac)
}

function sha256 (data: Uint8Array): Uint8Array {
  expectUint8Array(data, 'sha256 data')
  return own(hash('sha256', data, 'buffer'))
}

/**
 * @internal The encoding checks `ed25519Verify` makes before OpenSSL sees the
 * signature, exported for their tests: on a Node that already refuses
 * small-order points itself they cannot be observed through `ed25519Verify`.
 */
export const ed25519EncodingChecks = Object.freeze({ isCanonicalScalar, isCanonicalY, hasSmallOrder })

export const nativePrimitives: Primitives = Object.freeze({
  name: 'native',
  randomBytes,
  x25519KeyPair,
  x25519PublicKey,
  x25519,
  ed25519KeyPair,
  ed25519PublicKey: ed25519PublicKeyFromSeed,
  ed25519Sign,
  ed25519Verify,
  aesGcmSeal,
  aesGcmOpen,
  hkdf,
  hmacSha256,
  sha256
})
