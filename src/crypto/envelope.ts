/**
 * Envelope encoding, id, signature and associated data (DESIGN §5).
 *
 * The bytes that are hashed and signed are laid out explicitly here (not
 * "whatever the protobuf encoder emits"), so an implementation in another
 * language reproduces them exactly:
 *
 *   fields   = u8 version || u8 kind || u64be sentAt || lp(from) || lp(to) || lp(header)
 *   id       = SHA-256("agentmsg/v1/envelope-id" || fields)[0..16]
 *   signed   = "agentmsg/v1/envelope" || fields || id || lp(ciphertext)
 *   AEAD AD  = "agentmsg/v1/envelope-ad" || u8 version || lp(from) || lp(to) || lp(header) || id
 *
 * where lp(x) = u32be(len(x)) || x. The id cannot cover the ciphertext because
 * the AEAD binds the id; the signature covers both. The signed bytes and the
 * AD are short-lived memory from a shared slab (transient-bytes.ts): used
 * for one message, not kept.
 */
import { equalBytes, toHex, utf8 } from './bytes.js'
import { transientBytes } from './transient-bytes.js'
import { ENVELOPE_VERSION } from './constants.js'
import { EncodingError, ReplayError, SignatureError, WrongRecipientError } from './errors.js'
import { Envelope } from './envelope.pb.js'
import { PEER_ID_LENGTH, publicKeyFromPeerIdBytes } from './identity.js'
import { GCM_TAG_LENGTH } from './primitives.js'
import type { PublicIdentity } from './identity.js'
import type { Primitives } from './primitives.js'

export { Envelope }

/** Largest encoded envelope accepted anywhere (relays enforce the same bound). */
export const MAX_ENVELOPE_BYTES = 64 * 1024
export const ENVELOPE_ID_LENGTH = 16

const ID_LABEL = utf8('agentmsg/v1/envelope-id')
const SIGN_LABEL = utf8('agentmsg/v1/envelope')
const AD_LABEL = utf8('agentmsg/v1/envelope-ad')

/** The envelope fields fixed before encryption. */
export interface EnvelopeFields {
  version: number
  kind: Envelope.Kind
  sentAt: number
  from: Uint8Array
  to: Uint8Array
  header: Uint8Array
}

const KIND_CODES: Record<Envelope.Kind, number> = {
  [Envelope.Kind.KIND_UNSPECIFIED]: 0,
  [Envelope.Kind.DIRECT]: 1
}

/** Big-endian writes into a buffer of known length (three per envelope sealed or opened: no DataView, no BigInt). */
class ByteWriter {
  readonly bytes: Uint8Array
  offset = 0

  constructor (length: number) {
    this.bytes = transientBytes(length)
  }

  u8 (v: number): this { this.bytes[this.offset++] = v; return this }
  u32 (v: number): this {
    const b = this.bytes
    const o = this.offset
    // a Uint8Array keeps the low 8 bits of each
    b[o] = v >>> 24
    b[o + 1] = v >>> 16
    b[o + 2] = v >>> 8
    b[o + 3] = v
    this.offset = o + 4
    return this
  }

  /** `v` is a whole number in [0, 2^53): sentAt, checked before it gets here */
  u64 (v: number): this { return this.u32(Math.floor(v / 0x1_0000_0000)).u32(v >>> 0) }
  raw (b: Uint8Array): this { this.bytes.set(b, this.offset); this.offset += b.length; return this }
  lp (b: Uint8Array): this { return this.u32(b.length).raw(b) }
}

function fieldsLength (f: EnvelopeFields): number {
  return 1 + 1 + 8 + 4 + f.from.length + 4 + f.to.length + 4 + f.header.length
}

function writeFields (w: ByteWriter, f: EnvelopeFields): void {
  w.u8(f.version).u8(KIND_CODES[f.kind]).u64(f.sentAt).lp(f.from).lp(f.to).lp(f.header)
}

export function envelopeId (prims: Primitives, f: EnvelopeFields): Uint8Array {
  const w = new ByteWriter(ID_LABEL.length + fieldsLength(f))
  w.raw(ID_LABEL)
  writeFields(w, f)
  return prims.sha256(w.bytes).slice(0, ENVELOPE_ID_LENGTH)
}

export function envelopeAssociatedData (f: EnvelopeFields, id: Uint8Array): Uint8Array {
  const w = new ByteWriter(AD_LABEL.length + 1 + 4 + f.from.length + 4 + f.to.length + 4 + f.header.length + id.length)
  return w.raw(AD_LABEL).u8(f.version).lp(f.from).lp(f.to).lp(f.header).raw(id).bytes
}

export function envelopeSignatureInput (f: EnvelopeFields, id: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const w = new ByteWriter(SIGN_LABEL.length + fieldsLength(f) + id.length + 4 + ciphertext.length)
  w.raw(SIGN_LABEL)
  writeFields(w, f)
  return w.raw(id).lp(ciphertext).bytes
}

export function encodeEnvelope (envelope: Envelope): Uint8Array {
  return Envelope.encode(envelope)
}

/**
 * Decode with limits: size before parsing, then version, kind and field
 * lengths. Throws `EncodingError`; nothing is verified yet. The byte fields
 * are views into `bytes`: copy before changing either.
 */
export function decodeEnvelope (bytes: Uint8Array): Envelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    throw new EncodingError(`envelope: ${bytes.length} bytes exceeds ${MAX_ENVELOPE_BYTES}`)
  }
  let env: Envelope
  try {
    env = Envelope.decode(bytes)
  } catch (err) {
    throw new EncodingError(`envelope: ${(err as Error).message}`)
  }
  if (env.version !== ENVELOPE_VERSION) throw new EncodingError(`envelope: unknown version ${env.version}`)
  if (env.kind == null || env.kind === Envelope.Kind.KIND_UNSPECIFIED || KIND_CODES[env.kind] == null) {
    throw new EncodingError('envelope: unknown kind')
  }
  if (env.id.length !== ENVELOPE_ID_LENGTH) throw new EncodingError('envelope: id must be 16 bytes')
  if (env.from.length !== PEER_ID_LENGTH || env.to.length !== PEER_ID_LENGTH) throw new EncodingError('envelope: from/to must be Ed25519 peer ids')
  if (env.signature.length !== 64) throw new EncodingError('envelope: signature must be 64 bytes')
  if (env.ciphertext.length < GCM_TAG_LENGTH) throw new EncodingError('envelope: ciphertext shorter than its tag')
  if (!Number.isSafeInteger(env.sentAt)) throw new EncodingError('envelope: sentAt out of range')
  return env
}

/** Remembers opened envelope ids so a repeat is refused. */
export interface ReplayGuard {
  has(id: Uint8Array): boolean
  add(id: Uint8Array): void
}

/**
 * A count-bounded in-memory replay guard for tests and tools; the node's is
 * level-backed and keeps ids for 30 days.
 */
export class MemoryReplayGuard implements ReplayGuard {
  readonly #seen = new Set<string>()
  readonly #max: number

  constructor (max = 100_000) {
    this.#max = max
  }

  has (id: Uint8Array): boolean {
    return this.#seen.has(toHex(id))
  }

  add (id: Uint8Array): void {
    this.#seen.add(toHex(id))
    if (this.#seen.size > this.#max) {
      const oldest = this.#seen.values().next().value as string
      this.#seen.delete(oldest)
    }
  }
}

export interface VerifiedEnvelope {
  envelope: Envelope
  /** the sender's Ed25519 identity key, taken from `from` */
  senderKey: Uint8Array
  /** AEAD associated data for this envelope */
  associatedData: Uint8Array
}

/**
 * Everything that can be checked without a session: encoding, recipient,
 * id, signature and replay — in that order, all before any decryption.
 */
export function verifyEnvelope (
  prims: Primitives,
  recipient: PublicIdentity,
  bytes: Uint8Array,
  replay?: ReplayGuard
): VerifiedEnvelope {
  const envelope = decodeEnvelope(bytes)
  if (!equalBytes(envelope.to, recipient.peerId)) {
    throw new WrongRecipientError('envelope: addressed to another agent')
  }
  const senderKey = checkSigned(prims, envelope)
  if (replay?.has(envelope.id) === true) throw new ReplayError('envelope: already received')
  return { envelope, senderKey, associatedData: envelopeAssociatedData(envelope, envelope.id) }
}

/**
 * What a relay checks before it holds an envelope for another agent:
 * encoding and size, that the recipient is an Ed25519 agent, the id and the
 * sender's signature. Not the recipient (it is not us) nor replay (the
 * recipient's own check). Throws `EncodingError` or `SignatureError`.
 */
export function verifyEnvelopeSignature (prims: Primitives, bytes: Uint8Array): Envelope {
  const envelope = decodeEnvelope(bytes)
  try {
    publicKeyFromPeerIdBytes(envelope.to)
  } catch {
    throw new EncodingError('envelope: to is not an Ed25519 peer id')
  }
  checkSigned(prims, envelope)
  return envelope
}

/** The id and the signature against `from`; returns the sender's key. */
function checkSigned (prims: Primitives, envelope: Envelope): Uint8Array {
  let senderKey: Uint8Array
  try {
    senderKey = publicKeyFromPeerIdBytes(envelope.from)
  } catch {
    throw new EncodingError('envelope: from is not an Ed25519 peer id')
  }
  const id = envelopeId(prims, envelope)
  if (!equalBytes(id, envelope.id)) throw new SignatureError('envelope: id does not match its fields')
  if (!prims.ed25519Verify(senderKey, envelopeSignatureInput(envelope, id, envelope.ciphertext), envelope.signature)) {
    throw new SignatureError('envelope: signature does not verify against the sender')
  }
  return senderKey
}
