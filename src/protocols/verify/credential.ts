/**
 * Agent credentials as pure functions: issue, decode, verify. No I/O here;
 * the speed challenge that earns one, verified dens and trust levels all
 * call into this file, so a credential means the same thing everywhere.
 *
 * ## Signature
 *
 * ```
 * signature = Ed25519(issuer, utf8("agentmsg/v1/credential\0") || Credential.encode(credential with signature = empty))
 * ```
 *
 * protons writes fields in field-number order and leaves out every field
 * that holds its default, so one credential has exactly one encoding. A
 * verifier decodes the bytes, encodes them again and requires the result to
 * equal what it received (anything else is a `CredentialEncodingError`);
 * it then re-encodes without the signature to get the signed bytes. A new
 * field therefore needs a new `version`.
 *
 * ## Order of checks
 *
 * Cheap first, the signature last, so that a flood of credentials from
 * issuers we do not trust costs no signature verification:
 *
 * 1. the caller's options (a misuse throws `InvalidInputError`)
 * 2. size ≤ MAX_CREDENTIAL_BYTES, protobuf, `version`, canonical encoding,
 *    field forms (`decodeCredential`) — `CredentialEncodingError`
 * 3. `subject` is the expected agent, when given — `WrongSubjectError`
 * 4. `issuer` is trusted — `UntrustedIssuerError`
 * 5. `issuedAt - skew ≤ now < expiresAt + skew` — `CredentialExpiredError`
 * 6. `level` ranks at least `minLevel`, when given — `CredentialLevelError`
 * 7. the signature verifies under the issuer's key — `CredentialSignatureError`
 *
 * So a forgery that is also expired reports `CredentialExpiredError`: the
 * error says why the credential was refused, not every reason it could be.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidInputError, publicKeyFromPeerIdBytes } from '../../crypto/index.js'
import { equalBytes } from '../../crypto/bytes.js'
import { peerIdString } from '../peer-id.js'
import { Credential } from './credential.pb.js'
import {
  CLOCK_SKEW,
  CREDENTIAL_LEVELS,
  CREDENTIAL_SIGNATURE_LABEL,
  CREDENTIAL_VERSION,
  DEFAULT_CREDENTIAL_TTL,
  MAX_CREDENTIAL_BYTES,
  MAX_CREDENTIAL_LEVEL_LENGTH
} from './constants.js'
import {
  CredentialEncodingError,
  CredentialError,
  CredentialExpiredError,
  CredentialLevelError,
  CredentialSignatureError,
  UntrustedIssuerError,
  WrongSubjectError
} from './errors.js'
import type { Identity, Primitives } from '../../crypto/index.js'

export { Credential }

/** What an issuer states about a subject, before it is signed. */
export interface CredentialFields {
  /** the credentialed agent: PeerId bytes or PeerId string */
  subject: Uint8Array | string
  /** e.g. `"software-agent"`: 1 to 32 bytes, lowercase words joined by single hyphens */
  level: string
  /**
   * Milliseconds since the Unix epoch.
   *
   * @default Date.now()
   */
  issuedAt?: number
  /**
   * How long the credential is valid for: `expiresAt = issuedAt + ttlMs`.
   *
   * @default DEFAULT_CREDENTIAL_TTL (30 days)
   */
  ttlMs?: number
}

/** A credential with the exact bytes that were signed and travel. */
export interface SignedCredential {
  credential: Credential
  bytes: Uint8Array
}

export interface VerifyCredentialOptions {
  /** PeerId strings of the issuers whose credentials count; empty trusts no one */
  trustedIssuers: readonly string[] | ReadonlySet<string>
  /** the agent that must be the subject (the sender, the poster): PeerId string or bytes */
  subject?: string | Uint8Array
  /**
   * Milliseconds since the Unix epoch.
   *
   * @default Date.now()
   */
  now?: number
  /**
   * How far the issuer's clock may be off ours, on either end of the window.
   *
   * @default CLOCK_SKEW (5 minutes)
   */
  clockSkewMs?: number
  /** refuse credentials whose level ranks below this one in `levels` */
  minLevel?: string
  /**
   * Levels, weakest first, for `minLevel`.
   *
   * @default CREDENTIAL_LEVELS
   */
  levels?: readonly string[]
}

/** What a verified credential establishes. */
export interface VerifiedCredential {
  /** PeerId string of the credentialed agent */
  subject: string
  /** PeerId string of the (trusted) issuer */
  issuer: string
  level: string
  issuedAt: number
  expiresAt: number
  /** the canonical encoding, e.g. to put in an agent card's `credentials` */
  bytes: Uint8Array
}

const SIGNATURE_LABEL = new TextEncoder().encode(CREDENTIAL_SIGNATURE_LABEL)
const SIGNATURE_LENGTH = 64
const LEVEL_FORM = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** `"agentmsg/v1/credential\0" || encoding of the credential without its signature` */
export function credentialSigningInput (credential: Credential): Uint8Array {
  const body = Credential.encode({ ...credential, signature: new Uint8Array(0) })
  const out = new Uint8Array(SIGNATURE_LABEL.length + body.length)
  out.set(SIGNATURE_LABEL, 0)
  out.set(body, SIGNATURE_LABEL.length)
  return out
}

/**
 * Signs a credential for `fields.subject` with the issuer's identity. The
 * result is checked as any verifier would check it (trusting this issuer),
 * so a credential that others would refuse is never returned.
 *
 * @throws CredentialEncodingError - the fields do not fit the limits
 */
export function issueCredential (prims: Primitives, issuer: Identity, fields: CredentialFields): SignedCredential {
  let subject: Uint8Array
  try {
    subject = peerIdBytes(fields.subject, 'credential subject')
  } catch (err) {
    throw new CredentialEncodingError((err as Error).message, { cause: err })
  }
  checkLevel(fields.level)
  const issuedAt = fields.issuedAt ?? Date.now()
  const ttlMs = fields.ttlMs ?? DEFAULT_CREDENTIAL_TTL
  if (!Number.isSafeInteger(issuedAt) || issuedAt < 0) {
    throw new CredentialEncodingError(`credential issuedAt: expected a non-negative safe integer, got ${issuedAt}`)
  }
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new CredentialEncodingError(`credential ttlMs: expected a positive safe integer, got ${ttlMs}`)
  }
  const expiresAt = issuedAt + ttlMs
  if (!Number.isSafeInteger(expiresAt)) {
    throw new CredentialEncodingError(`credential expiresAt: ${issuedAt} + ${ttlMs} is past 2^53 - 1`)
  }
  const credential: Credential = {
    version: CREDENTIAL_VERSION,
    subject: subject.slice(),
    issuer: issuer.peerId.slice(),
    level: fields.level,
    issuedAt,
    expiresAt,
    signature: new Uint8Array(0)
  }
  credential.signature = issuer.sign(prims, credentialSigningInput(credential)).slice()
  const bytes = Credential.encode(credential)
  verifyCredential(prims, bytes, { trustedIssuers: [peerIdString(issuer.peerId)], now: issuedAt, clockSkewMs: 0 })
  return { credential, bytes }
}

/**
 * Decodes within the credential limits, without checking the signature,
 * the issuer or the time: size, protobuf, version, canonical encoding,
 * `subject` and `issuer` Ed25519 PeerIds, `level` form, both times safe
 * integers with `issuedAt < expiresAt`, a 64-byte signature.
 *
 * @throws CredentialEncodingError
 */
export function decodeCredential (bytes: Uint8Array): Credential {
  if (!(bytes instanceof Uint8Array)) {
    throw new CredentialEncodingError('credential: expected Uint8Array')
  }
  if (bytes.length > MAX_CREDENTIAL_BYTES) {
    throw new CredentialEncodingError(`credential: ${bytes.length} bytes exceeds ${MAX_CREDENTIAL_BYTES}`)
  }
  let credential: Credential
  try {
    credential = Credential.decode(bytes)
  } catch (err) {
    throw new CredentialEncodingError('credential: malformed protobuf', { cause: err })
  }
  if (credential.version !== CREDENTIAL_VERSION) {
    throw new CredentialEncodingError(`credential: unknown version ${credential.version}`)
  }
  if (!equalBytes(Credential.encode(credential), bytes)) {
    throw new CredentialEncodingError('credential: not in canonical encoding')
  }
  for (const what of ['subject', 'issuer'] as const) {
    try {
      publicKeyFromPeerIdBytes(credential[what])
    } catch (err) {
      throw new CredentialEncodingError(`credential ${what}: not an Ed25519 PeerId`, { cause: err })
    }
  }
  checkLevel(credential.level)
  const { issuedAt, expiresAt } = credential
  if (!Number.isSafeInteger(issuedAt) || !Number.isSafeInteger(expiresAt)) {
    throw new CredentialEncodingError('credential: issuedAt and expiresAt must be at most 2^53 - 1')
  }
  if (expiresAt <= issuedAt) {
    throw new CredentialEncodingError(`credential: expiresAt ${expiresAt} is not after issuedAt ${issuedAt}`)
  }
  if (credential.signature.length !== SIGNATURE_LENGTH) {
    throw new CredentialEncodingError(`credential signature: expected ${SIGNATURE_LENGTH} bytes, got ${credential.signature.length}`)
  }
  return credential
}

/**
 * Everything a verifier checks, in the order of this file's header. Pass
 * the bytes as received; a `Credential` object is encoded and then checked
 * exactly like bytes.
 *
 * @throws CredentialEncodingError | WrongSubjectError | UntrustedIssuerError |
 *   CredentialExpiredError | CredentialLevelError | CredentialSignatureError
 * @throws InvalidInputError - the options are not usable (a trusted issuer or
 *   subject that is not an Ed25519 PeerId, an unknown `minLevel`, a bad clock)
 */
export function verifyCredential (prims: Primitives, input: Uint8Array | Credential, options: VerifyCredentialOptions): VerifiedCredential {
  const expectedSubject = options.subject == null ? undefined : peerIdBytes(options.subject, 'expected subject')
  const trusted = new Set<string>()
  if (options.trustedIssuers == null || typeof options.trustedIssuers === 'string') {
    throw new InvalidInputError('trustedIssuers: expected a list of PeerId strings')
  }
  for (const issuer of options.trustedIssuers) trusted.add(canonicalPeerId(issuer, 'trusted issuer'))
  const now = options.now ?? Date.now()
  const skew = options.clockSkewMs ?? CLOCK_SKEW
  if (!Number.isFinite(now)) {
    throw new InvalidInputError(`now: expected a finite number, got ${now}`)
  }
  if (!Number.isFinite(skew) || skew < 0) {
    throw new InvalidInputError(`clockSkewMs: expected a non-negative finite number, got ${skew}`)
  }
  const levels = options.levels ?? CREDENTIAL_LEVELS
  const minRank = options.minLevel == null ? -1 : levels.indexOf(options.minLevel)
  if (options.minLevel != null && minRank < 0) {
    throw new InvalidInputError(`minLevel: "${options.minLevel}" is not one of ${levels.join(', ')}`)
  }

  let bytes: Uint8Array
  if (input instanceof Uint8Array) {
    bytes = input
  } else {
    try {
      bytes = Credential.encode(input)
    } catch (err) {
      throw new CredentialEncodingError('credential: cannot be encoded', { cause: err })
    }
  }
  const credential = decodeCredential(bytes)

  if (expectedSubject != null && !equalBytes(credential.subject, expectedSubject)) {
    throw new WrongSubjectError('credential: about another agent than expected')
  }
  const issuer = peerIdString(credential.issuer)
  if (!trusted.has(issuer)) {
    throw new UntrustedIssuerError(`credential: issuer ${issuer} is not trusted`)
  }
  if (now < credential.issuedAt - skew) {
    throw new CredentialExpiredError(`credential: not valid for another ${credential.issuedAt - now} ms`)
  }
  if (now >= credential.expiresAt + skew) {
    throw new CredentialExpiredError(`credential: expired ${now - credential.expiresAt} ms ago`)
  }
  if (minRank >= 0 && levels.indexOf(credential.level) < minRank) {
    throw new CredentialLevelError(`credential: level "${credential.level}" is below "${options.minLevel}"`)
  }
  if (!prims.ed25519Verify(publicKeyFromPeerIdBytes(credential.issuer), credentialSigningInput(credential), credential.signature)) {
    throw new CredentialSignatureError('credential: signature does not verify against its issuer')
  }
  return {
    subject: peerIdString(credential.subject),
    issuer,
    level: credential.level,
    issuedAt: credential.issuedAt,
    expiresAt: credential.expiresAt,
    bytes: bytes.slice()
  }
}

/**
 * `verifyCredential` as a boolean: false for any reason a credential is
 * refused. A misuse of the options still throws `InvalidInputError`.
 */
export function isCredentialValid (prims: Primitives, input: Uint8Array | Credential, options: VerifyCredentialOptions): boolean {
  try {
    verifyCredential(prims, input, options)
    return true
  } catch (err) {
    if (err instanceof CredentialError) return false
    throw err
  }
}

function checkLevel (level: unknown): void {
  if (typeof level !== 'string' || level.length > MAX_CREDENTIAL_LEVEL_LENGTH || !LEVEL_FORM.test(level)) {
    throw new CredentialEncodingError(`credential level: expected 1 to ${MAX_CREDENTIAL_LEVEL_LENGTH} characters of lowercase words joined by "-"`)
  }
}

/** PeerId bytes of an Ed25519 PeerId given as bytes or string. @throws InvalidInputError */
function peerIdBytes (value: string | Uint8Array, what: string): Uint8Array {
  let bytes: Uint8Array
  if (typeof value === 'string') {
    try {
      bytes = peerIdFromString(value).toMultihash().bytes
    } catch (err) {
      throw new InvalidInputError(`${what}: not a PeerId`, { cause: err })
    }
  } else {
    bytes = value
  }
  try {
    publicKeyFromPeerIdBytes(bytes)
  } catch (err) {
    throw new InvalidInputError(`${what}: not an Ed25519 PeerId`, { cause: err })
  }
  return bytes
}

/** Trusted-issuer lists come from config and are checked on every call: remember the answers. */
const canonical = new Map<string, string>()
const MAX_CACHED = 1024

/** The base58btc form of an Ed25519 PeerId string in any form libp2p parses. @throws InvalidInputError */
function canonicalPeerId (value: string, what: string): string {
  if (typeof value !== 'string') {
    throw new InvalidInputError(`${what}: expected a PeerId string, got ${typeof value}`)
  }
  let id = canonical.get(value)
  if (id == null) {
    id = peerIdString(peerIdBytes(value, what))
    if (canonical.size >= MAX_CACHED) canonical.clear()
    canonical.set(value, id)
  }
  return id
}
