import { describe, expect, it } from 'vitest'
import { Identity, defaultPrimitives, generateSignedPrekey } from '../../../../src/crypto/index.js'
import {
  AgentCard,
  CARD_MAX_AGE,
  CARD_MAX_CLOCK_SKEW,
  MAX_CARD_BYTES,
  cardKey,
  cardPeerId,
  cardRecordSelector,
  cardRecordValidator,
  cardSigningInput,
  compareCards,
  peerIdFromCardKey,
  signCard,
  verifyCard
} from '../../../../src/protocols/card/index.js'
import type { CardFields } from '../../../../src/protocols/card/index.js'

const prims = defaultPrimitives()

function fields (identity: Identity, extra: Partial<CardFields> = {}): CardFields {
  return {
    name: 'summariser',
    description: 'turns long documents into short ones',
    signedPrekey: generateSignedPrekey(prims, identity, 1),
    relays: [{ peerId: Identity.generate(prims).peerId, addrs: [new Uint8Array([4, 127, 0, 0, 1, 6, 0x0f, 0xa1])] }],
    inboxPolicy: 'open',
    credentials: [new Uint8Array([1, 2, 3])],
    skills: [{
      id: 'summarise',
      name: 'Summarise',
      description: 'Summarise a document',
      tags: ['text', 'summary'],
      examples: ['summarise this PDF'],
      inputModes: ['text/plain'],
      outputModes: ['text/markdown']
    }],
    seq: 3,
    issuedAt: 1_700_000_000_000,
    ...extra
  }
}

/** Re-encodes a signed card after `edit`, keeping the old signature. */
function tamper (bytes: Uint8Array, edit: (card: AgentCard) => void): Uint8Array {
  const card = AgentCard.decode(bytes)
  edit(card)
  return AgentCard.encode(card)
}

describe('agent card', () => {
  const alice = Identity.generate(prims)
  const bob = Identity.generate(prims)

  it('signs and verifies, keeping every field', () => {
    const { card, bytes } = signCard(prims, alice, fields(alice))
    const verified = verifyCard(prims, bytes, alice.peerId)
    expect(verified).toEqual(card)
    expect(verified.peerId).toEqual(alice.peerId)
    expect(verified.name).toBe('summariser')
    expect(verified.skills[0]).toMatchObject({ id: 'summarise', tags: ['text', 'summary'], outputModes: ['text/markdown'] })
    expect(verified.seq).toBe(3)
    expect(verified.issuedAt).toBe(1_700_000_000_000)
    expect(cardPeerId(verified).toMultihash().bytes).toEqual(alice.peerId)
  })

  it('signs "agentmsg/v1/card" || the encoding without the signature', () => {
    const { card } = signCard(prims, alice, fields(alice))
    const input = cardSigningInput(card)
    expect(new TextDecoder().decode(input.subarray(0, 16))).toBe('agentmsg/v1/card')
    expect(input.subarray(16)).toEqual(AgentCard.encode({ ...card, signature: new Uint8Array(0) }))
    expect(prims.ed25519Verify(alice.publicKey, input, card.signature)).toBe(true)
  })

  it('defaults seq to issuedAt', () => {
    const { card } = signCard(prims, alice, fields(alice, { seq: undefined, issuedAt: 1234 }))
    expect(card.seq).toBe(1234)
  })

  it('rejects a tampered card', () => {
    const { bytes } = signCard(prims, alice, fields(alice))
    for (const edit of [
      (c: AgentCard) => { c.name = 'evil' },
      (c: AgentCard) => { c.seq += 1 },
      (c: AgentCard) => { c.inboxPolicy = 'contacts' },
      (c: AgentCard) => { c.skills[0]!.tags.push('x') },
      (c: AgentCard) => { c.relays = [] }
    ]) {
      expect(() => verifyCard(prims, tamper(bytes, edit))).toThrow(expect.objectContaining({ name: 'CardSignatureError' }))
    }
    const flipped = bytes.slice()
    flipped[flipped.length - 1]! ^= 1 // inside the signature
    expect(() => verifyCard(prims, flipped)).toThrow(expect.objectContaining({ name: 'CardSignatureError' }))
  })

  it('rejects a card signed by another key or claimed for another peer', () => {
    const { bytes } = signCard(prims, alice, fields(alice))
    expect(() => verifyCard(prims, bytes, bob.peerId)).toThrow(expect.objectContaining({ name: 'CardSignatureError' }))
    // Bob's peerId on Alice's signature
    const swapped = tamper(bytes, c => { c.peerId = bob.peerId.slice() })
    expect(() => verifyCard(prims, swapped)).toThrow(expect.objectContaining({ name: 'CardSignatureError' }))
    // Bob's signed prekey on Alice's card: both signatures valid, but not by the same key
    const bobPrekey = generateSignedPrekey(prims, bob, 1)
    expect(() => signCard(prims, alice, fields(alice, { signedPrekey: bobPrekey }))).toThrow(expect.objectContaining({ name: 'CardSignatureError' }))
  })

  it('rejects a peerId that is not an Ed25519 identity multihash', () => {
    const { bytes } = signCard(prims, alice, fields(alice))
    const bad = tamper(bytes, c => { c.peerId = new Uint8Array(34).fill(0x12) })
    expect(() => verifyCard(prims, bad)).toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
  })

  it('rejects oversize cards and too many entries', () => {
    expect(() => signCard(prims, alice, fields(alice, { description: 'x'.repeat(MAX_CARD_BYTES) })))
      .toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
    expect(() => verifyCard(prims, new Uint8Array(MAX_CARD_BYTES + 1)))
      .toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
    const relays = Array.from({ length: 9 }, () => ({ peerId: bob.peerId, addrs: [] }))
    expect(() => signCard(prims, alice, fields(alice, { relays })))
      .toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
    const skills = [{ id: 's', name: 'S', tags: Array.from({ length: 17 }, (_, i) => `t${i}`) }]
    expect(() => signCard(prims, alice, fields(alice, { skills })))
      .toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
  })

  it('rejects garbage, unknown versions and non-canonical encodings', () => {
    expect(() => verifyCard(prims, new Uint8Array([0xff, 0xff, 0xff]))).toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
    const { bytes } = signCard(prims, alice, fields(alice))
    expect(() => verifyCard(prims, tamper(bytes, c => { c.version = 2 }))).toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
    // an unknown field appended (field 14, varint 1): decodes, but is not what was signed
    const extra = new Uint8Array([...bytes, 0x70, 0x01])
    expect(() => verifyCard(prims, extra)).toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
    // the name field written twice: the last wins when decoding, so the bytes are not canonical
    const twice = new Uint8Array([0x1a, 0x01, 0x78, ...bytes])
    expect(() => verifyCard(prims, twice)).toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
  })

  it('rejects a card without a signed prekey', () => {
    const { card } = signCard(prims, alice, fields(alice))
    const unsigned: AgentCard = { ...card, signedPrekey: undefined, signature: new Uint8Array(0) }
    unsigned.signature = alice.sign(prims, cardSigningInput(unsigned)).slice()
    expect(() => verifyCard(prims, AgentCard.encode(unsigned))).toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
  })

  it('orders cards by seq, then issuedAt', () => {
    expect(compareCards({ seq: 2, issuedAt: 1 }, { seq: 1, issuedAt: 9 })).toBeGreaterThan(0)
    expect(compareCards({ seq: 1, issuedAt: 2 }, { seq: 1, issuedAt: 1 })).toBeGreaterThan(0)
    expect(compareCards({ seq: 1, issuedAt: 1 }, { seq: 1, issuedAt: 1 })).toBe(0)
  })
})

describe('card DHT records', () => {
  const alice = Identity.generate(prims)
  const bob = Identity.generate(prims)
  const now = 1_700_000_000_000
  const validate = cardRecordValidator(prims, { now: () => now })

  it('keys a card by /agentmsg/card/ and the peer id bytes', () => {
    const key = cardKey(alice.peerId)
    expect(new TextDecoder().decode(key.subarray(0, 15))).toBe('/agentmsg/card/')
    expect(peerIdFromCardKey(key)).toEqual(alice.peerId)
    expect(() => peerIdFromCardKey(new TextEncoder().encode('/pk/abc'))).toThrow(expect.objectContaining({ name: 'CardEncodingError' }))
  })

  it('validator accepts a good card under its own key', () => {
    const { bytes } = signCard(prims, alice, fields(alice, { issuedAt: now - 1000 }))
    expect(() => validate(cardKey(alice.peerId), bytes)).not.toThrow()
  })

  it('validator refuses a card under another peer\'s key', () => {
    const { bytes } = signCard(prims, alice, fields(alice, { issuedAt: now }))
    expect(() => validate(cardKey(bob.peerId), bytes)).toThrow(expect.objectContaining({ name: 'CardSignatureError' }))
  })

  it('validator refuses a bad signature', () => {
    const { bytes } = signCard(prims, alice, fields(alice, { issuedAt: now }))
    const bad = tamper(bytes, c => { c.name = 'mallory' })
    expect(() => validate(cardKey(alice.peerId), bad)).toThrow(expect.objectContaining({ name: 'CardSignatureError' }))
  })

  it('validator refuses a card older than the maximum age', () => {
    const { bytes } = signCard(prims, alice, fields(alice, { issuedAt: now - CARD_MAX_AGE - 1 }))
    expect(() => validate(cardKey(alice.peerId), bytes)).toThrow(expect.objectContaining({ name: 'CardExpiredError' }))
  })

  it('validator refuses a card dated more than the clock skew ahead, and takes one just within it', () => {
    const ahead = signCard(prims, alice, fields(alice, { issuedAt: now + CARD_MAX_CLOCK_SKEW + 1 })).bytes
    expect(() => validate(cardKey(alice.peerId), ahead)).toThrow(expect.objectContaining({ name: 'CardExpiredError' }))
    const within = signCard(prims, alice, fields(alice, { issuedAt: now + CARD_MAX_CLOCK_SKEW })).bytes
    expect(() => validate(cardKey(alice.peerId), within)).not.toThrow()
  })

  it('selector keeps the highest seq, then the latest issuedAt', () => {
    const select = cardRecordSelector()
    const key = cardKey(alice.peerId)
    const v1 = signCard(prims, alice, fields(alice, { seq: 1, issuedAt: now })).bytes
    const v2 = signCard(prims, alice, fields(alice, { seq: 2, issuedAt: now - 5000 })).bytes
    const v2later = signCard(prims, alice, fields(alice, { seq: 2, issuedAt: now })).bytes
    expect(select(key, [v1, v2])).toBe(1)
    expect(select(key, [v2, v1])).toBe(0)
    expect(select(key, [v1, v2, v2later])).toBe(2)
    expect(select(key, [new Uint8Array([0xff]), v1])).toBe(1)
  })
})
