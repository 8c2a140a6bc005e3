import { verifyEnvelope } from '../src/crypto/envelope.js'
import { Identity } from '../src/crypto/identity.js'
import { generateSignedPrekey } from '../src/crypto/prekeys.js'
import { nativePrimitives as prims } from '../src/crypto/native.js'
import { Session } from '../src/crypto/session.js'
const alice = Identity.generate(prims); const bob = Identity.generate(prims)
const spk = generateSignedPrekey(prims, bob, 1)
const a = Session.initiate(prims, alice, { identityKey: bob.publicKey, signedPrekey: spk })
const { session: b } = Session.accept(prims, bob, { signedPrekey: () => spk, oneTimePrekey: () => undefined, consumeOneTimePrekey: () => {} }, verifyEnvelope(prims, bob, a.seal(new Uint8Array(1))))
const payload = prims.randomBytes(256)
const T: Record<string, number> = { seal: 0, ser1: 0, verify: 0, open: 0, ser2: 0 }
const N = 6000
for (let round = 0; round < 2; round++) {
  for (const k in T) T[k] = 0
  for (let i = 0; i < N; i++) {
    const [from, to, toId] = i % 2 === 0 ? [b, a, alice] : [a, b, bob]
    let t = performance.now(); const wire = from.seal(payload); T.seal! += performance.now() - t
    t = performance.now(); from.serialize(); T.ser1! += performance.now() - t
    t = performance.now(); const v = verifyEnvelope(prims, toId, wire); T.verify! += performance.now() - t
    t = performance.now(); to.open(v); T.open! += performance.now() - t
    t = performance.now(); to.serialize(); T.ser2! += performance.now() - t
  }
}
for (const k in T) console.log(k, (T[k]! / N * 1000).toFixed(1), 'us')
