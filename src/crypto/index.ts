/**
 * @packageDocumentation
 *
 * The crypto core of agentmsg: primitives (a native `node:crypto` fast path
 * and a portable `@noble/*` path that agree byte for byte), identities,
 * prekeys, X3DH, the Double Ratchet and signed envelopes. The byte-level
 * specification is docs/protocol.md.
 *
 * @example
 * ```ts
 * import { Identity, Session, defaultPrimitives, generateSignedPrekey, verifyEnvelope } from 'agentmsg'
 *
 * const prims = defaultPrimitives()
 * const alice = Identity.generate(prims)
 * const bob = Identity.generate(prims)
 * const spk = generateSignedPrekey(prims, bob, 1)
 *
 * const a = Session.initiate(prims, alice, { identityKey: bob.publicKey, signedPrekey: spk })
 * const wire = a.seal(new TextEncoder().encode('hello'))
 * const { session: b, plaintext } = Session.accept(prims, bob, prekeyStore, verifyEnvelope(prims, bob, wire))
 * ```
 */
export * from './errors.js'
export type { KeyPair, Primitives } from './primitives.js'
export { nativePrimitives } from './native.js'
export { noblePrimitives } from './noble.js'
export { defaultPrimitives } from './primitives-select.js'
export { Identity, peerIdBytesFromPublicKey, publicKeyFromPeerIdBytes } from './identity.js'
export type { PublicIdentity } from './identity.js'
export { generateOneTimePrekeys, generateSignedPrekey, verifySignedPrekey } from './prekeys.js'
export type { OneTimePrekey, OneTimePrekeyPublic, PrekeyBundle, SignedPrekey, SignedPrekeyPublic } from './prekeys.js'
export { Session, envelopeHeader } from './session.js'
export type { PrekeyStore, SealOptions } from './session.js'
export { decodeHeader } from './ratchet.js'
export type { RatchetOptions } from './ratchet.js'
export type { X3dhHeader } from './x3dh.js'
export { fingerprint, safetyNumber } from './safety-number.js'
export { MAX_ENVELOPE_BYTES, MemoryReplayGuard, decodeEnvelope, encodeEnvelope, verifyEnvelope, verifyEnvelopeSignature } from './envelope.js'
export type { ReplayGuard, VerifiedEnvelope } from './envelope.js'
export * from './constants.js'
