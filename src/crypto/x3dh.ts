/**
 * X3DH key agreement (Signal's specification, revision 1), with the
 * identity DH done through the Ed25519 → X25519 birational map.
 *
 *   DH1 = DH(IK_A, SPK_B)   DH2 = DH(EK_A, IK_B)
 *   DH3 = DH(EK_A, SPK_B)   DH4 = DH(EK_A, OPK_B)   (when a one-time prekey was used)
 *   SK  = HKDF(salt = 32 zero bytes, ikm = 32×0xFF || DH1 || DH2 || DH3 [|| DH4],
 *              info = "agentmsg/v1/x3dh", 32 bytes)
 *   AD  = IK_A || IK_B     (the two Ed25519 identity keys, initiator first)
 */
import { concatBytes, expectBytes, utf8, wipe } from './bytes.js'
import { InvalidInputError } from './errors.js'
import { montgomeryPublicKey } from './identity.js'
import { verifySignedPrekey } from './prekeys.js'
import type { Identity } from './identity.js'
import type { OneTimePrekey, PrekeyBundle, SignedPrekey } from './prekeys.js'
import type { Primitives } from './primitives.js'

const X3DH_INFO = utf8('agentmsg/v1/x3dh')
const X3DH_F = new Uint8Array(32).fill(0xff)
const ZERO_SALT = new Uint8Array(32)

/** What the first messages of a session carry so the responder can run X3DH. */
export interface X3dhHeader {
  /** EK_A, the initiator's ephemeral X25519 public key */
  ephemeralKey: Uint8Array
  signedPrekeyId: number
  oneTimePrekeyId?: number
}

export interface X3dhResult {
  sharedKey: Uint8Array
  associatedData: Uint8Array
}

function deriveSharedKey (prims: Primitives, dhs: Uint8Array[]): Uint8Array {
  const ikm = concatBytes(X3DH_F, ...dhs)
  const sk = prims.hkdf(ikm, ZERO_SALT, X3DH_INFO, 32)
  wipe(ikm, ...dhs)
  return sk
}

/**
 * The initiator's half. Throws `SignatureError` if the signed prekey does not
 * verify against the bundle's identity key: session start aborts.
 */
export function x3dhInitiate (prims: Primitives, identity: Identity, bundle: PrekeyBundle): X3dhResult & { header: X3dhHeader } {
  verifySignedPrekey(prims, bundle.identityKey, bundle.signedPrekey)
  if (bundle.oneTimePrekey != null) expectBytes(bundle.oneTimePrekey.publicKey, 32, 'one-time prekey')
  const theirIdentityDh = montgomeryPublicKey(bundle.identityKey)
  const ek = prims.x25519KeyPair()
  const spk = bundle.signedPrekey.publicKey
  const dhs = [
    identity.dh(prims, spk),
    prims.x25519(ek.privateKey, theirIdentityDh),
    prims.x25519(ek.privateKey, spk)
  ]
  if (bundle.oneTimePrekey != null) dhs.push(prims.x25519(ek.privateKey, bundle.oneTimePrekey.publicKey))
  wipe(ek.privateKey)
  const header: X3dhHeader = { ephemeralKey: ek.publicKey, signedPrekeyId: bundle.signedPrekey.id }
  if (bundle.oneTimePrekey != null) header.oneTimePrekeyId = bundle.oneTimePrekey.id
  return {
    sharedKey: deriveSharedKey(prims, dhs),
    associatedData: concatBytes(identity.publicKey, bundle.identityKey),
    header
  }
}

/**
 * The responder's half, given the prekeys the header names (the caller looks
 * them up and consumes the one-time prekey).
 */
export function x3dhRespond (
  prims: Primitives,
  identity: Identity,
  initiatorIdentityKey: Uint8Array,
  header: X3dhHeader,
  signedPrekey: SignedPrekey,
  oneTimePrekey?: OneTimePrekey
): X3dhResult {
  expectBytes(initiatorIdentityKey, 32, 'initiator identity key')
  expectBytes(header.ephemeralKey, 32, 'ephemeral key')
  if (header.signedPrekeyId !== signedPrekey.id) {
    throw new InvalidInputError(`x3dh: header names signed prekey ${header.signedPrekeyId}, got ${signedPrekey.id}`)
  }
  if ((header.oneTimePrekeyId != null) !== (oneTimePrekey != null) ||
    (oneTimePrekey != null && header.oneTimePrekeyId !== oneTimePrekey.id)) {
    throw new InvalidInputError('x3dh: one-time prekey does not match the header')
  }
  const theirIdentityDh = montgomeryPublicKey(initiatorIdentityKey)
  const dhs = [
    prims.x25519(signedPrekey.privateKey, theirIdentityDh),
    identity.dh(prims, header.ephemeralKey),
    prims.x25519(signedPrekey.privateKey, header.ephemeralKey)
  ]
  if (oneTimePrekey != null) dhs.push(prims.x25519(oneTimePrekey.privateKey, header.ephemeralKey))
  return {
    sharedKey: deriveSharedKey(prims, dhs),
    associatedData: concatBytes(initiatorIdentityKey, identity.publicKey)
  }
}
