import { describe, expect, it } from 'vitest'
import { MAX_RECEIVE_CHAINS, MAX_RECEIVE_STEPS, MAX_REFRESH_SKIP, MAX_SKIPPED_KEYS } from '../../../src/crypto/constants.js'
import { verifyEnvelope } from '../../../src/crypto/envelope.js'
import { nativePrimitives as prims } from '../../../src/crypto/native.js'
import { Session } from '../../../src/crypto/session.js'
import { makeAgent, str, text, thrownName } from './fixtures.js'
import type { RatchetOptions } from '../../../src/crypto/ratchet.js'

function pair (options: RatchetOptions = {}): { a: Session, b: Session, toBob(w: Uint8Array): Uint8Array, toAlice(w: Uint8Array): Uint8Array } {
  const alice = makeAgent(prims)
  const bob = makeAgent(prims)
  const a = Session.initiate(prims, alice.identity, bob.bundle(), options)
  const { session: b } = Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, a.seal(text('hi'))), options)
  return {
    a, b,
    toBob: (w) => b.open(verifyEnvelope(prims, bob.identity, w)),
    toAlice: (w) => a.open(verifyEnvelope(prims, alice.identity, w))
  }
}

describe('ratchet bounds', () => {
  it(`keeps at most ${MAX_SKIPPED_KEYS} skipped keys, dropping the oldest`, () => {
    const { a, b, toBob } = pair({ forceStepAfter: 100_000 })
    const m = Array.from({ length: 2004 }, (_, i) => a.seal(text(`m${i}`)))
    toBob(m[1000]!) // skips m0..m999
    toBob(m[2001]!) // skips m1001..m2000
    expect(b.skippedKeyCount).toBe(MAX_SKIPPED_KEYS)
    expect(str(toBob(m[2000]!))).toBe('m2000') // at the cap nothing was dropped
    toBob(m[2003]!) // skips m2002: back at the cap
    expect(b.skippedKeyCount).toBe(MAX_SKIPPED_KEYS)
    const next = [a.seal(text('n0')), a.seal(text('n1'))]
    toBob(next[1]!) // skips n0: one over the cap, so m0, the oldest, goes
    expect(b.skippedKeyCount).toBe(MAX_SKIPPED_KEYS)
    expect(thrownName(() => toBob(m[0]!))).toBe('ReplayError')
    expect(str(toBob(m[1]!))).toBe('m1')
    expect(str(toBob(next[0]!))).toBe('n0')
  })

  it(`keeps at most ${MAX_RECEIVE_CHAINS} receiving chains, and a refresh chain is derived at most once`, () => {
    const { a, b, toBob } = pair({ forceStepAfter: 1 })
    // every message is its own refresh chain; leaf 0 was opened in pair()
    const m = Array.from({ length: MAX_RECEIVE_CHAINS + 2 }, (_, i) => a.seal(text(`m${i}`)))
    const late = m[0]! // leaf 1, held back: only its refresh key is kept
    for (let i = 1; i < m.length; i++) expect(str(toBob(m[i]!))).toBe(`m${i}`)
    expect(str(toBob(late))).toBe('m0')
    // m1's chain was evicted and its refresh key erased: a copy is refused, not re-derived
    const before = b.serialize()
    expect(thrownName(() => toBob(m[1]!))).toBe('ReplayError')
    expect(thrownName(() => toBob(late))).toBe('ReplayError')
    expect(b.serialize()).toEqual(before)
    expect(str(toBob(a.seal(text('next'))))).toBe('next')
  })

  it(`skips at most ${MAX_REFRESH_SKIP} refresh chains in one jump`, () => {
    let hmacs = 0
    const counting = { ...prims, hmacSha256: (k: Uint8Array, d: Uint8Array) => { hmacs++; return prims.hmacSha256(k, d) } }
    const alice = makeAgent(counting)
    const bob = makeAgent(counting)
    const options = { forceStepAfter: 1 }
    const a = Session.initiate(counting, alice.identity, bob.bundle(), options)
    const { session: b } = Session.accept(counting, bob.identity, bob.prekeys, verifyEnvelope(counting, bob.identity, a.seal(text('hi'))), options)
    const m = Array.from({ length: MAX_REFRESH_SKIP + 2 }, (_, i) => a.seal(text(`m${i}`)))
    // m[i] is refresh chain i + 1; the next one to derive is 1
    const open = (i: number): string => str(b.open(verifyEnvelope(counting, bob.identity, m[i]!)))
    hmacs = 0
    expect(thrownName(() => open(MAX_REFRESH_SKIP + 1))).toBe('SkipLimitError') // skips 101
    expect(hmacs).toBe(0)
    expect(open(MAX_REFRESH_SKIP)).toBe(`m${MAX_REFRESH_SKIP}`) // skips exactly 100
    for (let i = 0; i < MAX_REFRESH_SKIP; i++) expect(open(i)).toBe(`m${i}`)
  })

  it('expires a skipped refresh key after 7 days', () => {
    let now = 5_000_000
    const { a, toBob } = pair({ forceStepAfter: 1, now: () => now })
    const m = [a.seal(text('r1')), a.seal(text('r2')), a.seal(text('r3'))]
    toBob(m[2]!) // refresh chain 3: the keys of chains 1 and 2 are kept
    now += 7 * 24 * 3600 * 1000 - 1
    expect(str(toBob(m[0]!))).toBe('r1')
    now += 1
    expect(thrownName(() => toBob(m[1]!))).toBe('ReplayError')
  })

  it(`keeps the chains and keys of at most ${MAX_RECEIVE_STEPS} receiving DH steps`, () => {
    const { a, b, toBob, toAlice } = pair({ forceStepAfter: 2 })
    const held: Array<[Uint8Array, Uint8Array]> = []
    for (let i = 0; i <= MAX_RECEIVE_STEPS; i++) {
      toAlice(b.seal(text(`reply${i}`))) // Alice's next message starts a new DH step
      expect(str(toBob(a.seal(text(`step${i}`))))).toBe(`step${i}`)
      // held back: the step's own chain (leaf 0) and its first refresh chain (leaf 1)
      held.push([a.seal(text(`own${i}`)), a.seal(text(`refresh${i}`))])
    }
    // step 0, the oldest, is gone with its chains and refresh keys; steps 1..5 are kept
    expect(thrownName(() => toBob(held[0]![0]))).toBe('DecryptError')
    expect(thrownName(() => toBob(held[0]![1]))).toBe('DecryptError')
    for (let i = 1; i <= MAX_RECEIVE_STEPS; i++) {
      expect(str(toBob(held[i]![0]))).toBe(`own${i}`)
      expect(str(toBob(held[i]![1]))).toBe(`refresh${i}`)
    }
  })

  it('refuses a non-positive bound', () => {
    const alice = makeAgent(prims)
    const bob = makeAgent(prims)
    expect(thrownName(() => Session.initiate(prims, alice.identity, bob.bundle(), { forceStepAfter: 0 }))).toBe('InvalidInputError')
  })
})
