import { describe, expect, it } from 'vitest'
import { ENVELOPE_VERSION } from '../../../src/crypto/constants.js'
import { Envelope, MAX_ENVELOPE_BYTES, decodeEnvelope, encodeEnvelope, verifyEnvelope } from '../../../src/crypto/envelope.js'
import { nativePrimitives as prims } from '../../../src/crypto/native.js'
import { Session } from '../../../src/crypto/session.js'
import { makeAgent, text, thrownName } from './fixtures.js'

function sealed (): { wire: Uint8Array, env: Envelope, bob: ReturnType<typeof makeAgent> } {
  const alice = makeAgent(prims)
  const bob = makeAgent(prims)
  const wire = Session.initiate(prims, alice.identity, bob.bundle()).seal(text('x'))
  return { wire, env: decodeEnvelope(wire.slice()), bob }
}

const reencode = (env: Envelope, change: Partial<Envelope>): Uint8Array => encodeEnvelope({ ...env, ...change } as Envelope)

describe('envelope decoding', () => {
  it('refuses garbage and truncated bytes with EncodingError', () => {
    const { wire, bob } = sealed()
    for (const bad of [Uint8Array.of(0xff, 0xff, 0xff), wire.subarray(0, wire.length - 10), new Uint8Array(0)]) {
      expect(thrownName(() => verifyEnvelope(prims, bob.identity, bad))).toBe('EncodingError')
    }
  })

  it(`accepts ${MAX_ENVELOPE_BYTES} bytes and refuses one more before parsing`, () => {
    const { env } = sealed()
    // an empty ciphertext is left out; a large one costs a tag byte and a 3-byte length varint
    const base = reencode(env, { ciphertext: new Uint8Array(0) }).length
    const atBound = reencode(env, { ciphertext: new Uint8Array(MAX_ENVELOPE_BYTES - base - 1 - 3) })
    expect(atBound.length).toBe(MAX_ENVELOPE_BYTES)
    expect(() => decodeEnvelope(atBound)).not.toThrow()
    const over = new Uint8Array(MAX_ENVELOPE_BYTES + 1)
    over.set(atBound)
    expect(thrownName(() => decodeEnvelope(over))).toBe('EncodingError')
  })

  it('refuses an unknown version or kind, short fields and a ciphertext shorter than its tag', () => {
    const { env, bob } = sealed()
    const cases: Array<Partial<Envelope>> = [
      { version: ENVELOPE_VERSION + 1 },
      { version: 0 },
      { kind: Envelope.Kind.KIND_UNSPECIFIED },
      { id: env.id.subarray(0, 15) },
      { signature: env.signature.subarray(0, 63) },
      { to: env.to.subarray(0, 37) },
      { ciphertext: new Uint8Array(15) }
    ]
    for (const change of cases) {
      expect(thrownName(() => verifyEnvelope(prims, bob.identity, reencode(env, change))), JSON.stringify(Object.keys(change))).toBe('EncodingError')
    }
    // a 38-byte sender that is not an Ed25519 peer id
    const from = env.from.slice(); from[3] = 0
    expect(thrownName(() => verifyEnvelope(prims, bob.identity, reencode(env, { from })))).toBe('EncodingError')
  })

  it('refuses a ratchet header over 256 bytes', () => {
    const alice = makeAgent(prims)
    const bob = makeAgent(prims)
    const a = Session.initiate(prims, alice.identity, bob.bundle())
    const { session: b } = Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, a.seal(text('hi'))))
    const v = verifyEnvelope(prims, bob.identity, a.seal(text('x')))
    const longHeader = new Uint8Array(257)
    longHeader.set(v.envelope.header)
    expect(thrownName(() => b.open({ ...v, envelope: { ...v.envelope, header: longHeader } }))).toBe('EncodingError')
  })
})
