import { describe, expect, it } from 'vitest'
import { Identity, nativePrimitives as prims } from '../../../../src/crypto/index.js'
import { DenDescriptor, DenEnvelope } from '../../../../src/protocols/den/den.pb.js'
import { signDescriptor, signRoster, verifyDescriptor, verifyRoster } from '../../../../src/protocols/den/descriptor.js'
import { openDenPost, peekDenEnvelope, publicDenKey, sealDenEnvelope, verifyDenEnvelope } from '../../../../src/protocols/den/envelope.js'
import { newSenderKey, nextMessageKey, receiveMessageKey } from '../../../../src/protocols/den/sender-key.js'
import { peerIdString } from '../../../../src/protocols/peer-id.js'

const owner = Identity.generate(prims)
const member = Identity.generate(prims)
const ownerId = peerIdString(owner.peerId)
const memberId = peerIdString(member.peerId)
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('den descriptor', () => {
  it('signs, verifies and names a den by its signed fields', () => {
    const den = signDescriptor(prims, owner, { slug: 'bounty-42', title: 'Bounty 42', kind: 'bounty', members: [memberId] })
    expect(den).toMatchObject({ kind: 'bounty', slug: 'bounty-42', owner: ownerId, members: [ownerId, memberId] })
    expect(den.id).toMatch(/^[0-9a-f]{32}$/)
    expect(verifyDescriptor(prims, den.bytes)).toEqual(den)
    const other = signDescriptor(prims, owner, { slug: 'bounty-42', title: 'Bounty 42', kind: 'bounty', members: [memberId] })
    expect(other.id).not.toBe(den.id)
  })

  it('rejects a forged, re-signed or malformed descriptor', () => {
    const den = signDescriptor(prims, owner, { slug: 'x', title: 'X', kind: 'private' })
    const d = DenDescriptor.decode(den.bytes)
    expect(() => verifyDescriptor(prims, DenDescriptor.encode({ ...d, title: 'Y' }))).toThrow(expect.objectContaining({ name: 'DenSignatureError' }))
    expect(() => verifyDescriptor(prims, DenDescriptor.encode({ ...d, owner: member.peerId as Uint8Array<ArrayBuffer> }))).toThrow(expect.objectContaining({ name: 'DenEncodingError' }))
    expect(() => verifyDescriptor(prims, new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ name: 'DenEncodingError' }))
    expect(() => signDescriptor(prims, owner, { slug: 'Bad Slug', title: 'X', kind: 'public' })).toThrow(expect.objectContaining({ name: 'DenOptionsError' }))
    expect(() => signDescriptor(prims, owner, { slug: 'x', title: '', kind: 'public' })).toThrow(expect.objectContaining({ name: 'DenOptionsError' }))
  })

  it('verifies rosters only from the owner and for this den', () => {
    const den = signDescriptor(prims, owner, { slug: 'x', title: 'X', kind: 'private', members: [memberId] })
    const roster = signRoster(prims, owner, den, 1, [])
    expect(roster).toMatchObject({ epoch: 1, members: [ownerId] })
    expect(verifyRoster(prims, den, roster.bytes).members).toEqual([ownerId])
    const forged = signRoster(prims, member, { ...den, owner: memberId }, 2, [memberId])
    expect(() => verifyRoster(prims, den, forged.bytes)).toThrow(expect.objectContaining({ name: 'DenEncodingError' }))
    const elsewhere = signDescriptor(prims, owner, { slug: 'y', title: 'Y', kind: 'private' })
    expect(() => verifyRoster(prims, elsewhere, roster.bytes)).toThrow(expect.objectContaining({ name: 'DenEncodingError' }))
  })
})

describe('den envelope', () => {
  const den = signDescriptor(prims, owner, { slug: 'pub', title: 'Pub', kind: 'public' })

  it('seals a post under the public key that anyone with the den id can open', () => {
    const key = publicDenKey(prims, den.id)
    const sealed = sealDenEnvelope(prims, member, { denId: den.id, kind: 'post', plaintext: text('hello den'), key })
    const verified = verifyDenEnvelope(prims, sealed.bytes)
    expect(verified).toMatchObject({ denId: den.id, from: memberId, kind: 'post', id: sealed.id })
    expect(new TextDecoder().decode(openDenPost(prims, verified, key))).toBe('hello den')
    expect(() => openDenPost(prims, verified, new Uint8Array(32))).toThrow(expect.objectContaining({ name: 'DenKeyError' }))
  })

  it('rejects a tampered, re-attributed or oversize envelope', () => {
    const sealed = sealDenEnvelope(prims, member, { denId: den.id, kind: 'post', plaintext: text('x'), key: publicDenKey(prims, den.id) })
    const e = DenEnvelope.decode(sealed.bytes)
    expect(() => verifyDenEnvelope(prims, DenEnvelope.encode({ ...e, from: owner.peerId as Uint8Array<ArrayBuffer> }))).toThrow(expect.objectContaining({ name: 'DenSignatureError' }))
    const flipped = sealed.bytes.slice()
    flipped[flipped.length - 70]! ^= 1
    expect(() => verifyDenEnvelope(prims, flipped)).toThrow(expect.objectContaining({ name: 'DenSignatureError' }))
    expect(() => verifyDenEnvelope(prims, new Uint8Array(64 * 1024 + 1))).toThrow(expect.objectContaining({ name: 'DenEncodingError' }))
  })

  it('peeks at an envelope\'s den, id and time without verifying it, and gives up on garbage', () => {
    const sealed = sealDenEnvelope(prims, member, { denId: den.id, kind: 'post', plaintext: text('x'), key: publicDenKey(prims, den.id), sentAt: 1234 })
    expect(peekDenEnvelope(sealed.bytes)).toEqual({ denId: den.id, id: sealed.id, sentAt: 1234 })
    // no signature check: a re-attributed copy reads the same (so a peek only ever decides to skip)
    const e = DenEnvelope.decode(sealed.bytes)
    expect(peekDenEnvelope(DenEnvelope.encode({ ...e, from: owner.peerId as Uint8Array<ArrayBuffer> }))).toEqual({ denId: den.id, id: sealed.id, sentAt: 1234 })
    expect(peekDenEnvelope(new Uint8Array([1, 2, 3]))).toBeUndefined()
    expect(peekDenEnvelope(DenEnvelope.encode({ ...e, id: new Uint8Array(3) }))).toBeUndefined()
    expect(peekDenEnvelope(new Uint8Array(64 * 1024 + 1))).toBeUndefined()
  })
})

describe('sender keys', () => {
  it('derive the same message keys on both sides, in and out of order, each once', () => {
    let mine = newSenderKey(prims)
    let theirs = { ...mine }
    const keys: Array<{ key: Uint8Array, iteration: number }> = []
    for (let i = 0; i < 5; i++) {
      const next = nextMessageKey(prims, mine)
      keys.push(next)
      mine = next.state
    }
    for (const i of [1, 0, 4, 2]) {
      const got = receiveMessageKey(prims, theirs, i)
      expect(got.key).toEqual(keys[i]!.key)
      theirs = got.state
    }
    expect(() => receiveMessageKey(prims, theirs, 1)).toThrow(expect.objectContaining({ name: 'DenKeyError' }))
    expect(receiveMessageKey(prims, theirs, 3).key).toEqual(keys[3]!.key)
  })

  it('refuses a jump past the skip bound, at the bound exactly', () => {
    const state = newSenderKey(prims)
    expect(() => receiveMessageKey(prims, state, 1000)).not.toThrow()
    expect(() => receiveMessageKey(prims, state, 1001)).toThrow(expect.objectContaining({ name: 'DenKeyError' }))
  })
})
