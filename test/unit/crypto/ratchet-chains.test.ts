import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { FORCE_STEP_AFTER, MAX_RECEIVE_CHAINS } from '../../../src/crypto/constants.js'
import { verifyEnvelope } from '../../../src/crypto/envelope.js'
import { Identity } from '../../../src/crypto/identity.js'
import { nativePrimitives as prims } from '../../../src/crypto/native.js'
import { Session } from '../../../src/crypto/session.js'
import { SessionState, StoredSession } from '../../../src/crypto/session-state.pb.js'
import { makeAgent, str, text, thrownName } from './fixtures.js'

function pair (): { a: Session, b: Session, toBob(w: Uint8Array): string } {
  const alice = makeAgent(prims)
  const bob = makeAgent(prims)
  const a = Session.initiate(prims, alice.identity, bob.bundle())
  const { session: b } = Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, a.seal(text('m0'))))
  return { a, b, toBob: (w) => str(b.open(verifyEnvelope(prims, bob.identity, w))) }
}

/** Receiving chains in a serialised session, as `leaf/n`. */
function chains (session: Session): string[] {
  return SessionState.decode(StoredSession.decode(session.serialize()).ratchet).chains.map(c => `${c.leaf}/${c.n}`)
}

describe('complete refresh chains', () => {
  it(`one-way traffic keeps two receiving chains, not ${MAX_RECEIVE_CHAINS}`, () => {
    const { a, b, toBob } = pair()
    // m0 was opened by pair(); m1..m4099: the step's own chain (leaf 0) and refresh chains 1..40
    for (let i = 1; i < 41 * FORCE_STEP_AFTER + 50; i++) expect(toBob(a.seal(text(`m${i}`)))).toBe(`m${i}`)
    expect(chains(b)).toEqual([`0/${FORCE_STEP_AFTER}`, '41/50'])
  })

  it('erases a refresh chain once its last message opened; a copy of one of its messages is a replay', () => {
    const { a, b, toBob } = pair()
    const m = Array.from({ length: 3 * FORCE_STEP_AFTER - 1 }, (_, i) => a.seal(text(`m${i + 1}`)))
    // m[i] is message i + 1: leaf 0 ends with m[98], leaf 1 is m[99..198], leaf 2 m[199..298]
    const tail = m.slice(190, 199) // the last 9 of leaf 1
    const gap = m[150]! // inside leaf 1
    for (let i = 0; i < m.length; i++) if (!tail.includes(m[i]!) && m[i] !== gap) toBob(m[i]!)
    // leaf 1 is not complete (its tail is late): kept next to leaf 0; leaf 2 is complete and gone
    expect(chains(b)).toEqual([`0/${FORCE_STEP_AFTER}`, '1/91'])
    expect(toBob(tail[8]!)).toBe('m199') // n 99 of leaf 1, skipping 91..98: leaf 1 is complete and erased
    expect(chains(b)).toEqual([`0/${FORCE_STEP_AFTER}`])
    for (let i = 0; i < 8; i++) expect(toBob(tail[i]!)).toBe(`m${191 + i}`) // from the skipped keys
    expect(toBob(gap)).toBe('m151')
    // copies: the refresh chain is never derived again, and a failed open changes nothing
    const before = b.serialize()
    expect(thrownName(() => toBob(m[120]!))).toBe('ReplayError')
    expect(thrownName(() => toBob(tail[8]!))).toBe('ReplayError')
    expect(thrownName(() => toBob(m[10]!))).toBe('ReplayError') // leaf 0 is kept, complete or not
    expect(b.serialize()).toEqual(before)
    expect(toBob(a.seal(text('next')))).toBe('next')
  })

  it('a session configured for longer chains keeps them', () => {
    const alice = makeAgent(prims)
    const bob = makeAgent(prims)
    const options = { forceStepAfter: 3 * FORCE_STEP_AFTER }
    const a = Session.initiate(prims, alice.identity, bob.bundle(), options)
    const { session: b } = Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, a.seal(text('m0'))), options)
    // leaf 0 carries 300 messages, then leaf 1
    for (let i = 1; i < 4 * FORCE_STEP_AFTER + 10; i++) b.open(verifyEnvelope(prims, bob.identity, a.seal(text(`m${i}`))))
    expect(chains(b)).toEqual([`0/${3 * FORCE_STEP_AFTER}`, `1/${FORCE_STEP_AFTER + 10}`])
  })
})

describe('session state written before complete chains were erased', () => {
  // Written by the session-state code of 556e55a (how: the fixture's `note`)
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/session-state-v1.json', import.meta.url), 'utf8')) as {
    aliceSeed: string
    bobSeed: string
    alice: string
    bob: string
    held: Array<{ envelope: string, plaintext: string }>
    undelivered: Array<{ envelope: string, plaintext: string }>
  }
  const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))

  it('loads, opens late and pending messages, and sheds its complete chains', () => {
    const alice = Identity.fromPrivateKey(prims, hex(fixture.aliceSeed))
    const bob = Identity.fromPrivateKey(prims, hex(fixture.bobSeed))
    const a = Session.deserialize(prims, alice, hex(fixture.alice))
    const b = Session.deserialize(prims, bob, hex(fixture.bob))
    expect(chains(b)).toHaveLength(MAX_RECEIVE_CHAINS)
    const toBob = (w: Uint8Array): string => str(b.open(verifyEnvelope(prims, bob, w)))
    const size = b.serialize().length
    for (const { envelope, plaintext } of [...fixture.undelivered, ...fixture.held]) expect(toBob(hex(envelope))).toBe(plaintext)
    // the complete refresh chains went at the first decryption; the steps' own chains (leaf 0) stay
    expect(chains(b).filter(c => !c.startsWith('0/'))).toEqual(['33/5']) // u0..u4: the chain in use
    expect(b.serialize().length).toBeLessThan(size / 3)
    // a copy of an old message is a replay, and both sides go on
    expect(thrownName(() => toBob(hex(fixture.held[0]!.envelope)))).toBe('ReplayError')
    for (let i = 0; i < 2 * FORCE_STEP_AFTER; i++) expect(toBob(a.seal(text(`n${i}`)))).toBe(`n${i}`)
    expect(str(a.open(verifyEnvelope(prims, alice, b.seal(text('back')))))).toBe('back')
    expect(toBob(a.seal(text('again')))).toBe('again')
    // both reload from what they are now
    const b2 = Session.deserialize(prims, bob, b.serialize())
    expect(str(b2.open(verifyEnvelope(prims, bob, a.seal(text('after')))))).toBe('after')
  })
})
