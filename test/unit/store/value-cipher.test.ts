import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../src/crypto/bytes.js'
import { loadSodium } from '../../../src/crypto/sodium.js'
import { STORE_FORMATS, valueCipher } from '../../../src/store/value-cipher.js'
import type { ValueCipher } from '../../../src/store/value-cipher.js'

/** sodium-native is an optional dependency, but this repository's install has it: its absence fails the tests. */
function requireSodiumNative (): NonNullable<ReturnType<typeof loadSodium>> {
  const sodium = loadSodium()
  if (sodium === undefined) throw new Error('sodium-native does not load here: run npm ci')
  return sodium
}

const key = new Uint8Array(randomBytes(32))
const ciphers: ValueCipher[] = [
  valueCipher('chacha20-poly1305', key, requireSodiumNative()),
  valueCipher('chacha20-poly1305', key, null),
  valueCipher('aes-256-gcm', key)
]
const label = (c: ValueCipher): string => `${c.name} (${c.implementation})`

describe('value ciphers', () => {
  it('are the ones their names say', () => {
    expect(ciphers.map(label)).toEqual(['chacha20-poly1305 (libsodium)', 'chacha20-poly1305 (openssl)', 'aes-256-gcm (openssl)'])
    expect(STORE_FORMATS).toEqual({ 'aes-256-gcm': 1, 'chacha20-poly1305': 2 })
  })

  // RFC 8439 §2.8.2, the AEAD_CHACHA20_POLY1305 example
  const rfc = {
    key: fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f'),
    nonce: fromHex('070000004041424344454647'),
    aad: fromHex('50515253c0c1c2c3c4c5c6c7'),
    plaintext: new TextEncoder().encode("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."),
    ciphertext: 'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
      '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4de' +
      'f08e4b7a9de576d26586cec64b6116',
    tag: '1ae10b594f09e26a7e902ecbd0600691'
  }
  for (const sodium of [requireSodiumNative(), null]) {
    it(`ChaCha20-Poly1305 (${sodium == null ? 'openssl' : 'libsodium'}) gives RFC 8439's answer`, () => {
      const cipher = valueCipher('chacha20-poly1305', rfc.key, sodium)
      const value = cipher.seal(rfc.nonce, rfc.plaintext, rfc.aad)
      expect(toHex(value)).toBe(toHex(rfc.nonce) + rfc.ciphertext + rfc.tag)
      expect(cipher.open(value, rfc.aad)).toEqual(rfc.plaintext)
    })
  }

  it('libsodium and OpenSSL seal ChaCha20-Poly1305 byte for byte alike, and open each other', () => {
    const [sodium, openssl] = ciphers
    for (const length of [0, 1, 63, 64, 65, 700, 5000]) {
      const nonce = new Uint8Array(randomBytes(12))
      const plaintext = new Uint8Array(randomBytes(length))
      const aad = new Uint8Array(randomBytes(length % 40))
      const a = sodium!.seal(nonce, plaintext, aad)
      const b = openssl!.seal(nonce, plaintext, aad)
      expect(toHex(a)).toBe(toHex(b))
      expect(openssl!.open(a, aad)).toEqual(plaintext)
      expect(sodium!.open(b, aad)).toEqual(plaintext)
    }
  })

  for (const cipher of ciphers) {
    describe(label(cipher), () => {
      const nonce = new Uint8Array(randomBytes(12))
      const plaintext = new TextEncoder().encode('the launch code is 0000-swordfish')
      const aad = new TextEncoder().encode('messages\0m\0abc')
      const value = cipher.seal(nonce, plaintext, aad)

      it('lays a value out as nonce, ciphertext, tag', () => {
        expect(value.length).toBe(12 + plaintext.length + 16)
        expect(value.subarray(0, 12)).toEqual(nonce)
        expect(Buffer.from(value).includes(Buffer.from(plaintext))).toBe(false)
        expect(cipher.open(value, aad)).toEqual(plaintext)
        expect(cipher.open(cipher.seal(nonce, new Uint8Array(0), aad), aad)).toEqual(new Uint8Array(0))
      })

      it('opens nothing that was changed, cut short, or moved to other associated data', () => {
        for (const at of [0, 11, 12, value.length - 17, value.length - 16, value.length - 1]) {
          const flipped = value.slice()
          flipped[at]! ^= 0x01
          expect(cipher.open(flipped, aad), `bit flipped at ${at}`).toBeUndefined()
        }
        expect(cipher.open(value, new TextEncoder().encode('messages\0m\0abd'))).toBeUndefined()
        expect(cipher.open(value.subarray(0, value.length - 1), aad)).toBeUndefined()
        // the shortest value there can be (no plaintext) and one byte less
        expect(cipher.open(new Uint8Array(28), aad)).toBeUndefined()
        expect(cipher.open(new Uint8Array(27), aad)).toBeUndefined()
        expect(cipher.open(new Uint8Array(0), aad)).toBeUndefined()
      })

      it('does not open under another key', () => {
        const other = valueCipher(cipher.name, new Uint8Array(randomBytes(32)), cipher.implementation === 'libsodium' ? requireSodiumNative() : null)
        expect(other.open(value, aad)).toBeUndefined()
      })

      it('hands out plaintext buffers of their own', () => {
        const opened = cipher.open(value, aad)!
        expect(opened.byteOffset).toBe(0)
        expect(opened.buffer.byteLength).toBe(opened.length)
      })
    })
  }

  it('does not mistake one cipher for the other', () => {
    const [chacha, , gcm] = ciphers
    const nonce = new Uint8Array(randomBytes(12))
    const aad = new Uint8Array(3)
    expect(gcm!.open(chacha!.seal(nonce, new Uint8Array(10), aad), aad)).toBeUndefined()
    expect(chacha!.open(gcm!.seal(nonce, new Uint8Array(10), aad), aad)).toBeUndefined()
  })
})
