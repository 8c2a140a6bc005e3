/**
 * Agent cards as pure functions: sign, verify, compare, and the kad-dht
 * validator and selector for card records. No I/O here.
 *
 * ## Signature
 *
 * ```
 * signature = Ed25519(identity, utf8("agentmsg/v1/card") || AgentCard.encode(card with signature = empty))
 * ```
 *
 * protons writes fields in field-number order and leaves out every field
 * that holds its default (0, "", empty bytes, empty list), so one card has
 * exactly one encoding. A verifier decodes the bytes, encodes the card again
 * and requires the result to equal what it received (anything else — fields
 * out of order, defaults written out, unknown fields, a duplicated field — is
 * a `CardEncodingError`); it then re-encodes without the signature to get the
 * signed bytes. A new field therefore needs a new `version`.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { InvalidInputError, SignatureError, publicKeyFromPeerIdBytes, verifySignedPrekey } from '../../crypto/index.js'
import { AgentCard } from './card.pb.js'
import {
  CARD_DECODE_LIMITS,
  CARD_KEY_PREFIX,
  CARD_MAX_AGE, CARD_MAX_CLOCK_SKEW,
  CARD_SIGNATURE_LABEL,
  CARD_VERSION,
  MAX_CARD_BYTES
} from './constants.js'
import { CardEncodingError, CardExpiredError, CardSignatureError } from './errors.js'
import { equalBytes } from '../../crypto/bytes.js'
import type { Identity, Primitives, SignedPrekeyPublic } from '../../crypto/index.js'
import type { PeerId } from '@libp2p/interface'

export { AgentCard }

/** A2A (Agent2Agent v1.0) `AgentSkill` */
export type AgentSkill = AgentCard.Skill

export interface CardRelay {
  /** the relay's PeerId bytes */
  peerId: Uint8Array
  /** binary multiaddrs (`multiaddr.bytes`) */
  addrs: Uint8Array[]
}

/** What a card says, before it is signed. */
export interface CardFields {
  name: string
  description?: string
  signedPrekey: SignedPrekeyPublic
  relays?: CardRelay[]
  /** "open" | "verified" | "contacts" (DESIGN §5) */
  inboxPolicy?: string
  credentials?: Uint8Array[]
  skills?: Array<Pick<AgentSkill, 'id' | 'name'> & Partial<AgentSkill>>
  /**
   * Must grow with every change: the DHT keeps the highest.
   *
   * @default issuedAt — a clock-based sequence needs no counter on disk
   */
  seq?: number
  /**
   * Milliseconds since the Unix epoch.
   *
   * @default Date.now()
   */
  issuedAt?: number
}

/** A card with the exact bytes that were signed and travel. */
export interface SignedCard {
  card: AgentCard
  bytes: Uint8Array
}

const encoder = new TextEncoder()
const SIGNATURE_LABEL = encoder.encode(CARD_SIGNATURE_LABEL)
const KEY_PREFIX = encoder.encode(CARD_KEY_PREFIX)

/** `"agentmsg/v1/card" || encoding of the card without its signature` */
export function cardSigningInput (card: AgentCard): Uint8Array {
  const body = AgentCard.encode({ ...card, signature: new Uint8Array(0) })
  const out = new Uint8Array(SIGNATURE_LABEL.length + body.length)
  out.set(SIGNATURE_LABEL, 0)
  out.set(body, SIGNATURE_LABEL.length)
  return out
}

/**
 * Signs a card with our identity. The result is checked as any receiver
 * would check it, so a card that others would refuse is never returned.
 *
 * @throws CardEncodingError - the fields do not fit the limits
 */
export function signCard (prims: Primitives, identity: Identity, fields: CardFields): SignedCard {
  const issuedAt = fields.issuedAt ?? Date.now()
  const seq = fields.seq ?? issuedAt
  for (const [what, n] of [['issuedAt', issuedAt], ['seq', seq]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new CardEncodingError(`card ${what}: expected a non-negative safe integer, got ${n}`)
    }
  }
  const card: AgentCard = {
    version: CARD_VERSION,
    peerId: identity.peerId.slice(),
    name: fields.name,
    description: fields.description ?? '',
    signedPrekey: {
      id: fields.signedPrekey.id,
      publicKey: fields.signedPrekey.publicKey.slice(),
      signature: fields.signedPrekey.signature.slice()
    },
    relays: (fields.relays ?? []).map(r => ({ peerId: r.peerId.slice(), addrs: r.addrs.map(a => a.slice()) })),
    inboxPolicy: fields.inboxPolicy ?? '',
    credentials: (fields.credentials ?? []).map(c => c.slice()),
    skills: (fields.skills ?? []).map(s => ({
      id: s.id,
      name: s.name,
      description: s.description ?? '',
      tags: [...(s.tags ?? [])],
      examples: [...(s.examples ?? [])],
      inputModes: [...(s.inputModes ?? [])],
      outputModes: [...(s.outputModes ?? [])]
    })),
    seq,
    issuedAt,
    signature: new Uint8Array(0)
  }
  card.signature = identity.sign(prims, cardSigningInput(card)).slice()
  const bytes = AgentCard.encode(card)
  return { card: verifyCard(prims, bytes, identity.peerId), bytes }
}

/**
 * Decodes within the card limits, without checking any signature.
 *
 * @throws CardEncodingError
 */
export function decodeCard (bytes: Uint8Array): AgentCard {
  if (!(bytes instanceof Uint8Array)) {
    throw new CardEncodingError('card: expected Uint8Array')
  }
  if (bytes.length > MAX_CARD_BYTES) {
    throw new CardEncodingError(`card: ${bytes.length} bytes exceeds ${MAX_CARD_BYTES}`)
  }
  let card: AgentCard
  try {
    card = AgentCard.decode(bytes, { limits: CARD_DECODE_LIMITS })
  } catch (err) {
    throw new CardEncodingError('card: malformed protobuf', { cause: err })
  }
  if (card.version !== CARD_VERSION) {
    throw new CardEncodingError(`card: unknown version ${card.version}`)
  }
  if (!equalBytes(AgentCard.encode(card), bytes)) {
    throw new CardEncodingError('card: not in canonical encoding')
  }
  return card
}

/**
 * Everything a receiver checks: size and limits, version, canonical
 * encoding, that `peerId` is an Ed25519 PeerId (and the expected one, when
 * given), the card signature, and the signed prekey's signature.
 *
 * @param expectedPeerId - PeerId bytes the card must belong to
 * @throws CardEncodingError | CardSignatureError
 */
export function verifyCard (prims: Primitives, bytes: Uint8Array, expectedPeerId?: Uint8Array): AgentCard {
  const card = decodeCard(bytes)
  let identityKey: Uint8Array
  try {
    identityKey = publicKeyFromPeerIdBytes(card.peerId)
  } catch (err) {
    throw new CardEncodingError('card: peerId is not an Ed25519 PeerId', { cause: err })
  }
  if (expectedPeerId != null && !equalBytes(card.peerId, expectedPeerId)) {
    throw new CardSignatureError('card: belongs to another peer than expected')
  }
  if (!prims.ed25519Verify(identityKey, cardSigningInput(card), card.signature)) {
    throw new CardSignatureError('card: signature does not verify against its peerId')
  }
  if (card.signedPrekey == null) {
    throw new CardEncodingError('card: no signed prekey')
  }
  try {
    verifySignedPrekey(prims, identityKey, card.signedPrekey)
  } catch (err) {
    if (err instanceof SignatureError) {
      throw new CardSignatureError('card: signed prekey signature does not verify', { cause: err })
    }
    if (err instanceof InvalidInputError) {
      throw new CardEncodingError(`card: ${err.message}`, { cause: err })
    }
    throw err
  }
  return card
}

/** Positive when `a` should win over `b`: higher `seq`, then later `issuedAt`. */
export function compareCards (a: Pick<AgentCard, 'seq' | 'issuedAt'>, b: Pick<AgentCard, 'seq' | 'issuedAt'>): number {
  if (a.seq !== b.seq) return a.seq > b.seq ? 1 : -1
  if (a.issuedAt !== b.issuedAt) return a.issuedAt > b.issuedAt ? 1 : -1
  return 0
}

/** The libp2p PeerId a (verified) card belongs to. */
export function cardPeerId (card: { peerId: Uint8Array }): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKeyFromPeerIdBytes(card.peerId)))
}

/** `utf8("/agentmsg/card/") || peerId` */
export function cardKey (peerId: Uint8Array): Uint8Array {
  const key = new Uint8Array(KEY_PREFIX.length + peerId.length)
  key.set(KEY_PREFIX, 0)
  key.set(peerId, KEY_PREFIX.length)
  return key
}

export function isCardKey (key: Uint8Array): boolean {
  return key.length > KEY_PREFIX.length && equalBytes(key.subarray(0, KEY_PREFIX.length), KEY_PREFIX)
}

/** The PeerId bytes of a card key. @throws CardEncodingError */
export function peerIdFromCardKey (key: Uint8Array): Uint8Array {
  if (!isCardKey(key)) {
    throw new CardEncodingError('card key: expected /agentmsg/card/<peer id bytes>')
  }
  return key.slice(KEY_PREFIX.length)
}

export interface CardRecordValidatorOptions {
  /**
   * Refuse cards issued longer ago than this (ms).
   *
   * @default CARD_MAX_AGE
   */
  maxAge?: number
  /** @default Date.now */
  now?(): number
}

/**
 * A kad-dht `ValidateFn` for card records: the card verifies, belongs to the
 * key's peer, is not older than `maxAge` and not dated more than
 * CARD_MAX_CLOCK_SKEW ahead. kad-dht runs it on every PUT it
 * receives, on every record a GET returns, and on records read back from its
 * own datastore.
 */
export function cardRecordValidator (prims: Primitives, options: CardRecordValidatorOptions = {}): (key: Uint8Array, value: Uint8Array) => void {
  const maxAge = options.maxAge ?? CARD_MAX_AGE
  const now = options.now ?? Date.now
  return (key, value) => {
    const card = verifyCard(prims, value, peerIdFromCardKey(key))
    if (now() - card.issuedAt > maxAge) {
      throw new CardExpiredError(`card: issued ${now() - card.issuedAt} ms ago, older than ${maxAge} ms`)
    }
    // a card dated ahead would win every selection (seq defaults to issuedAt) until then
    if (card.issuedAt - now() > CARD_MAX_CLOCK_SKEW) {
      throw new CardExpiredError(`card: issued ${card.issuedAt - now()} ms in the future, more than ${CARD_MAX_CLOCK_SKEW} ms`)
    }
  }
}

/**
 * A kad-dht `SelectFn` for card records: the index of the card with the
 * highest `seq` (ties: latest `issuedAt`; then the first). kad-dht validates
 * records before selecting, so this only decodes; anything undecodable loses.
 */
export function cardRecordSelector (): (key: Uint8Array, records: Uint8Array[]) => number {
  return (_key, records) => {
    let best = -1
    let bestCard: AgentCard | undefined
    records.forEach((bytes, i) => {
      let card: AgentCard
      try {
        card = decodeCard(bytes)
      } catch {
        return
      }
      if (bestCard == null || compareCards(card, bestCard) > 0) {
        best = i
        bestCard = card
      }
    })
    return Math.max(best, 0)
  }
}
