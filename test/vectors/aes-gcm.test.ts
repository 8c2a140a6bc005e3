/**
 * AES-256-GCM known answers, run against every implementation.
 *
 * - wycheproof/aes_gcm_test.json — C2SP/wycheproof @ dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166,
 *   testvectors_v1/aes_gcm_test.json (Apache-2.0). keySize 256 / ivSize 96 / tagSize 128 apply;
 *   every other key, IV or tag size must be refused by our 32-byte-key, 12-byte-nonce API.
 * - rfc/nist_aes256_gcm.json — McGrew & Viega GCM spec test cases 13–18 and NIST CAVP
 *   gcmEncryptExtIV256 (12 cases); TC17/TC18 (64- and 480-bit IVs) must be refused.
 */
import { describe, expect, it } from 'vitest'
import { concatBytes } from '../../src/crypto/bytes.js'
import { hex, implementations, loadVectors, flatten } from './vectors.js'
import type { WycheproofCase, WycheproofFile } from './vectors.js'

interface AeadCase extends WycheproofCase {
  key: string
  iv: string
  aad: string
  msg: string
  ct: string
  tag: string
}

interface AeadGroup {
  keySize: number
  ivSize: number
  tagSize: number
  tests: AeadCase[]
}

interface NistCase {
  id: string
  key: string
  iv: string
  pt: string
  aad: string
  ct: string
  tag: string
  iv_bits: number
  result: 'valid'
}

const wycheproof = loadVectors<WycheproofFile<AeadGroup>>('wycheproof/aes_gcm_test.json')
const nist = loadVectors<{ tests: NistCase[] }>('rfc/nist_aes256_gcm.json')

const cases = flatten(wycheproof).map(({ group, test }) => ({
  ...test,
  keySize: group.keySize,
  ivSize: group.ivSize,
  tagSize: group.tagSize,
  applies: group.keySize === 256 && group.ivSize === 96 && group.tagSize === 128
}))
const valid = cases.filter(c => c.applies && c.result === 'valid')
const invalid = cases.filter(c => c.applies && c.result !== 'valid')
const refused = cases.filter(c => !c.applies)

describe('the vector files', () => {
  it('hold the cases the README lists', () => {
    expect(cases).toHaveLength(316)
    expect(valid.length + invalid.length).toBe(66)
    expect(nist.tests).toHaveLength(18)
  })
})

describe.each(implementations)('AES-256-GCM, wycheproof ($name)', (p) => {
  it.each(valid)('tcId $tcId ($flags) seals to ct || tag and opens', (c) => {
    const sealed = p.aesGcmSeal(hex(c.key), hex(c.iv), hex(c.msg), hex(c.aad))
    expect(sealed).toEqual(concatBytes(hex(c.ct), hex(c.tag)))
    expect(p.aesGcmOpen(hex(c.key), hex(c.iv), sealed, hex(c.aad))).toEqual(hex(c.msg))
  })

  it.each(invalid)('tcId $tcId ($flags: $comment) does not open', (c) => {
    const sealed = concatBytes(hex(c.ct), hex(c.tag))
    expect(() => p.aesGcmOpen(hex(c.key), hex(c.iv), sealed, hex(c.aad)))
      .toThrow(expect.objectContaining({ name: 'DecryptError' }))
    // and sealing the message does not reproduce the bad tag
    expect(p.aesGcmSeal(hex(c.key), hex(c.iv), hex(c.msg), hex(c.aad))).not.toEqual(sealed)
  })

  it.each(refused)('tcId $tcId (key $keySize, iv $ivSize, tag $tagSize bits) is refused', (c) => {
    const key = hex(c.key)
    const iv = hex(c.iv)
    const sealed = concatBytes(hex(c.ct), hex(c.tag))
    if (c.keySize !== 256 || c.ivSize !== 96) {
      expect(() => p.aesGcmSeal(key, iv, hex(c.msg), hex(c.aad)))
        .toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
      expect(() => p.aesGcmOpen(key, iv, sealed, hex(c.aad)))
        .toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
    } else {
      // a right-sized key and nonce with a truncated tag: too short to split, or a tag that cannot match
      expect(() => p.aesGcmOpen(key, iv, sealed, hex(c.aad)))
        .toThrow(expect.objectContaining({ name: expect.stringMatching(/^(InvalidInputError|DecryptError)$/) }))
    }
  })
})

describe.each(implementations)('AES-256-GCM, GCM spec and NIST CAVP ($name)', (p) => {
  const twelveByte = nist.tests.filter(t => t.iv_bits === 96)
  const otherIv = nist.tests.filter(t => t.iv_bits !== 96)

  it('has the two non-96-bit IV cases (TC17, TC18)', () => {
    expect(otherIv.map(t => t.id)).toEqual(['GCM-TC17', 'GCM-TC18'])
  })

  it.each(twelveByte)('$id seals to ct || tag and opens', (t) => {
    const sealed = p.aesGcmSeal(hex(t.key), hex(t.iv), hex(t.pt), hex(t.aad))
    expect(sealed).toEqual(concatBytes(hex(t.ct), hex(t.tag)))
    expect(p.aesGcmOpen(hex(t.key), hex(t.iv), sealed, hex(t.aad))).toEqual(hex(t.pt))
  })

  it.each(otherIv)('$id ($iv_bits-bit IV) is refused', (t) => {
    expect(() => p.aesGcmSeal(hex(t.key), hex(t.iv), hex(t.pt), hex(t.aad)))
      .toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
    expect(() => p.aesGcmOpen(hex(t.key), hex(t.iv), concatBytes(hex(t.ct), hex(t.tag)), hex(t.aad)))
      .toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
  })
})
