/**
 * `npm run demo:crypto`: two agents, a ratcheted conversation, and a tampered
 * message rejected — the crypto core end to end, in one process.
 */
import {
  Identity, MemoryReplayGuard, Session, decodeEnvelope, defaultPrimitives, encodeEnvelope,
  generateOneTimePrekeys, generateSignedPrekey, verifyEnvelope
} from '../src/index.js'
import type { PrekeyStore } from '../src/index.js'

const prims = defaultPrimitives()
const enc = new TextEncoder()
const dec = new TextDecoder()
const short = (b: Uint8Array): string => Buffer.from(b).toString('hex').slice(0, 12)
const ms = (t0: number): string => `${(performance.now() - t0).toFixed(2)} ms`

console.log(`agentmsg crypto demo (primitives: ${prims.name})\n`)

const alice = Identity.generate(prims)
const bob = Identity.generate(prims)
console.log(`alice  ${short(alice.peerId.subarray(6))}…   bob  ${short(bob.peerId.subarray(6))}…`)

// Bob publishes a signed prekey and one-time prekeys (in the node: in his agent card / at his relays)
const spk = generateSignedPrekey(prims, bob, 1)
const otps = new Map(generateOneTimePrekeys(prims, 1, 5).map(k => [k.id, k]))
const bobPrekeys: PrekeyStore = {
  signedPrekey: id => id === spk.id ? spk : undefined,
  oneTimePrekey: id => otps.get(id),
  consumeOneTimePrekey: id => { otps.delete(id) }
}
const otp = otps.get(1)!
const bundle = {
  identityKey: bob.publicKey,
  signedPrekey: { id: spk.id, publicKey: spk.publicKey, signature: spk.signature },
  oneTimePrekey: { id: otp.id, publicKey: otp.publicKey }
}

let t0 = performance.now()
const a = Session.initiate(prims, alice, bundle)
console.log(`\nalice verifies bob's signed prekey and runs X3DH      ${ms(t0)}`)

const bobGuard = new MemoryReplayGuard()
const aliceGuard = new MemoryReplayGuard()
t0 = performance.now()
const first = a.seal(enc.encode('Hi Bob, can you review PR #42?'))
const { session: b, plaintext } = Session.accept(prims, bob, bobPrekeys, verifyEnvelope(prims, bob, first, bobGuard))
bobGuard.add(decodeEnvelope(first).id)
console.log(`alice → bob  "${dec.decode(plaintext)}"  (${first.length} B on the wire, sealed+opened in ${ms(t0)})`)
console.log(`             bob's one-time prekey consumed: ${!otps.has(1)}`)

const script: Array<['a' | 'b', string]> = [
  ['b', 'Sure. Looking now.'],
  ['b', 'Two nits, otherwise LGTM.'],
  ['a', 'Thanks! Pushed fixes.'],
  ['b', 'Approved.']
]
for (const [from, text] of script) {
  const [s, r, rid, guard] = from === 'a' ? [a, b, bob, bobGuard] : [b, a, alice, aliceGuard]
  const key = short(s.sendingRatchetKey)
  t0 = performance.now()
  const wire = s.seal(enc.encode(text))
  const out = dec.decode(r.open(verifyEnvelope(prims, rid, wire, guard), guard))
  console.log(`${from === 'a' ? 'alice → bob ' : 'bob → alice '} "${out}"  (ratchet key ${key}…, ${ms(t0)})`)
}

// Tampering: flip one bit of the ciphertext; the signature check refuses it before any decryption.
const wire = a.seal(enc.encode('The deploy key is in the vault.'))
const env = decodeEnvelope(wire.slice()) // decoded fields are views into the buffer they came from
env.ciphertext[0]! ^= 0x01
const tampered = encodeEnvelope(env)
try {
  verifyEnvelope(prims, bob, tampered, bobGuard)
  throw new Error('a tampered message opened')
} catch (err) {
  console.log(`\nmallory flips a bit in transit → rejected: ${(err as Error).name}`)
}
console.log(`the original still opens: "${dec.decode(b.open(verifyEnvelope(prims, bob, wire, bobGuard), bobGuard))}"`)
try {
  verifyEnvelope(prims, bob, wire, bobGuard)
  throw new Error('a replay opened')
} catch (err) {
  console.log(`mallory replays it → rejected: ${(err as Error).name}`)
}

// Sessions are bytes: they live in the node's store and resume mid-conversation.
const restored = Session.deserialize(prims, bob, b.serialize())
const resumed = dec.decode(restored.open(verifyEnvelope(prims, bob, a.seal(enc.encode('Still there after a restart?')))))
console.log(`bob restores his session from ${b.serialize().length} bytes and reads: "${resumed}"`)
console.log('\ndone.')
