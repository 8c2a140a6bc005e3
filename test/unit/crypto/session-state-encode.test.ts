/**
 * The hand-written session state encoder against protons' generated one:
 * the same bytes for any state, and the state back through protons' decoder.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeSessionState, encodeStoredSession } from '../../../src/crypto/session-state-encode.js'
import { SessionState, StoredSession } from '../../../src/crypto/session-state.pb.js'
import { thrownName } from './fixtures.js'

/** empty arrays included: protons leaves an empty bytes field out */
const bytes = fc.uint8Array({ minLength: 0, maxLength: 40 }).map(b => new Uint8Array(b))
/** the whole uint32 range, the varint lengths' edges likelier */
const uint32 = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, 0xffff_ffff),
  fc.nat({ max: 0xffff_ffff })
)
/** ms since the epoch and the varint edges up to 2^53 - 1 */
const storedAt = fc.oneof(
  fc.constantFrom(0, 1, 2 ** 28, 2 ** 35, 2 ** 42, 2 ** 49, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
)
const x3dh = fc.record({ ephemeralKey: bytes, signedPrekeyId: uint32, oneTimePrekeyId: fc.option(uint32, { nil: undefined }) })
  .map(h => h.oneTimePrekeyId === undefined ? { ephemeralKey: h.ephemeralKey, signedPrekeyId: h.signedPrekeyId } : h)
const state: fc.Arbitrary<SessionState> = fc.record({
  version: uint32,
  rootKey: bytes,
  ourRatchetPublic: bytes,
  ourRatchetPrivate: bytes,
  theirRatchet: bytes,
  send: fc.option(fc.record({ chainKey: bytes, n: uint32, leaf: uint32, leafKey: bytes, refreshKey: bytes }), { nil: undefined }),
  steps: fc.array(fc.record({
    theirRatchet: bytes,
    refreshKey: bytes,
    ourPrivate: bytes,
    nextLeaf: uint32,
    skippedRefresh: fc.array(fc.record({ leaf: uint32, refreshKey: bytes, storedAt }), { maxLength: 3 })
  }), { maxLength: 3 }),
  chains: fc.array(fc.record({ theirRatchet: bytes, leaf: uint32, chainKey: bytes, n: uint32 }), { maxLength: 3 }),
  skipped: fc.array(fc.record({ theirRatchet: bytes, leaf: uint32, n: uint32, messageKey: bytes, storedAt }), { maxLength: 4 }),
  associatedData: fc.uint8Array({ minLength: 0, maxLength: 300 }).map(b => new Uint8Array(b)),
  pendingX3dh: fc.option(x3dh, { nil: undefined })
})

function same (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b))
}

describe('session state encoder', () => {
  it('writes the bytes protons writes, for any state', () => {
    fc.assert(fc.property(state, s => {
      const ours = encodeSessionState(s)
      expect(same(ours, SessionState.encode(s))).toBe(true)
      // and protons reads it back as the same state
      expect(same(SessionState.encode(SessionState.decode(ours)), ours)).toBe(true)
    }), { numRuns: 500 })
  })

  it('writes the stored session as protons does', () => {
    fc.assert(fc.property(uint32, bytes, bytes, fc.boolean(), fc.uint8Array({ maxLength: 600 }), (version, peerIdentityKey, baseKey, initiator, ratchet) => {
      const stored: StoredSession = { version, peerIdentityKey, baseKey, initiator, ratchet: new Uint8Array(ratchet) }
      expect(same(encodeStoredSession(stored), StoredSession.encode(stored))).toBe(true)
    }), { numRuns: 300 })
  })

  it('leaves out what protons leaves out: absent optionals, empty bytes, zero numbers', () => {
    const empty = { version: 0, rootKey: new Uint8Array(0), ourRatchetPublic: new Uint8Array(0), ourRatchetPrivate: new Uint8Array(0), theirRatchet: new Uint8Array(0), steps: [], chains: [], skipped: [], associatedData: new Uint8Array(0) }
    expect(encodeSessionState(empty).length).toBe(0)
    // an optional uint32 that is present is written even when 0
    const withPrekey = encodeSessionState({ ...empty, pendingX3dh: { ephemeralKey: new Uint8Array(0), signedPrekeyId: 0, oneTimePrekeyId: 0 } })
    expect([...withPrekey]).toEqual([90, 2, 24, 0])
    expect(same(withPrekey, SessionState.encode({ ...empty, pendingX3dh: { ephemeralKey: new Uint8Array(0), signedPrekeyId: 0, oneTimePrekeyId: 0 } }))).toBe(true)
  })

  it('refuses a storedAt that is not a whole number in [0, 2^53) with InvalidInputError', () => {
    const base = { version: 1, rootKey: new Uint8Array(32), ourRatchetPublic: new Uint8Array(32), ourRatchetPrivate: new Uint8Array(32), theirRatchet: new Uint8Array(0), steps: [], chains: [], associatedData: new Uint8Array(0) }
    for (const at of [-1, 1.5, 2 ** 53, Number.NaN, Infinity]) {
      const skipped = [{ theirRatchet: new Uint8Array(32), leaf: 0, n: 1, messageKey: new Uint8Array(32), storedAt: at }]
      expect(thrownName(() => encodeSessionState({ ...base, skipped }))).toBe('InvalidInputError')
    }
  })
})
