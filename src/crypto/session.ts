/**
 * A 1:1 session: X3DH to start it, the Double Ratchet to run it, signed
 * envelopes to carry it. This is the unit the node stores per peer.
 *
 * @example
 * ```ts
 * const alice = Session.initiate(prims, aliceId, bobBundle)
 * const wire = alice.seal(utf8('hi'))
 * const { session: bob, plaintext } = Session.accept(prims, bobId, bobPrekeys, verifyEnvelope(prims, bobId, wire))
 * ```
 */
import { equalBytes } from './bytes.js'
import { ENVELOPE_VERSION, SESSION_STATE_VERSION } from './constants.js'
import { EncodingError, InvalidInputError, SessionStateError, WrongRecipientError } from './errors.js'
import { Envelope, encodeEnvelope, envelopeAssociatedData, envelopeId, envelopeSignatureInput } from './envelope.js'
import { peerIdBytesFromPublicKey } from './identity.js'
import { Ratchet, decodeHeader } from './ratchet.js'
import { encodeStoredSession } from './session-state-encode.js'
import { StoredSession } from './session-state.pb.js'
import { x3dhInitiate, x3dhRespond } from './x3dh.js'
import type { ReplayGuard, VerifiedEnvelope } from './envelope.js'
import type { Identity } from './identity.js'
import type { OneTimePrekey, PrekeyBundle, SignedPrekey } from './prekeys.js'
import type { Primitives } from './primitives.js'
import type { Header, RatchetOptions } from './ratchet.js'

/** Where the responder finds the private halves of the prekeys it published. */
export interface PrekeyStore {
  signedPrekey(id: number): SignedPrekey | undefined
  oneTimePrekey(id: number): OneTimePrekey | undefined
  /** Called once the first message that used it opened: a one-time prekey is used once. */
  consumeOneTimePrekey(id: number): void
}

/** Ratchet headers of verified envelopes, decoded once however many sessions look at them. */
const headers = new WeakMap<VerifiedEnvelope, Header>()

/** The decoded ratchet header of a verified envelope (`decodeHeader`, decoded once per envelope object). */
export function envelopeHeader (verified: VerifiedEnvelope): Header {
  let header = headers.get(verified)
  if (header == null) {
    header = decodeHeader(verified.envelope.header)
    headers.set(verified, header)
  }
  return header
}

export interface SealOptions {
  /** @default Date.now() */
  sentAt?: number
}

export class Session {
  readonly #prims: Primitives
  readonly #identity: Identity
  readonly #ratchet: Ratchet
  /** the peer's Ed25519 identity key */
  readonly peerIdentityKey: Uint8Array
  /** the peer's PeerId bytes */
  readonly peerId: Uint8Array
  /** EK_A of the X3DH that started this session: names it among sessions with the same peer */
  readonly baseKey: Uint8Array
  readonly initiator: boolean

  private constructor (prims: Primitives, identity: Identity, ratchet: Ratchet, peerIdentityKey: Uint8Array, baseKey: Uint8Array, initiator: boolean) {
    this.#prims = prims
    this.#identity = identity
    this.#ratchet = ratchet
    this.peerIdentityKey = peerIdentityKey
    this.peerId = peerIdBytesFromPublicKey(peerIdentityKey)
    this.baseKey = baseKey
    this.initiator = initiator
  }

  /** Start a session from the peer's prekey bundle. Throws `SignatureError` if its signed prekey does not verify. */
  static initiate (prims: Primitives, identity: Identity, bundle: PrekeyBundle, options: RatchetOptions = {}): Session {
    const { sharedKey, associatedData, header } = x3dhInitiate(prims, identity, bundle)
    const ratchet = Ratchet.initiate(prims, {
      sharedKey, associatedData, theirRatchet: bundle.signedPrekey.publicKey, x3dh: header
    }, options)
    sharedKey.fill(0)
    return new Session(prims, identity, ratchet, bundle.identityKey.slice(), header.ephemeralKey, true)
  }

  /**
   * Start the responder's side from a verified first message that carries an
   * X3DH header. The one-time prekey is consumed only after the message opened.
   */
  static accept (prims: Primitives, identity: Identity, prekeys: PrekeyStore, verified: VerifiedEnvelope, options: RatchetOptions = {}, replay?: ReplayGuard): { session: Session, plaintext: Uint8Array } {
    const header = envelopeHeader(verified)
    if (header.x3dh == null) throw new SessionStateError('session: no session with this peer and the message does not start one')
    const signedPrekey = prekeys.signedPrekey(header.x3dh.signedPrekeyId)
    if (signedPrekey == null) throw new SessionStateError(`session: unknown signed prekey ${header.x3dh.signedPrekeyId}`)
    let oneTimePrekey: OneTimePrekey | undefined
    if (header.x3dh.oneTimePrekeyId != null) {
      oneTimePrekey = prekeys.oneTimePrekey(header.x3dh.oneTimePrekeyId)
      if (oneTimePrekey == null) throw new SessionStateError(`session: one-time prekey ${header.x3dh.oneTimePrekeyId} is used or unknown`)
    }
    const { sharedKey, associatedData } = x3dhRespond(prims, identity, verified.senderKey, header.x3dh, signedPrekey, oneTimePrekey)
    const ratchet = Ratchet.respond(prims, { sharedKey, associatedData, signedPrekey }, options)
    sharedKey.fill(0)
    const session = new Session(prims, identity, ratchet, verified.senderKey.slice(), header.x3dh.ephemeralKey.slice(), false)
    const plaintext = session.open(verified, replay)
    if (oneTimePrekey != null) prekeys.consumeOneTimePrekey(oneTimePrekey.id)
    return { session, plaintext }
  }

  /** Whether a verified message belongs to this session (rather than a new one the peer started). */
  matches (verified: VerifiedEnvelope): boolean {
    if (!equalBytes(verified.senderKey, this.peerIdentityKey)) return false
    const header = envelopeHeader(verified)
    return header.x3dh == null || equalBytes(header.x3dh.ephemeralKey, this.baseKey)
  }

  get canSend (): boolean {
    return this.#ratchet.canSend
  }

  /** The initiator has not heard from the peer on this session yet (its messages still carry the X3DH header). */
  get awaitingReply (): boolean {
    return this.#ratchet.pendingX3dh != null
  }

  /** The ratchet public key the next message goes out under. */
  get sendingRatchetKey (): Uint8Array {
    return this.#ratchet.sendingRatchetKey
  }

  /** Skipped message keys this session holds for late messages. */
  get skippedKeyCount (): number {
    return this.#ratchet.skippedKeyCount
  }

  /** Encrypt, sign and encode one message for the peer. */
  seal (plaintext: Uint8Array, options: SealOptions = {}): Uint8Array {
    return this.sealEnvelope(plaintext, options).bytes
  }

  /** As `seal`, also returning the envelope id (the de-duplication key) without decoding it again. */
  sealEnvelope (plaintext: Uint8Array, options: SealOptions = {}): { bytes: Uint8Array, id: Uint8Array } {
    const sentAt = options.sentAt ?? Date.now()
    if (!Number.isSafeInteger(sentAt) || sentAt < 0) throw new InvalidInputError('sentAt must be a whole number of ms in [0, 2^53)')
    const fields = {
      version: ENVELOPE_VERSION,
      kind: Envelope.Kind.DIRECT,
      sentAt,
      from: this.#identity.peerId,
      to: this.peerId
    }
    let id: Uint8Array = new Uint8Array(0)
    const { header, ciphertext } = this.#ratchet.encrypt(plaintext, (headerBytes) => {
      const f = { ...fields, header: headerBytes }
      id = envelopeId(this.#prims, f)
      return envelopeAssociatedData(f, id)
    })
    const signature = this.#identity.sign(this.#prims, envelopeSignatureInput({ ...fields, header }, id, ciphertext))
    return { bytes: encodeEnvelope({ ...fields, id, header, ciphertext, signature } as Envelope), id }
  }

  /**
   * Decrypt a verified envelope from the peer. Failure leaves the session as
   * it was. With a replay guard, the id is recorded once the message opened.
   */
  open (verified: VerifiedEnvelope, replay?: ReplayGuard): Uint8Array {
    if (!equalBytes(verified.senderKey, this.peerIdentityKey)) {
      throw new WrongRecipientError('session: envelope is from another agent')
    }
    const { envelope } = verified
    const plaintext = this.#ratchet.decrypt(envelope.header, envelope.ciphertext, verified.associatedData, envelopeHeader(verified))
    replay?.add(envelope.id)
    return plaintext
  }

  /**
   * The session (secrets included) for the node's encrypted-at-rest store:
   * short-lived memory from a shared slab (transient-bytes.ts), to be sealed
   * or copied, not kept.
   */
  serialize (): Uint8Array {
    return encodeStoredSession({
      version: SESSION_STATE_VERSION,
      peerIdentityKey: this.peerIdentityKey,
      baseKey: this.baseKey,
      initiator: this.initiator,
      ratchet: this.#ratchet.serialize()
    } as StoredSession)
  }

  static deserialize (prims: Primitives, identity: Identity, bytes: Uint8Array, options: RatchetOptions = {}): Session {
    let stored: StoredSession
    try {
      stored = StoredSession.decode(bytes)
    } catch (err) {
      throw new EncodingError(`stored session: ${(err as Error).message}`)
    }
    if (stored.version !== SESSION_STATE_VERSION) throw new EncodingError(`stored session: unknown version ${stored.version}`)
    if (stored.peerIdentityKey.length !== 32) throw new InvalidInputError('stored session: peer identity key must be 32 bytes')
    const ratchet = Ratchet.deserialize(prims, stored.ratchet, options)
    return new Session(prims, identity, ratchet, stored.peerIdentityKey, stored.baseKey, stored.initiator)
  }
}
