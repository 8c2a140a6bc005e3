/**
 * Ed25519 known answers, run against every implementation.
 *
 * - wycheproof/ed25519_test.json — C2SP/wycheproof @ dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166,
 *   testvectors_v1/ed25519_test.json (Apache-2.0). Verification only (the file has public keys,
 *   no seeds): every valid case verifies, every invalid one (malleability S+L, bad R encodings,
 *   truncation, trailing garbage, …) is rejected without throwing.
 * - rfc/rfc8032_ed25519.json — RFC 8032 §7.1 TEST 1, 2, 3, 1024 and SHA(abc): public key from
 *   seed, the exact deterministic signature, and verification.
 */
import { describe, expect, it } from 'vitest'
import { hex, implementations, loadVectors, flatten } from './vectors.js'
import type { WycheproofCase, WycheproofFile } from './vectors.js'

interface EddsaCase extends WycheproofCase {
  msg: string
  sig: string
}

interface EddsaGroup {
  publicKey: { curve: string, pk: string }
  tests: EddsaCase[]
}

interface Rfc8032Case {
  id: string
  secret_key: string
  public_key: string
  message: string
  signature: string
}

const wycheproof = loadVectors<WycheproofFile<EddsaGroup>>('wycheproof/ed25519_test.json')
const rfc = loadVectors<{ tests: Rfc8032Case[] }>('rfc/rfc8032_ed25519.json')

const cases = flatten(wycheproof).map(({ group, test }) => ({ ...test, pk: group.publicKey.pk }))
const valid = cases.filter(c => c.result === 'valid')
const invalid = cases.filter(c => c.result === 'invalid')

describe('the vector files', () => {
  it('hold the cases the README lists', () => {
    expect(cases).toHaveLength(151)
    expect(valid).toHaveLength(88)
    expect(invalid).toHaveLength(63)
    expect(rfc.tests).toHaveLength(5)
  })
})

describe.each(implementations)('Ed25519, wycheproof ($name)', (p) => {
  it.each(valid)('tcId $tcId ($flags) verifies', (c) => {
    expect(p.ed25519Verify(hex(c.pk), hex(c.msg), hex(c.sig))).toBe(true)
  })

  it.each(invalid)('tcId $tcId ($flags: $comment) is rejected', (c) => {
    expect(p.ed25519Verify(hex(c.pk), hex(c.msg), hex(c.sig))).toBe(false)
  })
})

describe.each(implementations)('Ed25519, RFC 8032 §7.1 ($name)', (p) => {
  it.each(rfc.tests)('$id', (t) => {
    const seed = hex(t.secret_key)
    const message = hex(t.message)
    expect(p.ed25519PublicKey(seed)).toEqual(hex(t.public_key))
    expect(p.ed25519Sign(seed, message)).toEqual(hex(t.signature))
    expect(p.ed25519Verify(hex(t.public_key), message, hex(t.signature))).toBe(true)
  })
})
