/**
 * Known answers for agentmsg's own worked example, docs/protocol.md §11:
 * test/vectors/agentmsg-protocol-example.json, written by
 * `npx tsx scripts/protocol-example.ts`.
 *
 * - Both primitive implementations recompute the whole example (by hand from
 *   the document's formulas, and through `Session` on the fixed randomness)
 *   and must give the JSON's values exactly.
 * - Receivers that only know the inputs open the JSON's envelopes.
 * - Every hex value printed in §11 of the document is one of the JSON's, and
 *   every value the JSON holds (bar a few long concatenations) is printed
 *   there, so the document cannot drift from the code.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { computeProtocolExample, seededPrimitives } from '../../scripts/protocol-example.js'
import type { ProtocolExample } from '../../scripts/protocol-example.js'
import { fromHex, toHex } from '../../src/crypto/bytes.js'
import { MemoryReplayGuard, decodeEnvelope, verifyEnvelope } from '../../src/crypto/envelope.js'
import { Identity } from '../../src/crypto/identity.js'
import { nativePrimitives } from '../../src/crypto/native.js'
import { noblePrimitives } from '../../src/crypto/noble.js'
import { generateOneTimePrekeys, generateSignedPrekey } from '../../src/crypto/prekeys.js'
import { Session } from '../../src/crypto/session.js'
import type { Primitives } from '../../src/crypto/primitives.js'
import type { PrekeyStore } from '../../src/crypto/session.js'

const example = JSON.parse(readFileSync(new URL('./agentmsg-protocol-example.json', import.meta.url), 'utf8')) as ProtocolExample
const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8')

const implementations: Primitives[] = [nativePrimitives, noblePrimitives]
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

function privateKey (use: string): Uint8Array {
  const entry = example.inputs.x25519PrivateKeys.find(k => k.use === use)
  if (entry === undefined) throw new Error(`no input key "${use}"`)
  return fromHex(entry.privateKey)
}
const nonce = (name: string): Uint8Array => fromHex(example.inputs.nonces.find(n => n.use === name)!.nonce)
const envelope = (name: string): Uint8Array => fromHex(example.messages.find(m => m.name === name)!.envelope)
const plaintext = (name: string): string => example.messages.find(m => m.name === name)!.plaintext

describe('the protocol example file', () => {
  it('says what it is and how it is made', () => {
    expect(example.description).toContain('docs/protocol.md §11')
    expect(example.description).toContain('npx tsx scripts/protocol-example.ts')
    expect(example.messages.map(m => [m.name, m.leaf, m.n])).toEqual([['M1', 0, 0], ['M2', 1, 0], ['M3', 2, 0], ['M4', 0, 0], ['M5', 0, 0]])
    expect(example.refreshChains.map(c => c.leaf)).toEqual([1, 2])
  })
})

describe.each(implementations)('protocol example, $name primitives', (prims) => {
  it('recomputes every value of the JSON, by hand and through Session', () => {
    expect(computeProtocolExample(prims)).toEqual(example)
  })

  it('Bob, knowing only his inputs, opens each of Alice\'s envelopes; Alice opens Bob\'s', () => {
    // Bob's side draws SPK, OPK, then B1 (opening M1) and B2 (opening M5)
    const bobPrims = seededPrimitives(prims, [
      'Bob signed prekey SPK (id 1)', 'Bob one-time prekey OPK (id 100)',
      'Bob ratchet key B1 (DH step on opening M1)', 'Bob ratchet key B2 (DH step on opening M5)'
    ].map(privateKey), [])
    const bob = Identity.fromPrivateKey(bobPrims, fromHex(example.inputs.bobSeed))
    const spk = generateSignedPrekey(bobPrims, bob, example.inputs.signedPrekeyId, 0)
    const [opk] = generateOneTimePrekeys(bobPrims, example.inputs.oneTimePrekeyId, 1)
    const consumed: number[] = []
    const store: PrekeyStore = {
      signedPrekey: id => id === spk.id ? spk : undefined,
      oneTimePrekey: id => id === opk!.id && consumed.length === 0 ? opk : undefined,
      consumeOneTimePrekey: id => { consumed.push(id) }
    }
    const guard = new MemoryReplayGuard()
    const first = verifyEnvelope(bobPrims, bob, envelope('M1'), guard)
    const { session: b, plaintext: p1 } = Session.accept(bobPrims, bob, store, first, {}, guard)
    expect(text(p1)).toBe(plaintext('M1'))
    expect(consumed).toEqual([example.inputs.oneTimePrekeyId])
    expect(guard.has(first.envelope.id)).toBe(true)
    expect(() => verifyEnvelope(bobPrims, bob, envelope('M1'), guard)).toThrow(expect.objectContaining({ name: 'ReplayError' }))
    for (const name of ['M3', 'M2', 'M5']) {
      expect(text(b.open(verifyEnvelope(bobPrims, bob, envelope(name), guard), guard))).toBe(plaintext(name))
    }
    expect(bobPrims.used()).toEqual({ keys: 4, nonces: 0 })

    // Alice's side draws EK and A0 (initiating), then A1 (opening M4); her only seal here is M5
    const alicePrims = seededPrimitives(prims, [
      'Alice X3DH ephemeral key EK', 'Alice ratchet key A0 (initialisation)', 'Alice ratchet key A1 (DH step on opening M4)'
    ].map(privateKey), [nonce('M5')])
    const alice = Identity.fromPrivateKey(alicePrims, fromHex(example.inputs.aliceSeed))
    const a = Session.initiate(alicePrims, alice, {
      identityKey: fromHex(example.bob.ed25519PublicKey),
      signedPrekey: { id: example.signedPrekey.id, publicKey: fromHex(example.signedPrekey.publicKey), signature: fromHex(example.signedPrekey.signature) },
      oneTimePrekey: { id: example.oneTimePrekey.id, publicKey: fromHex(example.oneTimePrekey.publicKey) }
    })
    expect(text(a.open(verifyEnvelope(alicePrims, alice, envelope('M4'))))).toBe(plaintext('M4'))
    const m5 = example.messages.find(m => m.name === 'M5')!
    expect(toHex(a.seal(new TextEncoder().encode(m5.plaintext), { sentAt: m5.sentAt }))).toBe(m5.envelope)
    expect(alicePrims.used()).toEqual({ keys: 3, nonces: 1 })
  })

  it('a changed byte in any field of an example envelope is refused', () => {
    const bob = Identity.fromPrivateKey(prims, fromHex(example.inputs.bobSeed))
    const wire = envelope('M2')
    // inside id, from, to, sentAt, header, ciphertext and signature (not the protobuf tags:
    // protons ignores a tag's wire type, and the outer encoding is not what is signed, §7.2)
    for (const at of [5, 30, 80, 104, 150, wire.length - 70, wire.length - 1]) {
      const bad = wire.slice()
      bad[at]! ^= 0x01
      expect(() => verifyEnvelope(prims, bob, bad)).toThrow()
    }
    expect(decodeEnvelope(wire).sentAt).toBe(example.inputs.messages[1]!.sentAt)
  })
})

describe('docs/protocol.md', () => {
  const start = doc.indexOf('## 11. Worked example')
  const end = doc.indexOf('\n## ', start + 1)
  const section = doc.slice(start, end < 0 ? undefined : end)
  const compact = section.replace(/\s+/g, '')

  /** every string in the JSON, with the path that leads to it */
  function strings (value: unknown, path: string[] = []): Array<{ path: string[], value: string }> {
    if (typeof value === 'string') return [{ path, value }]
    if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, String(i)]))
    if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]))
    return []
  }
  const all = strings(example)

  it('has a §11', () => {
    expect(start).toBeGreaterThan(0)
    expect(section.length).toBeGreaterThan(1000)
  })

  it('§11 prints no hex value that the JSON does not hold', () => {
    const haystack = all.map(s => s.value).join('|')
    const tokens = section.match(/(?<![0-9A-Za-z])[0-9a-f]{16,}(?![0-9A-Za-z])/g) ?? []
    expect(tokens.length).toBeGreaterThan(100)
    expect(tokens.filter(t => !haystack.includes(t))).toEqual([])
  })

  it('§11 prints every value of the JSON', () => {
    // not printed: the inputs (shown as "`03` × 32"), the labels (§6.1, checked below), the
    // 160-byte IKM and the id input (described, not printed), and the F / AD / signature
    // input concatenations of every message but M1
    const concatenations = new Set(['fields', 'envelopeAd', 'aeadAd', 'signatureInput'])
    const m1 = String(example.messages.findIndex(m => m.name === 'M1'))
    const wanted = all.filter(({ path, value }) => {
      if (!/^[0-9a-f]{32,}$/.test(value) || /^(..)\1*$/.test(value)) return false
      const [top, index, key] = path
      if (top === 'inputs' || top === 'labels') return false
      if (top === 'x3dh' && index === 'ikm') return false
      if (top === 'messages' && (key === 'idInput' || (concatenations.has(key!) && index !== m1))) return false
      return true
    })
    expect(wanted.length).toBeGreaterThan(100)
    expect(wanted.filter(w => !compact.includes(w.value)).map(w => w.path.join('.'))).toEqual([])
  })

  it('§6.1 lists every label with its length and bytes', () => {
    for (const [label, { length, hex }] of Object.entries(example.labels)) {
      expect(doc).toContain(`| \`${label}\` | ${length} | \`${hex}\` |`)
    }
  })
})
