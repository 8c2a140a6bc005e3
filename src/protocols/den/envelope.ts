/**
 * Den envelopes: every message on a den topic, signed by its author
 * (docs/protocol.md §18.3). Posts are AES-256-GCM encrypted under a message
 * key: derived from the den id for public and verified dens (authenticated,
 * honestly not secret), from the author's sender key for private and bounty
 * dens.
 */
import { concatBytes, equalBytes } from '../../crypto/bytes.js'
import { publicKeyFromPeerIdBytes } from '../../crypto/index.js'
import { peerIdString } from '../peer-id.js'
import { DEN_ID_BYTES, DEN_VERSION, MAX_DEN_ENVELOPE_BYTES, NONCE_BYTES } from './constants.js'
import { buf } from './descriptor.js'
import { DenEncodingError, DenKeyError, DenSignatureError } from './errors.js'
import { DenEnvelope } from './den.pb.js'
import type { Identity, Primitives } from '../../crypto/index.js'

export type DenEnvelopeKind = 'post' | 'roster' | 'destroy' | 'announce'

const KINDS: Record<DenEnvelopeKind, DenEnvelope.Kind> = {
  post: DenEnvelope.Kind.POST,
  roster: DenEnvelope.Kind.ROSTER,
  destroy: DenEnvelope.Kind.DESTROY,
  announce: DenEnvelope.Kind.ANNOUNCE
}

const ID_DOMAIN = new TextEncoder().encode('agentmsg/v1/den-envelope-id\0')
const SIGNATURE_DOMAIN = new TextEncoder().encode('agentmsg/v1/den-envelope\0')
const PUBLIC_KEY_INFO = new TextEncoder().encode('agentmsg/v1/den-public')

export interface DenSealInput {
  denId: string
  kind: DenEnvelopeKind
  epoch?: number
  iteration?: number
  /** a post's encoded body, sealed under `key` */
  plaintext?: Uint8Array
  key?: Uint8Array
  credential?: Uint8Array
  control?: Uint8Array
  sentAt?: number
}

export interface VerifiedDenEnvelope {
  envelope: DenEnvelope
  /** hex */
  id: string
  denId: string
  from: string
  kind: DenEnvelopeKind
  bytes: Uint8Array
}

/** The key of a public or verified den: anyone who knows the den id derives it. */
export function publicDenKey (prims: Primitives, denId: string): Uint8Array {
  return prims.hkdf(Buffer.from(denId, 'hex'), new Uint8Array(32), PUBLIC_KEY_INFO, 32)
}

export function sealDenEnvelope (prims: Primitives, author: Identity, input: DenSealInput): VerifiedDenEnvelope {
  const envelope: DenEnvelope = {
    version: DEN_VERSION,
    id: new Uint8Array(0),
    denId: buf(Buffer.from(input.denId, 'hex')),
    from: buf(author.peerId.slice()),
    sentAt: input.sentAt ?? Date.now(),
    kind: KINDS[input.kind],
    epoch: input.epoch ?? 0,
    iteration: input.iteration ?? 0,
    nonce: buf(prims.randomBytes(NONCE_BYTES)),
    ciphertext: new Uint8Array(0),
    credential: buf(input.credential ?? new Uint8Array(0)),
    control: buf(input.control ?? new Uint8Array(0)),
    signature: new Uint8Array(0)
  }
  const idInput = idInputOf(envelope)
  envelope.id = buf(prims.sha256(idInput).slice(0, 16))
  if (input.plaintext != null) {
    if (input.key == null) throw new DenKeyError('a post needs a message key')
    envelope.ciphertext = buf(prims.aesGcmSeal(input.key, envelope.nonce, input.plaintext, associatedData(idInput, envelope.id)))
  }
  envelope.signature = buf(author.sign(prims, signatureInput(envelope)))
  return verifyDenEnvelope(prims, DenEnvelope.encode(envelope))
}

/**
 * Decode with limits, check field sizes, canonical encoding, the id and the
 * author's signature. Throws `DenEncodingError` or `DenSignatureError`.
 */
export function verifyDenEnvelope (prims: Primitives, bytes: Uint8Array): VerifiedDenEnvelope {
  if (bytes.length > MAX_DEN_ENVELOPE_BYTES) throw new DenEncodingError(`den envelope: ${bytes.length} bytes exceeds ${MAX_DEN_ENVELOPE_BYTES}`)
  let envelope: DenEnvelope
  try {
    envelope = DenEnvelope.decode(bytes)
  } catch (err) {
    throw new DenEncodingError(`den envelope: ${(err as Error).message}`)
  }
  if (envelope.version !== DEN_VERSION) throw new DenEncodingError(`den envelope: unknown version ${envelope.version}`)
  const kind = (Object.keys(KINDS) as DenEnvelopeKind[]).find(k => KINDS[k] === envelope.kind)
  if (kind == null) throw new DenEncodingError('den envelope: unknown kind')
  if (envelope.id.length !== 16 || envelope.denId.length !== DEN_ID_BYTES || envelope.nonce.length !== NONCE_BYTES || envelope.signature.length !== 64) {
    throw new DenEncodingError('den envelope: a field has the wrong length')
  }
  if (!Number.isSafeInteger(envelope.sentAt)) throw new DenEncodingError('den envelope: sentAt out of range')
  if (kind === 'post' && envelope.ciphertext.length < 16) throw new DenEncodingError('den envelope: a post carries a ciphertext')
  let from: string
  let key: Uint8Array
  try {
    from = peerIdString(envelope.from)
    key = publicKeyFromPeerIdBytes(envelope.from)
  } catch {
    throw new DenEncodingError('den envelope: from is not an Ed25519 peer id')
  }
  if (!equalBytes(DenEnvelope.encode(envelope), bytes)) throw new DenEncodingError('den envelope: not in canonical encoding')
  if (!equalBytes(prims.sha256(idInputOf(envelope)).subarray(0, 16), envelope.id)) throw new DenSignatureError('den envelope: id does not match its fields')
  if (!prims.ed25519Verify(key, signatureInput(envelope), envelope.signature)) throw new DenSignatureError('den envelope: signature does not verify against the author')
  return {
    envelope,
    id: Buffer.from(envelope.id).toString('hex'),
    denId: Buffer.from(envelope.denId).toString('hex'),
    from,
    kind,
    bytes: bytes.slice()
  }
}

/**
 * An envelope's claimed den id, id and send time, read without checking
 * anything else (no signature): only for deciding to skip an envelope we
 * already hold, never for storing or trusting one. Undefined when it does
 * not decode.
 */
export function peekDenEnvelope (bytes: Uint8Array): { denId: string, id: string, sentAt: number } | undefined {
  if (bytes.length > MAX_DEN_ENVELOPE_BYTES) return undefined
  try {
    const { denId, id, sentAt } = DenEnvelope.decode(bytes)
    if (id.length !== 16 || denId.length !== DEN_ID_BYTES || !Number.isSafeInteger(sentAt)) return undefined
    return { denId: Buffer.from(denId).toString('hex'), id: Buffer.from(id).toString('hex'), sentAt }
  } catch {
    return undefined
  }
}

/** Decrypt a verified post under its message key. Throws `DenKeyError` when the key does not open it. */
export function openDenPost (prims: Primitives, verified: VerifiedDenEnvelope, key: Uint8Array): Uint8Array {
  const { envelope } = verified
  try {
    return prims.aesGcmOpen(key, envelope.nonce, envelope.ciphertext, associatedData(idInputOf(envelope), envelope.id))
  } catch {
    throw new DenKeyError('den post: does not decrypt under its key')
  }
}

/** What the id covers: every header field, none of the payload. */
function idInputOf (e: DenEnvelope): Uint8Array {
  return concatBytes(ID_DOMAIN, DenEnvelope.encode({
    version: e.version,
    id: new Uint8Array(0),
    denId: e.denId,
    from: e.from,
    sentAt: e.sentAt,
    kind: e.kind,
    epoch: e.epoch,
    iteration: e.iteration,
    nonce: e.nonce,
    ciphertext: new Uint8Array(0),
    credential: new Uint8Array(0),
    control: new Uint8Array(0),
    signature: new Uint8Array(0)
  }))
}

function associatedData (idInput: Uint8Array, id: Uint8Array): Uint8Array {
  return concatBytes(idInput, id)
}

function signatureInput (e: DenEnvelope): Uint8Array {
  return concatBytes(SIGNATURE_DOMAIN, DenEnvelope.encode({ ...e, signature: new Uint8Array(0) }))
}

