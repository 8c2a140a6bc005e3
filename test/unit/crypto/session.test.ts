import { describe, expect, it } from 'vitest'
import { MAX_SKIP } from '../../../src/crypto/constants.js'
import { MemoryReplayGuard, decodeEnvelope, encodeEnvelope, envelopeId, envelopeSignatureInput, verifyEnvelope } from '../../../src/crypto/envelope.js'
import { nativePrimitives } from '../../../src/crypto/native.js'
import { noblePrimitives } from '../../../src/crypto/noble.js'
import { decodeHeader } from '../../../src/crypto/ratchet.js'
import { RatchetHeader } from '../../../src/crypto/session-state.pb.js'
import { Session } from '../../../src/crypto/session.js'
import { makeAgent, str, text, thrownName } from './fixtures.js'
import type { Envelope } from '../../../src/crypto/envelope.js'
import type { Primitives } from '../../../src/crypto/primitives.js'
import type { RatchetOptions } from '../../../src/crypto/ratchet.js'
import type { TestAgent } from './fixtures.js'

/** Alice and Bob with a session each way (Bob's made from Alice's first message). */
function pair (prims: Primitives, options: RatchetOptions = {}): {
  alice: TestAgent, bob: TestAgent, a: Session, b: Session,
  toBob(wire: Uint8Array): Uint8Array, toAlice(wire: Uint8Array): Uint8Array
} {
  const alice = makeAgent(prims)
  const bob = makeAgent(prims)
  const a = Session.initiate(prims, alice.identity, bob.bundle(), options)
  const { session: b, plaintext } = Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, a.seal(text('hello bob'))), options)
  expect(str(plaintext)).toBe('hello bob')
  return {
    alice, bob, a, b,
    toBob: (wire) => b.open(verifyEnvelope(prims, bob.identity, wire)),
    toAlice: (wire) => a.open(verifyEnvelope(prims, alice.identity, wire))
  }
}

function flipBit (bytes: Uint8Array, index: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes)
  out[index]! ^= 0x01
  return out
}

describe.each([nativePrimitives, noblePrimitives])('session ($name)', (prims) => {
  it('round trip both ways', () => {
    const { a, b, toBob, toAlice } = pair(prims)
    for (let i = 0; i < 5; i++) {
      expect(str(toBob(a.seal(text(`a${i}`))))).toBe(`a${i}`)
      expect(str(toAlice(b.seal(text(`b${i}`))))).toBe(`b${i}`)
    }
  })
})

describe('session', () => {
  const prims = nativePrimitives

  it('sealEnvelope returns the id encoded in the envelope', () => {
    const { a } = pair(prims)
    const { bytes, id } = a.sealEnvelope(text('x'))
    expect(id).toEqual(decodeEnvelope(bytes).id)
  })

  it('sentAt: 0 and 2^53 - 1 go through signed and read back exact; anything else is refused before sealing', () => {
    const { a, toBob } = pair(prims)
    for (const sentAt of [0, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const { bytes } = a.sealEnvelope(text('t'), { sentAt })
      expect(decodeEnvelope(bytes).sentAt).toBe(sentAt)
      // the signed input: the label, u8 version, u8 kind, then sentAt big-endian in 8 bytes
      const envelope = decodeEnvelope(bytes)
      const at = 'agentmsg/v1/envelope'.length + 2
      const input = envelopeSignatureInput(envelope, envelope.id, envelope.ciphertext)
      expect(Buffer.from(input.subarray(at, at + 8)).readBigUInt64BE()).toBe(BigInt(sentAt))
      expect(str(toBob(bytes))).toBe('t')
    }
    for (const sentAt of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(thrownName(() => a.sealEnvelope(text('t'), { sentAt }))).toBe('InvalidInputError')
    }
  })

  it('consumes the one-time prekey once the first message opened', () => {
    const alice = makeAgent(prims)
    const bob = makeAgent(prims)
    const bundle = bob.bundle()
    const a = Session.initiate(prims, alice.identity, bundle)
    Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, a.seal(text('x'))))
    expect(bob.consumed).toEqual([bundle.oneTimePrekey!.id])
    // a second session that names the same one-time prekey cannot start
    const mallory = Session.initiate(prims, alice.identity, bundle)
    expect(thrownName(() => Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, mallory.seal(text('y')))))).toBe('SessionStateError')
  })

  it('works without a one-time prekey', () => {
    const alice = makeAgent(prims)
    const bob = makeAgent(prims)
    const a = Session.initiate(prims, alice.identity, bob.bundle(false))
    const { plaintext } = Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, a.seal(text('no otp'))))
    expect(str(plaintext)).toBe('no otp')
  })

  it('aborts session start when the signed prekey signature does not verify', () => {
    const alice = makeAgent(prims)
    const bob = makeAgent(prims)
    const mallory = makeAgent(prims)
    const bundle = bob.bundle()
    // Mallory's prekey presented as Bob's, and a flipped signature bit
    expect(thrownName(() => Session.initiate(prims, alice.identity, { ...bundle, signedPrekey: mallory.bundle().signedPrekey }))).toBe('SignatureError')
    expect(thrownName(() => Session.initiate(prims, alice.identity, {
      ...bundle, signedPrekey: { ...bundle.signedPrekey, signature: flipBit(bundle.signedPrekey.signature, 5) }
    }))).toBe('SignatureError')
  })

  it('binds both identities: a first message re-signed by another agent does not open', () => {
    const alice = makeAgent(prims)
    const bob = makeAgent(prims)
    const carol = makeAgent(prims)
    const a = Session.initiate(prims, alice.identity, bob.bundle())
    const env = decodeEnvelope(a.seal(text('secret')))
    // Carol claims Alice's first message as hers: X3DH with Carol's identity derives another key
    const claimed = verifyEnvelope(prims, bob.identity, rebuild(prims, env, carol))
    expect(thrownName(() => Session.accept(prims, bob.identity, bob.prekeys, claimed))).toBe('DecryptError')
    expect(bob.consumed).toEqual([])
    // and an established session refuses mail from anyone but its peer
    const { session: b } = Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, encodeEnvelope(env)))
    const later = decodeEnvelope(a.seal(text('later')))
    expect(thrownName(() => b.open(verifyEnvelope(prims, bob.identity, rebuild(prims, later, carol))))).toBe('WrongRecipientError')
  })

  it('every first message carries the X3DH header until a reply, and any of them starts the session', () => {
    const alice = makeAgent(prims)
    const bob = makeAgent(prims)
    const a = Session.initiate(prims, alice.identity, bob.bundle())
    const first = a.seal(text('one'))
    const second = a.seal(text('two'))
    expect(decodeHeader(decodeEnvelope(second).header).x3dh).toBeDefined()
    // the first message is lost: the second starts the session, the first still opens later
    const { session: b, plaintext } = Session.accept(prims, bob.identity, bob.prekeys, verifyEnvelope(prims, bob.identity, second))
    expect(str(plaintext)).toBe('two')
    const v1 = verifyEnvelope(prims, bob.identity, first)
    expect(b.matches(v1)).toBe(true)
    expect(str(b.open(v1))).toBe('one')
    a.open(verifyEnvelope(prims, alice.identity, b.seal(text('reply'))))
    expect(decodeHeader(decodeEnvelope(a.seal(text('after'))).header).x3dh).toBeUndefined()
  })

  it('out-of-order delivery within the limits across a DH step', () => {
    const { a, b, toBob, toAlice } = pair(prims)
    const early = [a.seal(text('e0')), a.seal(text('e1')), a.seal(text('e2'))]
    toAlice(b.seal(text('reply'))) // Alice steps her ratchet
    const late = [a.seal(text('l0')), a.seal(text('l1'))]
    expect(decodeEnvelope(late[0]!).header).not.toEqual(decodeEnvelope(early[0]!).header)
    // deliver the new chain first, then the old one backwards
    expect(str(toBob(late[1]!))).toBe('l1')
    expect(str(toBob(early[2]!))).toBe('e2')
    expect(str(toBob(late[0]!))).toBe('l0')
    expect(str(toBob(early[0]!))).toBe('e0')
    expect(str(toBob(early[1]!))).toBe('e1')
  })

  it('a jump beyond MAX_SKIP rejected without deriving keys', () => {
    let hmacs = 0
    const counting: Primitives = { ...prims, hmacSha256: (k, d) => { hmacs++; return prims.hmacSha256(k, d) } }
    // one long chain: no forced refresh in between
    const { a, bob, b } = pair(counting, { forceStepAfter: 10 * MAX_SKIP })
    for (let i = 0; i < MAX_SKIP + 1; i++) a.seal(text('dropped'))
    const far = a.seal(text('too far'))
    const before = b.serialize()
    hmacs = 0
    expect(thrownName(() => b.open(verifyEnvelope(counting, bob.identity, far)))).toBe('SkipLimitError')
    expect(hmacs).toBe(0)
    expect(b.serialize()).toEqual(before)
  })

  it('a jump of exactly MAX_SKIP opens, and the skipped keys still open', () => {
    const { a, toBob } = pair(prims, { forceStepAfter: 10 * MAX_SKIP })
    const skipped = a.seal(text('first skipped'))
    for (let i = 1; i < MAX_SKIP; i++) a.seal(text('dropped'))
    expect(str(toBob(a.seal(text('edge'))))).toBe('edge')
    expect(str(toBob(skipped))).toBe('first skipped')
  })

  it('replay rejected', () => {
    const { a, bob, b } = pair(prims)
    const guard = new MemoryReplayGuard()
    const wire = a.seal(text('once'))
    expect(str(b.open(verifyEnvelope(prims, bob.identity, wire, guard), guard))).toBe('once')
    expect(thrownName(() => verifyEnvelope(prims, bob.identity, wire, guard))).toBe('ReplayError')
    // without the id guard the ratchet itself refuses a used key
    expect(thrownName(() => b.open(verifyEnvelope(prims, bob.identity, wire)))).toBe('ReplayError')
    // a replayed skipped-key message too
    const s0 = a.seal(text('s0'))
    const s1 = a.seal(text('s1'))
    b.open(verifyEnvelope(prims, bob.identity, s1))
    b.open(verifyEnvelope(prims, bob.identity, s0))
    expect(thrownName(() => b.open(verifyEnvelope(prims, bob.identity, s0)))).toBe('ReplayError')
  })

  it('a flipped bit in ciphertext, header, signature or recipient rejected and the next valid message still opens', () => {
    const { a, bob, b, toBob } = pair(prims)
    const cases: Array<[string, (e: Envelope) => Envelope, string[]]> = [
      ['ciphertext', e => ({ ...e, ciphertext: flipBit(e.ciphertext, 3) }), ['SignatureError']],
      ['header', e => ({ ...e, header: flipBit(e.header, e.header.length - 1) }), ['SignatureError']],
      ['signature', e => ({ ...e, signature: flipBit(e.signature, 10) }), ['SignatureError']],
      ['recipient', e => ({ ...e, to: flipBit(e.to, 20) }), ['WrongRecipientError']],
      ['id', e => ({ ...e, id: flipBit(e.id, 0) }), ['SignatureError']],
      ['sentAt', e => ({ ...e, sentAt: e.sentAt + 1 }), ['SignatureError']]
    ]
    for (const [what, tamper, names] of cases) {
      const before = b.serialize()
      const wire = encodeEnvelope(tamper(decodeEnvelope(a.seal(text(`tampered ${what}`)))) as Envelope)
      expect(names, what).toContain(thrownName(() => b.open(verifyEnvelope(prims, bob.identity, wire))))
      expect(b.serialize(), what).toEqual(before)
      expect(str(toBob(a.seal(text(`after ${what}`))))).toBe(`after ${what}`)
    }
    // tampering below the signature (a ratchet-level flip) fails AEAD and leaves the state as it was
    const wire = a.seal(text('aead'))
    const v = verifyEnvelope(prims, bob.identity, wire)
    const before = b.serialize()
    expect(thrownName(() => b.open({ ...v, envelope: { ...v.envelope, ciphertext: flipBit(v.envelope.ciphertext, 0) } }))).toBe('DecryptError')
    expect(thrownName(() => b.open({ ...v, associatedData: flipBit(v.associatedData, 0) }))).toBe('DecryptError')
    expect(b.serialize()).toEqual(before)
    expect(str(b.open(v))).toBe('aead')
  })

  it('a failed decryption across a DH step leaves the session state exactly as it was', () => {
    const { a, bob, b, toAlice } = pair(prims)
    toAlice(b.seal(text('reply')))
    const v = verifyEnvelope(prims, bob.identity, a.seal(text('new step')))
    const before = b.serialize()
    expect(thrownName(() => b.open({ ...v, envelope: { ...v.envelope, ciphertext: flipBit(v.envelope.ciphertext, 1) } }))).toBe('DecryptError')
    expect(b.serialize()).toEqual(before)
    expect(str(b.open(v))).toBe('new step')
  })

  it('250 one-way messages change the sender\'s ratchet key at least every 100', () => {
    const { a, toBob } = pair(prims)
    const keys: string[] = []
    for (let i = 0; i < 250; i++) {
      const wire = a.seal(text(`m${i}`))
      const h = decodeHeader(decodeEnvelope(wire).header)
      keys.push(Buffer.from(h.leaf > 0 ? h.leafKey : h.dh).toString('hex'))
      expect(str(toBob(wire))).toBe(`m${i}`)
    }
    let run = 1
    for (let i = 1; i < keys.length; i++) {
      run = keys[i] === keys[i - 1] ? run + 1 : 1
      expect(run).toBeLessThanOrEqual(100)
    }
    expect(new Set(keys).size).toBeGreaterThanOrEqual(3)
  })

  it('forced refreshes survive loss of a whole refresh chain and a concurrent reply', () => {
    const { a, b, toBob, toAlice } = pair(prims, { forceStepAfter: 3 })
    const sent = Array.from({ length: 12 }, (_, i) => a.seal(text(`m${i}`)))
    const reply = b.seal(text('concurrent reply'))
    // refresh chain 1 (m3..m5) arrives last; Bob's reply crosses Alice's refreshes
    for (const i of [0, 1, 2, 6, 7, 8, 9, 10, 11]) expect(str(toBob(sent[i]!))).toBe(`m${i}`)
    expect(str(toAlice(reply))).toBe('concurrent reply')
    for (const i of [5, 3, 4]) expect(str(toBob(sent[i]!))).toBe(`m${i}`)
    expect(str(toBob(a.seal(text('after'))))).toBe('after')
    expect(str(toAlice(b.seal(text('back'))))).toBe('back')
  })

  it('state serialised and restored mid-conversation on both sides', () => {
    const { alice, bob, a, b, toAlice } = pair(prims)
    for (let i = 0; i < 3; i++) toAlice(b.seal(text(`b${i}`)))
    const pending = a.seal(text('in flight'))
    const a2 = Session.deserialize(prims, alice.identity, a.serialize())
    const b2 = Session.deserialize(prims, bob.identity, b.serialize())
    expect(str(b2.open(verifyEnvelope(prims, bob.identity, a2.seal(text('after restore')))))).toBe('after restore')
    expect(str(b2.open(verifyEnvelope(prims, bob.identity, pending)))).toBe('in flight')
    expect(str(a2.open(verifyEnvelope(prims, alice.identity, b2.seal(text('reply')))))).toBe('reply')
    expect(thrownName(() => Session.deserialize(prims, bob.identity, Uint8Array.of(0xff, 0xff)))).toBe('EncodingError')
  })

  it('a valid envelope forwarded to a third agent rejected', () => {
    const { a } = pair(prims)
    const carol = makeAgent(prims)
    expect(thrownName(() => verifyEnvelope(prims, carol.identity, a.seal(text('for bob'))))).toBe('WrongRecipientError')
  })

  it('low-order / all-zero public keys rejected', () => {
    const alice = makeAgent(prims)
    const bob = makeAgent(prims)
    const zero = new Uint8Array(32)
    const one = new Uint8Array(32); one[0] = 1
    for (const bad of [zero, one]) {
      // a signed prekey that is a low-order point (validly signed by a malicious responder)
      const evil = { ...bob.signedPrekey, publicKey: bad }
      const sig = bob.identity.sign(prims, new Uint8Array([...new TextEncoder().encode('agentmsg/v1/signed-prekey'), 0, 0, 0, 1, ...bad]))
      expect(thrownName(() => Session.initiate(prims, alice.identity, {
        identityKey: bob.identity.publicKey, signedPrekey: { id: evil.id, publicKey: bad, signature: sig }
      }))).toBe('LowOrderPointError')
    }
    // a peer's ratchet header with a low-order key (validly signed by the peer) fails without changing state
    const { alice: a2, bob: b2, a, b } = pair(prims)
    const env = decodeEnvelope(a.seal(text('x')))
    for (const bad of [zero, one]) {
      const header = RatchetHeader.encode({ ...decodeHeader(env.header), dh: bad } as RatchetHeader)
      const before = b.serialize()
      expect(thrownName(() => b.open(verifyEnvelope(prims, b2.identity, rebuild(prims, { ...env, header } as Envelope, a2))))).toBe('LowOrderPointError')
      expect(b.serialize()).toEqual(before)
    }
  })

  it('erases skipped keys after 7 days', () => {
    let now = 1_000_000
    const { a, bob, b } = pair(prims, { now: () => now })
    const skipped = [a.seal(text('late0')), a.seal(text('late1'))]
    b.open(verifyEnvelope(prims, bob.identity, a.seal(text('on time'))))
    now += 7 * 24 * 3600 * 1000 - 1
    expect(str(b.open(verifyEnvelope(prims, bob.identity, skipped[0]!)))).toBe('late0') // a millisecond before expiry
    now += 1
    // expired on use, before anything purged it, and refusing it changes nothing
    const before = b.serialize()
    expect(thrownName(() => b.open(verifyEnvelope(prims, bob.identity, skipped[1]!)))).toBe('ReplayError')
    expect(b.serialize()).toEqual(before)
    b.open(verifyEnvelope(prims, bob.identity, a.seal(text('a week later'))))
    expect(b.skippedKeyCount).toBe(0)
  })
})

/** Re-sign an envelope (possibly changed) as `signer`: a valid signature from a different or same sender. */
function rebuild (prims: Primitives, env: Envelope, signer: TestAgent): Uint8Array {
  const fields = { ...env, from: signer.identity.peerId }
  const id = envelopeId(prims, fields)
  const signature = signer.identity.sign(prims, envelopeSignatureInput(fields, id, env.ciphertext))
  return encodeEnvelope({ ...fields, id, signature } as Envelope)
}
