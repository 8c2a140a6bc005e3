/**
 * The `Primitives` implementations against each other (same random inputs,
 * byte-identical outputs), and the input checks and typed errors all must
 * share. `sodium` differs from `native` in Ed25519, X25519 and HMAC-SHA256
 * of inputs up to a block, so it joins those comparisons. Known answers are in test/vectors/.
 */
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js'
import { sha512 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concatBytes, fromHex, toHex } from '../../../src/crypto/bytes.js'
import { ed25519EncodingChecks, nativePrimitives as native } from '../../../src/crypto/native.js'
import { noblePrimitives as noble } from '../../../src/crypto/noble.js'
import { defaultPrimitives, firstWorking } from '../../../src/crypto/primitives-select.js'
import type { Primitives } from '../../../src/crypto/primitives.js'
import { requireSodium } from '../../vectors/vectors.js'

const sodium = requireSodium()

const runs = { numRuns: 100 }
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const bytes64 = fc.uint8Array({ minLength: 64, maxLength: 64 })
const anyBytes = (maxLength: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength })

type Outcome = { value: unknown } | { error: string }

/** What a call returned, or the name of what it threw: both paths must give the same one. */
function outcome (fn: () => unknown): Outcome {
  try {
    return { value: fn() }
  } catch (err) {
    return { error: (err as Error).name }
  }
}

function expectSame (fn: (p: Primitives) => unknown): void {
  const expected = outcome(() => fn(native))
  expect(outcome(() => fn(noble))).toEqual(expected)
  expect(outcome(() => fn(sodium))).toEqual(expected)
}

const named = (name: string): unknown => expect.objectContaining({ name })

describe('native, noble and sodium agree', () => {
  it('x25519PublicKey', () => {
    fc.assert(fc.property(bytes32, (k) => {
      expect(native.x25519PublicKey(k)).toEqual(noble.x25519PublicKey(k))
      expect(sodium.x25519PublicKey(k)).toEqual(noble.x25519PublicKey(k))
    }), runs)
  })

  it('x25519 on arbitrary u', () => {
    fc.assert(fc.property(bytes32, bytes32, (k, u) => {
      expectSame(p => p.x25519(k, u))
    }), runs)
  })

  it('x25519 Diffie-Hellman, across implementations', () => {
    fc.assert(fc.property(bytes32, bytes32, (a, b) => {
      const shared = native.x25519(a, noble.x25519PublicKey(b))
      expect(noble.x25519(b, native.x25519PublicKey(a))).toEqual(shared)
      expect(sodium.x25519(b, sodium.x25519PublicKey(a))).toEqual(shared)
    }), runs)
  })

  it('ed25519PublicKey', () => {
    fc.assert(fc.property(bytes32, (seed) => {
      expect(native.ed25519PublicKey(seed)).toEqual(noble.ed25519PublicKey(seed))
    }), runs)
  })

  it('ed25519Sign (deterministic) and ed25519Verify, also on tampered input', () => {
    fc.assert(fc.property(bytes32, anyBytes(1024), fc.nat(), (seed, message, flip) => {
      const signature = native.ed25519Sign(seed, message)
      expect(noble.ed25519Sign(seed, message)).toEqual(signature)
      expect(sodium.ed25519Sign(seed, message)).toEqual(signature)
      const publicKey = native.ed25519PublicKey(seed)
      const badSignature = signature.slice()
      badSignature[flip % 64]! ^= 1 << (flip % 8)
      const badMessage = concatBytes(message, Uint8Array.of(flip & 0xff))
      for (const p of [native, noble, sodium]) {
        expect(p.ed25519Verify(publicKey, message, signature)).toBe(true)
        expect(p.ed25519Verify(publicKey, message, badSignature)).toBe(false)
        expect(p.ed25519Verify(publicKey, badMessage, signature)).toBe(false)
      }
    }), runs)
  })

  it('ed25519Verify on arbitrary public keys and signatures', () => {
    // about half of all 32-byte strings are not points: both must refuse them the same way
    fc.assert(fc.property(bytes32, anyBytes(64), bytes64, (publicKey, message, signature) => {
      expectSame(p => p.ed25519Verify(publicKey, message, signature))
    }), runs)
  })

  it('AES-256-GCM seal, and open of the other one\'s output', () => {
    fc.assert(fc.property(bytes32, fc.uint8Array({ minLength: 12, maxLength: 12 }), anyBytes(1024), anyBytes(64), (key, nonce, plaintext, aad) => {
      const sealed = native.aesGcmSeal(key, nonce, plaintext, aad)
      expect(noble.aesGcmSeal(key, nonce, plaintext, aad)).toEqual(sealed)
      expect(sealed).toHaveLength(plaintext.length + 16)
      expect(noble.aesGcmOpen(key, nonce, sealed, aad)).toEqual(plaintext)
      expect(native.aesGcmOpen(key, nonce, sealed, aad)).toEqual(plaintext)
    }), runs)
  })

  it('hkdf, including long salts (hashed HMAC key) and long infos', () => {
    fc.assert(fc.property(anyBytes(100), anyBytes(130), anyBytes(2048), fc.integer({ min: 1, max: 8160 }), (ikm, salt, info, length) => {
      const okm = native.hkdf(ikm, salt, info, length)
      expect(okm).toHaveLength(length)
      expect(noble.hkdf(ikm, salt, info, length)).toEqual(okm)
    }), runs)
  })

  it('hmacSha256, including keys longer than a block', () => {
    fc.assert(fc.property(anyBytes(200), anyBytes(5000), (key, data) => {
      const mac = noble.hmacSha256(key, data)
      expect(native.hmacSha256(key, data)).toEqual(mac)
      expect(sodium.hmacSha256(key, data)).toEqual(mac)
    }), runs)
  })

  it('hmacSha256 of keys and data around a block (where sodium changes path)', () => {
    fc.assert(fc.property(anyBytes(66), anyBytes(66), (key, data) => {
      expect(sodium.hmacSha256(key, data)).toEqual(noble.hmacSha256(key, data))
    }), runs)
    for (const k of [0, 1, 32, 63, 64, 65]) {
      for (const d of [0, 1, 63, 64, 65]) {
        const key = new Uint8Array(k).fill(k + 1)
        const data = new Uint8Array(d).fill(d + 2)
        expect(sodium.hmacSha256(key, data)).toEqual(noble.hmacSha256(key, data))
      }
    }
  })

  it('sha256', () => {
    fc.assert(fc.property(anyBytes(5000), (data) => {
      expect(native.sha256(data)).toEqual(noble.sha256(data))
    }), runs)
  })

  it('on each other\'s key pairs', () => {
    for (const [a, b] of [[native, noble], [noble, native], [sodium, noble], [native, sodium]] as const) {
      for (let i = 0; i < 20; i++) {
        const x = a.x25519KeyPair()
        expect(b.x25519PublicKey(x.privateKey)).toEqual(x.publicKey)
        expect(b.x25519(a.x25519KeyPair().privateKey, x.publicKey)).toHaveLength(32)
        const e = a.ed25519KeyPair()
        expect(b.ed25519PublicKey(e.privateKey)).toEqual(e.publicKey)
        const message = a.randomBytes(32)
        expect(b.ed25519Verify(e.publicKey, message, a.ed25519Sign(e.privateKey, message))).toBe(true)
      }
    }
  })
})

describe('native key caches', () => {
  it('notice a private key overwritten in place', () => {
    const key = native.randomBytes(32)
    const seed = native.randomBytes(32)
    const peer = native.x25519KeyPair().publicKey
    native.x25519(key, peer)
    native.ed25519Sign(seed, new Uint8Array(0))
    key.set(native.randomBytes(32))
    seed.set(native.randomBytes(32))
    expect(native.x25519PublicKey(key)).toEqual(noble.x25519PublicKey(key))
    expect(native.x25519(key, peer)).toEqual(noble.x25519(key, peer))
    expect(native.ed25519PublicKey(seed)).toEqual(noble.ed25519PublicKey(seed))
    expect(native.ed25519Sign(seed, new Uint8Array(0))).toEqual(noble.ed25519Sign(seed, new Uint8Array(0)))
  })

  it('hand out copies, not the cached public key', () => {
    const pair = native.x25519KeyPair()
    const first = native.x25519PublicKey(pair.privateKey)
    first.fill(0)
    expect(native.x25519PublicKey(pair.privateKey)).toEqual(pair.publicKey)
  })

  it('stay correct past the public key LRU bound', () => {
    const signers = Array.from({ length: 1100 }, () => native.ed25519KeyPair())
    const message = new Uint8Array([1, 2, 3])
    const signatures = signers.map(s => native.ed25519Sign(s.privateKey, message))
    signers.forEach((s, i) => expect(native.ed25519Verify(s.publicKey, message, signatures[i]!)).toBe(true))
    // the first ones were evicted: verifying again re-imports them
    expect(native.ed25519Verify(signers[0]!.publicKey, message, signatures[0]!)).toBe(true)
    expect(native.ed25519Verify(signers[0]!.publicKey, message, signatures[1]!)).toBe(false)
  })
})

// RFC 7748 §6.1 / libsodium's blocklist: u values whose every multiple by a clamped scalar is 0
const LOW_ORDER_U = {
  0: '0000000000000000000000000000000000000000000000000000000000000000',
  1: '0100000000000000000000000000000000000000000000000000000000000000',
  'order 8 (a)': 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  'order 8 (b)': '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'p - 1': 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'p (= 0)': 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'p + 1 (= 1)': 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
}
const withTopBit = (hex: string): string => hex.slice(0, 62) + (parseInt(hex.slice(62), 16) | 0x80).toString(16)
const lowOrder = Object.entries(LOW_ORDER_U).flatMap(([what, u]) => [
  { what, u },
  { what: `${what}, top bit set`, u: withTopBit(u) }
])

describe.each([native, noble, sodium])('$name input checks and errors', (p) => {
  const k32 = new Uint8Array(32)
  const n12 = new Uint8Array(12)
  const empty = new Uint8Array(0)
  const notBytes = ['0'.repeat(64), Array.from({ length: 32 }, () => 0), undefined] as unknown as Uint8Array[]

  it('x25519 and key derivation refuse wrong lengths and non-bytes', () => {
    for (const bad of [new Uint8Array(31), new Uint8Array(33), empty, ...notBytes]) {
      expect(() => p.x25519PublicKey(bad)).toThrow(named('InvalidInputError'))
      expect(() => p.x25519(bad, k32)).toThrow(named('InvalidInputError'))
      expect(() => p.x25519(k32, bad)).toThrow(named('InvalidInputError'))
      expect(() => p.ed25519PublicKey(bad)).toThrow(named('InvalidInputError'))
      expect(() => p.ed25519Sign(bad, empty)).toThrow(named('InvalidInputError'))
    }
    expect(() => p.ed25519Sign(k32, 'message' as unknown as Uint8Array)).toThrow(named('InvalidInputError'))
  })

  it.each(lowOrder)('x25519 with low-order u = $what throws LowOrderPointError', ({ u }) => {
    expect(() => p.x25519(p.randomBytes(32), fromHex(u))).toThrow(named('LowOrderPointError'))
  })

  it('ed25519Verify returns false, never throws, on malformed input', () => {
    const pair = p.ed25519KeyPair()
    const message = new Uint8Array([7])
    const signature = p.ed25519Sign(pair.privateKey, message)
    const cases: Array<[unknown, unknown, unknown]> = [
      [pair.publicKey.subarray(0, 31), message, signature],
      [concatBytes(pair.publicKey, Uint8Array.of(0)), message, signature],
      [pair.publicKey, message, signature.subarray(0, 63)],
      [pair.publicKey, message, concatBytes(signature, Uint8Array.of(0))],
      [pair.publicKey, message, empty],
      [toHex(pair.publicKey), message, signature],
      [pair.publicKey, 'x', signature],
      [pair.publicKey, message, undefined],
      [null, null, null]
    ]
    for (const [publicKey, m, s] of cases) {
      expect(p.ed25519Verify(publicKey as Uint8Array, m as Uint8Array, s as Uint8Array)).toBe(false)
    }
    expect(p.ed25519Verify(pair.publicKey, message, signature)).toBe(true)
  })

  it('AES-GCM refuses keys other than 32 bytes and nonces other than 12', () => {
    for (const key of [16, 24, 31, 33, 0].map(n => new Uint8Array(n))) {
      expect(() => p.aesGcmSeal(key, n12, empty, empty)).toThrow(named('InvalidInputError'))
      expect(() => p.aesGcmOpen(key, n12, new Uint8Array(16), empty)).toThrow(named('InvalidInputError'))
    }
    for (const nonce of [0, 8, 11, 13, 16].map(n => new Uint8Array(n))) {
      expect(() => p.aesGcmSeal(k32, nonce, empty, empty)).toThrow(named('InvalidInputError'))
      expect(() => p.aesGcmOpen(k32, nonce, new Uint8Array(16), empty)).toThrow(named('InvalidInputError'))
    }
    for (const bad of notBytes) {
      expect(() => p.aesGcmSeal(k32, n12, bad, empty)).toThrow(named('InvalidInputError'))
      expect(() => p.aesGcmSeal(k32, n12, empty, bad)).toThrow(named('InvalidInputError'))
      expect(() => p.aesGcmOpen(k32, n12, bad, empty)).toThrow(named('InvalidInputError'))
    }
  })

  it('AES-GCM refuses sealed input shorter than the tag', () => {
    for (let n = 0; n < 16; n++) {
      expect(() => p.aesGcmOpen(k32, n12, new Uint8Array(n), empty)).toThrow(named('InvalidInputError'))
    }
  })

  it('AES-GCM: any change throws DecryptError, with no plaintext in it and the input untouched', () => {
    const key = p.randomBytes(32)
    const nonce = p.randomBytes(12)
    const plaintext = new TextEncoder().encode('attack at dawn, bring snacks')
    const aad = new Uint8Array([1, 2, 3])
    const sealed = p.aesGcmSeal(key, nonce, plaintext, aad)
    const flip = (b: Uint8Array, i: number, bit = 0): Uint8Array => { const c = b.slice(); c[i]! ^= 1 << bit; return c }
    const attempts: Array<[string, () => unknown]> = [
      ['flipped tag bit', () => p.aesGcmOpen(key, nonce, flip(sealed, sealed.length - 1, 7), aad)],
      ['flipped first tag bit', () => p.aesGcmOpen(key, nonce, flip(sealed, plaintext.length), aad)],
      ['flipped ciphertext bit', () => p.aesGcmOpen(key, nonce, flip(sealed, 0), aad)],
      ['truncated', () => p.aesGcmOpen(key, nonce, sealed.subarray(1), aad)],
      ['other aad', () => p.aesGcmOpen(key, nonce, sealed, empty)],
      ['other nonce', () => p.aesGcmOpen(key, flip(nonce, 11), sealed, aad)],
      ['other key', () => p.aesGcmOpen(flip(key, 0), nonce, sealed, aad)]
    ]
    const before = sealed.slice()
    for (const [what, attempt] of attempts) {
      let error: unknown
      let returned: unknown
      try {
        returned = attempt()
      } catch (err) {
        error = err
      }
      expect(returned, what).toBeUndefined()
      expect(error, what).toMatchObject({ name: 'DecryptError' })
      const e = error as Error
      expect(Object.values(e).some(v => v instanceof Uint8Array), what).toBe(false)
      expect(e.message).not.toContain(toHex(plaintext))
      expect(e.message).not.toContain('attack')
    }
    expect(sealed).toEqual(before)
    expect(p.aesGcmOpen(key, nonce, sealed, aad)).toEqual(plaintext)
  })

  it('hkdf accepts lengths 1..8160 only', () => {
    expect(p.hkdf(empty, empty, empty, 1)).toHaveLength(1)
    expect(p.hkdf(empty, empty, empty, 8160)).toHaveLength(8160)
    for (const length of [0, -1, 8161, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '32' as unknown as number]) {
      expect(() => p.hkdf(k32, empty, empty, length)).toThrow(named('InvalidInputError'))
    }
    for (const bad of notBytes) {
      expect(() => p.hkdf(bad, empty, empty, 32)).toThrow(named('InvalidInputError'))
      expect(() => p.hkdf(k32, bad, empty, 32)).toThrow(named('InvalidInputError'))
      expect(() => p.hkdf(k32, empty, bad, 32)).toThrow(named('InvalidInputError'))
    }
  })

  it('hmacSha256 and sha256 refuse non-bytes', () => {
    for (const bad of notBytes) {
      expect(() => p.hmacSha256(bad, empty)).toThrow(named('InvalidInputError'))
      expect(() => p.hmacSha256(empty, bad)).toThrow(named('InvalidInputError'))
      expect(() => p.sha256(bad)).toThrow(named('InvalidInputError'))
    }
  })

  it('randomBytes: any non-negative length, including more than one getRandomValues call', () => {
    expect(p.randomBytes(0)).toHaveLength(0)
    const big = p.randomBytes(70_000)
    expect(big).toHaveLength(70_000)
    expect(big.subarray(65_536).some(b => b !== 0)).toBe(true)
    expect(p.randomBytes(32)).not.toEqual(p.randomBytes(32))
    for (const length of [-1, 1.5, Number.NaN]) {
      expect(() => p.randomBytes(length)).toThrow(named('InvalidInputError'))
    }
  })

  it('returns plain Uint8Arrays that own their bytes', () => {
    const x = p.x25519KeyPair()
    const e = p.ed25519KeyPair()
    const key = p.randomBytes(32)
    const nonce = p.randomBytes(12)
    const sealed = p.aesGcmSeal(key, nonce, new Uint8Array(5), empty)
    const outputs = [
      p.randomBytes(16), x.publicKey, x.privateKey, e.publicKey, e.privateKey,
      p.x25519PublicKey(x.privateKey), p.x25519(x.privateKey, p.x25519KeyPair().publicKey),
      p.ed25519PublicKey(e.privateKey), p.ed25519Sign(e.privateKey, empty),
      sealed, p.aesGcmOpen(key, nonce, sealed, empty),
      p.hkdf(key, empty, empty, 42), p.hmacSha256(key, empty), p.sha256(empty)
    ]
    for (const out of outputs) {
      expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype)
      // not a view into a shared pool (node:crypto returns pooled Buffers for some calls)
      expect(out.byteOffset).toBe(0)
      expect(out.buffer.byteLength).toBe(out.byteLength)
    }
  })
})

/**
 * Signatures no honest signer produces, built with the curve arithmetic.
 * Verifiers split here (cofactored vs cofactorless equation, small-order
 * checks); ours must give one answer on both paths.
 */
describe('Ed25519 edge cases: native, noble and sodium give the same answer', () => {
  const Point = ed25519.Point
  const L = Point.Fn.ORDER
  const B = Point.BASE
  const le = (n: bigint): Uint8Array => {
    const out = new Uint8Array(32)
    for (let i = 0; i < 32; i++) { out[i] = Number(n & 0xffn); n >>= 8n }
    return out
  }
  const scalarOf = (b: Uint8Array): bigint => {
    let n = 0n
    for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!)
    return n
  }
  const challenge = (R: Uint8Array, A: Uint8Array, m: Uint8Array): bigint => scalarOf(sha512(concatBytes(R, A, m))) % L
  const verifyBoth = (A: Uint8Array, m: Uint8Array, sig: Uint8Array): boolean => {
    const n = native.ed25519Verify(A, m, sig)
    expect(noble.ed25519Verify(A, m, sig)).toBe(n)
    expect(sodium.ed25519Verify(A, m, sig)).toBe(n)
    return n
  }
  const P = 2n ** 255n - 19n
  const torsion = ED25519_TORSION_SUBGROUP.map(h => fromHex(h))
  const T8 = Point.fromBytes(torsion[1]!) // a point of order 8

  it('small-order public keys are refused, even with a signature the equation accepts', () => {
    const withSign = (b: Uint8Array): Uint8Array => { const c = b.slice(); c[31]! |= 0x80; return c }
    const encodings = [...torsion, le(P), le(P + 1n), withSign(le(P)), withSign(le(P + 1n)), withSign(le(1n)), withSign(le(P - 1n))]
    for (const A of encodings) {
      const point = Point.fromBytes(A, true)
      // find R = sB - jA with k = H(R || A || m) ≡ j on A's small order, so [s]B - [k]A == R
      let forged: { m: Uint8Array, sig: Uint8Array } | undefined
      for (let i = 0; i < 256 && forged === undefined; i++) {
        const m = Uint8Array.of(i)
        const j = BigInt(i % 8)
        const R = B.multiply(12345n).subtract(point.multiplyUnsafe(j)).toBytes()
        if (point.multiplyUnsafe(challenge(R, A, m)).equals(point.multiplyUnsafe(j))) forged = { m, sig: concatBytes(R, le(12345n)) }
      }
      expect(forged, toHex(A)).toBeDefined()
      expect(verifyBoth(A, forged!.m, forged!.sig), toHex(A)).toBe(false)
    }
  })

  it('an R with a small-order component is refused (a cofactored verifier would accept it)', () => {
    const a = 987654321n
    const A = B.multiply(a).toBytes()
    for (let i = 0; i < 8; i++) {
      const m = Uint8Array.of(i)
      const r = 1000n + BigInt(i)
      const R = B.multiply(r).add(T8).toBytes()
      const S = (r + challenge(R, A, m) * a) % L
      expect(verifyBoth(A, m, concatBytes(R, le(S)))).toBe(false)
    }
  })

  it('a small-order R is refused, though [S]B - [k]A == R', () => {
    const a = 424242n
    // identity R with an honest key: S = k·a
    const A = B.multiply(a).toBytes()
    const identity = le(1n)
    for (let i = 0; i < 4; i++) {
      const m = Uint8Array.of(i)
      const S = (challenge(identity, A, m) * a) % L
      expect(verifyBoth(A, m, concatBytes(identity, le(S)))).toBe(false)
    }
    // other small-order R with a mixed-order key A = aB + T8: S = k·a gives [S]B - [k]A = -[k]T8
    const mixed = B.multiply(a).add(T8)
    const Am = mixed.toBytes()
    let tried = 0
    for (let i = 0; tried < 4 && i < 256; i++) {
      const m = Uint8Array.of(i, 1)
      const j = BigInt(i % 8)
      const R = T8.multiplyUnsafe(j).negate().toBytes()
      const k = challenge(R, Am, m)
      if (k % 8n !== j) continue
      tried++
      expect(verifyBoth(Am, m, concatBytes(R, le((k * a) % L)))).toBe(false)
    }
    expect(tried).toBe(4)
  })

  it('a mixed-order public key verifies exactly when the cofactorless equation holds', () => {
    const a = 55555n
    const A = B.multiply(a).add(T8).toBytes()
    const outcomes = new Set<boolean>()
    for (let i = 0; i < 32; i++) {
      const m = Uint8Array.of(i)
      const r = 777n + BigInt(i)
      const R = B.multiply(r).toBytes()
      const k = challenge(R, A, m)
      const result = verifyBoth(A, m, concatBytes(R, le((r + k * a) % L)))
      // [S]B - [k]A = R - [k]T8, which is R only when 8 | k
      expect(result).toBe(k % 8n === 0n)
      outcomes.add(result)
    }
    expect(outcomes).toEqual(new Set([true, false]))
  })

  it('the native pre-checks match the curve, whatever Node itself checks', () => {
    // Node ≥ 24.x refuses small-order A and R on its own, which hides these checks from ed25519Verify
    const { hasSmallOrder, isCanonicalY, isCanonicalScalar } = ed25519EncodingChecks
    const withSign = (b: Uint8Array): Uint8Array => { const c = b.slice(); c[31]! |= 0x80; return c }
    for (const t of [...torsion, le(P), le(P + 1n)]) {
      expect(hasSmallOrder(t), toHex(t)).toBe(true)
      expect(hasSmallOrder(withSign(t)), toHex(t)).toBe(true)
    }
    for (let i = 0; i < 200; i++) {
      const A = native.ed25519KeyPair().publicKey
      expect(hasSmallOrder(A)).toBe(false)
      expect(isCanonicalY(A)).toBe(true)
      // and what the curve says about arbitrary bytes: a strictly decodable point of large order passes
      const r = native.randomBytes(32)
      let decodesToLargeOrder = false
      try { decodesToLargeOrder = !Point.fromBytes(r, false).isSmallOrder() } catch { /* not a point */ }
      if (decodesToLargeOrder) expect(hasSmallOrder(r) || !isCanonicalY(r)).toBe(false)
    }
    for (const y of [P, P + 1n, P + 18n, 2n ** 255n - 1n]) {
      expect(isCanonicalY(le(y))).toBe(false)
      expect(isCanonicalY(withSign(le(y)))).toBe(false)
    }
    for (const y of [0n, 1n, P - 1n]) expect(isCanonicalY(withSign(le(y)))).toBe(true)
    for (const s of [0n, 1n, L - 1n]) expect(isCanonicalScalar(le(s))).toBe(true)
    for (const s of [L, L + 1n, 2n * L, 2n ** 253n, 2n ** 256n - 1n]) expect(isCanonicalScalar(le(s))).toBe(false)
  })

  it('S >= L is refused (S + L malleability)', () => {
    const pair = native.ed25519KeyPair()
    const m = new Uint8Array([9])
    const sig = native.ed25519Sign(pair.privateKey, m)
    const S = scalarOf(sig.subarray(32))
    for (const bad of [S + L, L, 2n ** 256n - 1n]) {
      expect(verifyBoth(pair.publicKey, m, concatBytes(sig.subarray(0, 32), le(bad)))).toBe(false)
    }
  })
})

describe('sodium\'s secret key cache', () => {
  it('notices a seed overwritten in place', () => {
    const seed = native.randomBytes(32)
    const message = new Uint8Array([1, 2, 3])
    expect(sodium.ed25519Sign(seed, message)).toEqual(native.ed25519Sign(seed, message))
    seed.set(native.randomBytes(32))
    expect(sodium.ed25519Sign(seed, message)).toEqual(noble.ed25519Sign(seed, message))
  })

  it('signs with a seed that is a view into a larger buffer', () => {
    const backing = native.randomBytes(100)
    const seed = backing.subarray(10, 42)
    const message = backing.subarray(50, 90)
    expect(sodium.ed25519Sign(seed, message)).toEqual(noble.ed25519Sign(seed.slice(), message.slice()))
  })
})

describe('defaultPrimitives', () => {
  it('is the sodium path on Node when sodium-native loads, native otherwise', () => {
    expect(defaultPrimitives()).toBe(sodium)
    expect(defaultPrimitives().name).toBe('sodium')
  })

  it('falls back when the addon does not load or an implementation fails the probe', () => {
    // a backend whose signatures are wrong, and one that throws (an OpenSSL without Ed25519, say)
    const wrongSignatures: Primitives = { ...sodium, ed25519Sign: (seed, m) => { const s = sodium.ed25519Sign(seed, m); s[0]! ^= 1; return s } }
    const throwing: Primitives = { ...native, x25519PublicKey: () => { throw new Error('unsupported') } }
    expect(firstWorking([undefined, native])).toBe(native)
    expect(firstWorking([wrongSignatures, native])).toBe(native)
    expect(firstWorking([undefined, throwing])).toBe(noble)
    expect(firstWorking([sodium, native])).toBe(sodium)
  })
})
