/**
 * Seal (encrypt + sign + serialise state) then open (verify + decrypt +
 * serialise state) of a 256-byte payload, in one process:
 * - one-way: Alice sends, Bob opens (forced refresh every 100 messages);
 * - ping-pong: the two alternate, so every message carries a DH ratchet step.
 * Each figure is the median of 5 timed rounds after a warm-up.
 *
 * Flags: --noble (the portable primitives), --native (OpenSSL's Ed25519
 * instead of libsodium's); the default is what `defaultPrimitives()` picks.
 * Also reported: Ed25519 sign and verify alone, µs per call, and the seal of a
 * 600-byte store value (a message record's size) by each store format's cipher
 * (`src/store/value-cipher.ts`): `storeSealUs`, by cipher and library.
 */
import { verifyEnvelope } from '../../src/crypto/envelope.js'
import { Identity } from '../../src/crypto/identity.js'
import { generateSignedPrekey } from '../../src/crypto/prekeys.js'
import { defaultPrimitives } from '../../src/crypto/primitives-select.js'
import { nativePrimitives } from '../../src/crypto/native.js'
import { noblePrimitives } from '../../src/crypto/noble.js'
import { Session } from '../../src/crypto/session.js'
import { valueCipher } from '../../src/store/value-cipher.js'
import type { ValueCipher } from '../../src/store/value-cipher.js'
import type { Primitives } from '../../src/crypto/primitives.js'

const PAYLOAD = 256

function setup (prims: Primitives): { a: Session, b: Session, alice: Identity, bob: Identity } {
  const alice = Identity.generate(prims)
  const bob = Identity.generate(prims)
  const spk = generateSignedPrekey(prims, bob, 1)
  const a = Session.initiate(prims, alice, { identityKey: bob.publicKey, signedPrekey: spk })
  const { session: b } = Session.accept(prims, bob, {
    signedPrekey: () => spk, oneTimePrekey: () => undefined, consumeOneTimePrekey: () => {}
  }, verifyEnvelope(prims, bob, a.seal(new Uint8Array(1))))
  return { a, b, alice, bob }
}

function oneWay (prims: Primitives, n: number): number {
  const { a, b, bob } = setup(prims)
  const payload = prims.randomBytes(PAYLOAD)
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const wire = a.seal(payload)
    a.serialize()
    b.open(verifyEnvelope(prims, bob, wire))
    b.serialize()
  }
  return n / ((performance.now() - start) / 1000)
}

function pingPong (prims: Primitives, n: number): number {
  const { a, b, alice, bob } = setup(prims)
  const payload = prims.randomBytes(PAYLOAD)
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const [from, to, toId] = i % 2 === 0 ? [b, a, alice] : [a, b, bob]
    const wire = from.seal(payload)
    from.serialize()
    to.open(verifyEnvelope(prims, toId, wire))
    to.serialize()
  }
  return n / ((performance.now() - start) / 1000)
}

function median (f: () => number, rounds = 5): number {
  f() // warm-up
  const xs = Array.from({ length: rounds }, f).sort((x, y) => x - y)
  return xs[Math.floor(rounds / 2)]!
}

const round = (x: number): number => Math.round(x * 10) / 10

/** µs per call of `op`, over n calls. */
function perCall (op: () => void, n: number): number {
  const start = performance.now()
  for (let i = 0; i < n; i++) op()
  return (performance.now() - start) * 1000 / n
}

function ed25519Figures (prims: Primitives, n: number): { ed25519SignUs: number, ed25519VerifyUs: number } {
  const pair = prims.ed25519KeyPair()
  // the size of a DM envelope's signed bytes
  const message = prims.randomBytes(PAYLOAD + 160)
  const signature = prims.ed25519Sign(pair.privateKey, message)
  return {
    ed25519SignUs: round(median(() => perCall(() => prims.ed25519Sign(pair.privateKey, message), n))),
    ed25519VerifyUs: round(median(() => perCall(() => { prims.ed25519Verify(pair.publicKey, message, signature) }, n)))
  }
}

/** µs per seal of a message record's size, with a fresh nonce each (as the store does), by cipher. */
function storeSealFigures (n: number): Record<string, number> {
  const key = nativePrimitives.randomBytes(32)
  const value = nativePrimitives.randomBytes(600)
  const aad = new TextEncoder().encode('messages\0m\0' + 'ab'.repeat(32))
  const nonces = nativePrimitives.randomBytes(12 * n)
  const figure = (cipher: ValueCipher): number => {
    let i = 0
    const nextNonce = (): Uint8Array => nonces.subarray(12 * (i % n), 12 * (i % n) + 12)
    return round(median(() => perCall(() => { cipher.seal(nextNonce(), value, aad); i++ }, n)))
  }
  const ciphers = [valueCipher('chacha20-poly1305', key), valueCipher('chacha20-poly1305', key, null), valueCipher('aes-256-gcm', key)]
  return Object.fromEntries(ciphers.map(c => [`${c.name} (${c.implementation})`, figure(c)]))
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const portable = args.includes('--noble')
  const prims = portable ? noblePrimitives : args.includes('--native') ? nativePrimitives : defaultPrimitives()
  const n = portable ? 200 : 4000
  return {
    bench: 'crypto',
    payload: PAYLOAD,
    primitives: prims.name,
    oneWaySealOpenPerSec: Math.round(median(() => oneWay(prims, n))),
    pingPongSealOpenPerSec: Math.round(median(() => pingPong(prims, n))),
    ...ed25519Figures(prims, n),
    storeSealUs: storeSealFigures(n)
  }
}
