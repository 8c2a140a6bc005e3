/**
 * HKDF-SHA256 known answers, run against every implementation.
 *
 * - wycheproof/hkdf_sha256_test.json — C2SP/wycheproof @ dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166,
 *   testvectors_v1/hkdf_sha256_test.json (Apache-2.0). The 3 invalid cases ask for 8161 bytes
 *   (> 255 * 32) and must throw InvalidInputError.
 * - rfc/rfc5869_hkdf_sha256.json — RFC 5869 Appendix A.1–A.3 (A.3: empty salt and info). The
 *   PRK is checked too, as HMAC-SHA256(salt, IKM) (RFC 5869 §2.2).
 */
import { describe, expect, it } from 'vitest'
import { hex, implementations, loadVectors, flatten } from './vectors.js'
import type { WycheproofCase, WycheproofFile } from './vectors.js'

interface HkdfCase extends WycheproofCase {
  ikm: string
  salt: string
  info: string
  size: number
  okm: string
}

interface Rfc5869Case {
  id: string
  ikm: string
  salt: string
  info: string
  L: number
  prk: string
  okm: string
}

const wycheproof = loadVectors<WycheproofFile<{ keySize: number, tests: HkdfCase[] }>>('wycheproof/hkdf_sha256_test.json')
const rfc = loadVectors<{ tests: Rfc5869Case[] }>('rfc/rfc5869_hkdf_sha256.json')

const cases = flatten(wycheproof).map(({ test }) => test)
const valid = cases.filter(c => c.result === 'valid')
const invalid = cases.filter(c => c.result !== 'valid')

describe('the vector files', () => {
  it('hold the cases the README lists', () => {
    expect(valid).toHaveLength(83)
    expect(invalid).toHaveLength(3)
    expect(invalid.every(c => c.size > 255 * 32)).toBe(true)
  })
})

describe.each(implementations)('HKDF-SHA256, wycheproof ($name)', (p) => {
  it.each(valid)('tcId $tcId ($comment, $size bytes)', (c) => {
    expect(p.hkdf(hex(c.ikm), hex(c.salt), hex(c.info), c.size)).toEqual(hex(c.okm))
  })

  it.each(invalid)('tcId $tcId ($comment, $size bytes) throws InvalidInputError', (c) => {
    expect(() => p.hkdf(hex(c.ikm), hex(c.salt), hex(c.info), c.size))
      .toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
  })
})

describe.each(implementations)('HKDF-SHA256, RFC 5869 ($name)', (p) => {
  it.each(rfc.tests)('$id', (t) => {
    expect(p.hmacSha256(hex(t.salt), hex(t.ikm))).toEqual(hex(t.prk))
    expect(p.hkdf(hex(t.ikm), hex(t.salt), hex(t.info), t.L)).toEqual(hex(t.okm))
  })
})
