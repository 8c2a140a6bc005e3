/**
 * X25519 known answers, run against every implementation.
 *
 * - wycheproof/x25519_test.json — C2SP/wycheproof @ dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166,
 *   testvectors_v1/x25519_test.json (Apache-2.0). Valid and acceptable cases must compute the
 *   expected secret; the 31 flagged `ZeroSharedSecret` must throw LowOrderPointError (RFC 7748 §6.1).
 * - rfc/rfc7748_x25519.json — RFC 7748 §5.2 (scalar multiplication, 1 and 1 000 iterations here;
 *   1 000 000 in x25519-iterations.slow.test.ts) and §6.1 (Diffie-Hellman).
 */
import { describe, expect, it } from 'vitest'
import { hex, implementations, iterateX25519, loadVectors, flatten } from './vectors.js'
import type { WycheproofCase, WycheproofFile } from './vectors.js'

interface XdhCase extends WycheproofCase {
  public: string
  private: string
  shared: string
}

interface Rfc7748 {
  scalarmult: Array<{ id: string, scalar: string, u: string, output: string }>
  iterated: Array<{ iterations: number, output: string }>
  diffie_hellman: {
    alice_private: string
    alice_public: string
    bob_private: string
    bob_public: string
    shared: string
  }
}

const wycheproof = loadVectors<WycheproofFile<{ curve: string, tests: XdhCase[] }>>('wycheproof/x25519_test.json')
const rfc = loadVectors<Rfc7748>('rfc/rfc7748_x25519.json')

const cases = flatten(wycheproof).map(({ test }) => test)
const zeroShared = cases.filter(c => c.flags.includes('ZeroSharedSecret'))
const computed = cases.filter(c => !c.flags.includes('ZeroSharedSecret'))

describe('the vector files', () => {
  it('hold the cases the README lists', () => {
    expect(cases).toHaveLength(518)
    expect(zeroShared).toHaveLength(31)
    expect(cases.every(c => c.result === 'valid' || c.result === 'acceptable')).toBe(true)
    // the flag marks exactly the all-zero outputs
    expect(cases.filter(c => /^(00)+$/.test(c.shared))).toEqual(zeroShared)
  })
})

describe.each(implementations)('X25519, wycheproof ($name)', (p) => {
  it.each(computed)('tcId $tcId ($result, $flags) computes the shared secret', (c) => {
    expect(p.x25519(hex(c.private), hex(c.public))).toEqual(hex(c.shared))
  })

  it.each(zeroShared)('tcId $tcId ($flags) throws LowOrderPointError', (c) => {
    expect(() => p.x25519(hex(c.private), hex(c.public)))
      .toThrow(expect.objectContaining({ name: 'LowOrderPointError' }))
  })
})

describe.each(implementations)('X25519, RFC 7748 ($name)', (p) => {
  it.each(rfc.scalarmult)('§5.2 $id', (t) => {
    expect(p.x25519(hex(t.scalar), hex(t.u))).toEqual(hex(t.output))
  })

  it.each(rfc.iterated.filter(t => t.iterations <= 1000))('§5.2 after $iterations iteration(s)', (t) => {
    expect(iterateX25519(p.x25519, t.iterations)).toEqual(hex(t.output))
  })

  it('§6.1 Diffie-Hellman', () => {
    const dh = rfc.diffie_hellman
    expect(p.x25519PublicKey(hex(dh.alice_private))).toEqual(hex(dh.alice_public))
    expect(p.x25519PublicKey(hex(dh.bob_private))).toEqual(hex(dh.bob_public))
    expect(p.x25519(hex(dh.alice_private), hex(dh.bob_public))).toEqual(hex(dh.shared))
    expect(p.x25519(hex(dh.bob_private), hex(dh.alice_public))).toEqual(hex(dh.shared))
  })
})
