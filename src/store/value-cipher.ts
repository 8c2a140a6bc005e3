/**
 * The AEAD every stored value is sealed with, chosen per database by its
 * format (`STORE_FORMATS`): a store keeps the cipher it was created with.
 *
 * - format 2 (new stores): ChaCha20-Poly1305 as RFC 8439 defines it (12-byte
 *   nonce), through libsodium when the optional `sodium-native` addon loads,
 *   else through OpenSSL (`node:crypto`). The two produce the same bytes, so a
 *   database written with one opens with the other.
 * - format 1 (stores made before it): AES-256-GCM through OpenSSL.
 *
 * Why format 2: a message writes 5 – 10 values on each side and reads some,
 * and Node's `createCipheriv` makes a cipher object per value: AES-256-GCM
 * takes 4.3 µs for a 600-byte value in a tight loop (more in the node, where
 * caches are cold), libsodium's one-shot ChaCha20-Poly1305 2.4 µs
 * (`npm run bench -- crypto`, `storeSealUs`). The bounds are the same as before: a 96-bit random nonce
 * per value, so one storage key seals at most 2^32 values before a nonce
 * collision becomes likelier than 2^-32 (NIST SP 800-38D's bound, which
 * ChaCha20-Poly1305's random nonces share).
 *
 * A value is `nonce (12) || ciphertext || tag (16)` in both formats, its
 * associated data the sublevel's name and the key (`bucket \0 key`).
 */
import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto'
import type { CipherGCMTypes, KeyObject } from 'node:crypto'
import { transientBytes } from '../crypto/transient-bytes.js'
import { loadSodium } from '../crypto/sodium.js'
import type { SodiumNative } from '../crypto/sodium.js'
import { VALUE_NONCE_LENGTH } from './constants.js'

export const VALUE_TAG_LENGTH = 16

export type ValueCipherName = 'aes-256-gcm' | 'chacha20-poly1305'

/** The store format that seals its values with each cipher. */
export const STORE_FORMATS: Readonly<Record<ValueCipherName, number>> = Object.freeze({ 'aes-256-gcm': 1, 'chacha20-poly1305': 2 })

export interface ValueCipher {
  readonly name: ValueCipherName
  /** `implementation` says which library does the work: for tests and benchmarks. */
  readonly implementation: 'openssl' | 'libsodium'
  /** `nonce || ciphertext || tag`, in one new buffer. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array
  /**
   * The plaintext of a whole sealed value (in memory of its own, which the
   * caller may keep or wipe), or undefined when it is too short or does not
   * authenticate. Releases no plaintext unless the tag verified.
   */
  open(value: Uint8Array, aad: Uint8Array): Uint8Array | undefined
}

const OVERHEAD = VALUE_NONCE_LENGTH + VALUE_TAG_LENGTH

/** Through `node:crypto`: one cipher object per value, the key imported once. */
function opensslCipher (name: ValueCipherName, algorithm: CipherGCMTypes | 'chacha20-poly1305', key: KeyObject): ValueCipher {
  return {
    name,
    implementation: 'openssl',
    seal (nonce, plaintext, aad) {
      const cipher = createCipheriv(algorithm as CipherGCMTypes, key, nonce, { authTagLength: VALUE_TAG_LENGTH })
      cipher.setAAD(aad)
      const value = transientBytes(VALUE_NONCE_LENGTH + plaintext.length + VALUE_TAG_LENGTH)
      value.set(nonce, 0)
      value.set(cipher.update(plaintext), VALUE_NONCE_LENGTH)
      // both are stream modes: final() emits nothing, but computes the tag
      cipher.final()
      value.set(cipher.getAuthTag(), VALUE_NONCE_LENGTH + plaintext.length)
      return value
    },
    open (value, aad) {
      if (value.length < OVERHEAD) return undefined
      const split = value.length - VALUE_TAG_LENGTH
      const decipher = createDecipheriv(algorithm as CipherGCMTypes, key, value.subarray(0, VALUE_NONCE_LENGTH), { authTagLength: VALUE_TAG_LENGTH })
      decipher.setAuthTag(value.subarray(split))
      decipher.setAAD(aad)
      // update() hands out plaintext before the tag is checked: it leaves here only if final() passes
      const plaintext = decipher.update(value.subarray(VALUE_NONCE_LENGTH, split))
      try {
        decipher.final()
      } catch {
        plaintext.fill(0)
        return undefined
      }
      // our own memory, not a slice of Node's shared pool
      const owned = new Uint8Array(plaintext.length)
      owned.set(plaintext)
      plaintext.fill(0)
      return owned
    }
  }
}

/** Through libsodium's one-shot calls; `key` is used as it is (the store wipes it at close). */
function sodiumChaCha (sodium: SodiumNative, key: Uint8Array): ValueCipher {
  return {
    name: 'chacha20-poly1305',
    implementation: 'libsodium',
    seal (nonce, plaintext, aad) {
      const value = transientBytes(VALUE_NONCE_LENGTH + plaintext.length + VALUE_TAG_LENGTH)
      value.set(nonce, 0)
      sodium.crypto_aead_chacha20poly1305_ietf_encrypt(value.subarray(VALUE_NONCE_LENGTH), plaintext, aad, null, nonce, key)
      return value
    },
    open (value, aad) {
      if (value.length < OVERHEAD) return undefined
      const plaintext = new Uint8Array(value.length - OVERHEAD)
      try {
        // libsodium writes nothing to `plaintext` unless the tag verified
        sodium.crypto_aead_chacha20poly1305_ietf_decrypt(plaintext, null, value.subarray(VALUE_NONCE_LENGTH), aad, value.subarray(0, VALUE_NONCE_LENGTH), key)
      } catch {
        return undefined
      }
      return plaintext
    }
  }
}

/**
 * The cipher `name` under `key` (32 bytes, not copied). ChaCha20-Poly1305
 * goes through libsodium when `sodium` is given, which it is by default when
 * sodium-native loads here; pass `null` for OpenSSL's.
 */
export function valueCipher (name: ValueCipherName, key: Uint8Array, sodium: SodiumNative | null = loadSodium() ?? null): ValueCipher {
  if (name === 'aes-256-gcm') return opensslCipher(name, 'aes-256-gcm', createSecretKey(key))
  if (sodium != null) return sodiumChaCha(sodium, key)
  return opensslCipher(name, 'chacha20-poly1305', createSecretKey(key))
}
