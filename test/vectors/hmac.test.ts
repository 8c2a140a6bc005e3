/**
 * HMAC-SHA256 known answers, run against every implementation.
 *
 * - wycheproof/hmac_sha256_test.json — C2SP/wycheproof @ dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166,
 *   testvectors_v1/hmac_sha256_test.json (Apache-2.0). Groups with tagSize 128 carry truncated
 *   tags: the computed tag's prefix of that length is what is compared. Tags are compared with
 *   the constant-time `equalBytes`; the invalid (modified tag) cases must not match.
 */
import { describe, expect, it } from 'vitest'
import { equalBytes } from '../../src/crypto/bytes.js'
import { hex, implementations, loadVectors, flatten } from './vectors.js'
import type { WycheproofCase, WycheproofFile } from './vectors.js'

interface MacCase extends WycheproofCase {
  key: string
  msg: string
  tag: string
}

interface MacGroup {
  keySize: number
  tagSize: number
  tests: MacCase[]
}

const wycheproof = loadVectors<WycheproofFile<MacGroup>>('wycheproof/hmac_sha256_test.json')

const cases = flatten(wycheproof).map(({ group, test }) => ({ ...test, tagSize: group.tagSize }))
const valid = cases.filter(c => c.result === 'valid')
const invalid = cases.filter(c => c.result !== 'valid')

describe('the vector files', () => {
  it('hold the cases the README lists', () => {
    expect(cases).toHaveLength(174)
    expect(valid).toHaveLength(66)
    expect(invalid).toHaveLength(108)
    expect(cases.every(c => c.tag.length * 4 === c.tagSize)).toBe(true)
  })
})

describe.each(implementations)('HMAC-SHA256, wycheproof ($name)', (p) => {
  function tag (c: MacCase & { tagSize: number }): Uint8Array {
    return p.hmacSha256(hex(c.key), hex(c.msg)).subarray(0, c.tagSize / 8)
  }

  it.each(valid)('tcId $tcId ($comment, $tagSize-bit tag) matches', (c) => {
    expect(equalBytes(tag(c), hex(c.tag))).toBe(true)
    expect(tag(c)).toEqual(hex(c.tag))
  })

  it.each(invalid)('tcId $tcId ($comment, $tagSize-bit tag) does not match', (c) => {
    expect(equalBytes(tag(c), hex(c.tag))).toBe(false)
  })
})
