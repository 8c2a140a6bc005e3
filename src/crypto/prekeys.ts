/**
 * Prekeys (X25519): one signed prekey, rotated weekly and the previous one
 * kept 14 days for late first messages, and a pool of one-time prekeys,
 * each handed out once.
 */
import { concatBytes, expectBytes, utf8 } from './bytes.js'
import { SignatureError } from './errors.js'
import type { Identity } from './identity.js'
import type { Primitives } from './primitives.js'

const SIGNED_PREKEY_LABEL = utf8('agentmsg/v1/signed-prekey')

export interface SignedPrekeyPublic {
  id: number
  publicKey: Uint8Array
  /** Ed25519 by the identity over label || u32be(id) || publicKey */
  signature: Uint8Array
}

export interface SignedPrekey extends SignedPrekeyPublic {
  privateKey: Uint8Array
  createdAt: number
}

export interface OneTimePrekeyPublic {
  id: number
  publicKey: Uint8Array
}

export interface OneTimePrekey extends OneTimePrekeyPublic {
  privateKey: Uint8Array
}

/** What an initiator needs to start a session with an agent that may be offline. */
export interface PrekeyBundle {
  /** 32-byte Ed25519 identity key of the responder */
  identityKey: Uint8Array
  signedPrekey: SignedPrekeyPublic
  oneTimePrekey?: OneTimePrekeyPublic
}

function signedPrekeyMessage (id: number, publicKey: Uint8Array): Uint8Array {
  const idBytes = new Uint8Array(4)
  new DataView(idBytes.buffer).setUint32(0, id >>> 0)
  return concatBytes(SIGNED_PREKEY_LABEL, idBytes, publicKey)
}

export function generateSignedPrekey (prims: Primitives, identity: Identity, id: number, now = Date.now()): SignedPrekey {
  const { publicKey, privateKey } = prims.x25519KeyPair()
  const signature = identity.sign(prims, signedPrekeyMessage(id, publicKey))
  return { id: id >>> 0, publicKey, privateKey, signature, createdAt: now }
}

/** Throws `SignatureError` unless the identity key signed this prekey. */
export function verifySignedPrekey (prims: Primitives, identityKey: Uint8Array, prekey: SignedPrekeyPublic): void {
  expectBytes(identityKey, 32, 'identity key')
  expectBytes(prekey.publicKey, 32, 'signed prekey')
  expectBytes(prekey.signature, 64, 'signed prekey signature')
  if (!prims.ed25519Verify(identityKey, signedPrekeyMessage(prekey.id, prekey.publicKey), prekey.signature)) {
    throw new SignatureError('signed prekey: signature does not verify against the identity key')
  }
}

export function generateOneTimePrekeys (prims: Primitives, firstId: number, count: number): OneTimePrekey[] {
  const out: OneTimePrekey[] = []
  for (let i = 0; i < count; i++) {
    const { publicKey, privateKey } = prims.x25519KeyPair()
    out.push({ id: (firstId + i) >>> 0, publicKey, privateKey })
  }
  return out
}
