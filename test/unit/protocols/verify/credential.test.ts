import fc from 'fast-check'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { Identity, nativePrimitives, noblePrimitives } from '../../../../src/crypto/index.js'
import { peerIdString } from '../../../../src/protocols/peer-id.js'
import {
  CLOCK_SKEW,
  CREDENTIAL_SIGNATURE_LABEL,
  CREDENTIAL_VERSION,
  Credential,
  DEFAULT_CREDENTIAL_TTL,
  MAX_CREDENTIAL_BYTES,
  SOFTWARE_AGENT_LEVEL,
  credentialSigningInput,
  decodeCredential,
  isCredentialValid,
  issueCredential,
  verifyCredential
} from '../../../../src/protocols/verify/index.js'
import type { Primitives } from '../../../../src/crypto/index.js'
import type { VerifyCredentialOptions } from '../../../../src/protocols/verify/index.js'

const T = 1_700_000_000_000
const DAY = 24 * 60 * 60 * 1000

/** issuer seed 32 × 0x2a, subject seed 32 × 0x07, "software-agent", issuedAt T, default ttl */
const KAT_SIGNING_INPUT =
  '6167656e746d73672f76312f63726564656e7469616c00' +
  '0801' +
  '1226002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c' +
  '1a26002408011220197f6b23e16c8532c6abc838facd5ea789be0c76b2920334039bfa8b3d368d61' +
  '220e736f6674776172652d6167656e74' +
  '2880d095ffbc31' +
  '3080e090d3c631'
const KAT_CREDENTIAL = KAT_SIGNING_INPUT.slice(46) +
  '7a40' +
  '66cacd1117ccc1949bf5f66a9ccbfce8aefff9b95450e8a0e9aac98083c82a88' +
  '2bfb6b9ce385fcf82cc86039a64ffaea0f06ff91ea533d406a8880e4af575a0a'

/** The `name` of what `fn` throws, or 'returned' if it does not. */
function thrownName (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return (err as Error).name
  }
  return 'returned'
}

function flipBit (bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice()
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b))
}

describe.each([nativePrimitives, noblePrimitives])('credential ($name)', (prims: Primitives) => {
  const issuer = Identity.generate(prims)
  const agent = Identity.generate(prims)
  const mallory = Identity.generate(prims)
  const issuerId = peerIdString(issuer.peerId)
  const agentId = peerIdString(agent.peerId)

  const issue = (extra: { issuedAt?: number, ttlMs?: number, level?: string } = {}): ReturnType<typeof issueCredential> =>
    issueCredential(prims, issuer, { subject: agentId, level: SOFTWARE_AGENT_LEVEL, issuedAt: T, ...extra })

  const opts = (extra: Partial<VerifyCredentialOptions> = {}): VerifyCredentialOptions =>
    ({ trustedIssuers: [issuerId], subject: agentId, now: T + DAY, ...extra })

  /** Encodes `credential` signed by `signer`, whatever it says. */
  const signAs = (signer: Identity, credential: Credential): Uint8Array =>
    Credential.encode({ ...credential, signature: signer.sign(prims, credentialSigningInput(credential)).slice() })

  it('round trip: issues, decodes and verifies, keeping every field', () => {
    const { credential, bytes } = issue()
    expect(credential).toMatchObject({
      version: CREDENTIAL_VERSION,
      subject: agent.peerId,
      issuer: issuer.peerId,
      level: 'software-agent',
      issuedAt: T,
      expiresAt: T + DEFAULT_CREDENTIAL_TTL
    })
    expect(decodeCredential(bytes)).toEqual(credential)
    const verified = verifyCredential(prims, bytes, opts())
    expect(verified).toEqual({
      subject: agentId,
      issuer: issuerId,
      level: 'software-agent',
      issuedAt: T,
      expiresAt: T + 30 * DAY,
      bytes
    })
    // the decoded object, subject as bytes, a Set of issuers, no subject at all
    expect(verifyCredential(prims, credential, opts({ subject: agent.peerId, trustedIssuers: new Set([issuerId]) }))).toEqual(verified)
    expect(verifyCredential(prims, bytes, opts({ subject: undefined }))).toEqual(verified)
    expect(isCredentialValid(prims, bytes, opts())).toBe(true)
  })

  it('accepts subject and trusted issuers in any PeerId string form libp2p parses', () => {
    const { bytes } = issue({ ttlMs: 1000 })
    const cid = (id: string): string => peerIdFromString(id).toCID().toString()
    expect(verifyCredential(prims, bytes, opts({ trustedIssuers: [cid(issuerId)], subject: cid(agentId), now: T })).issuer).toBe(issuerId)
  })

  it('signs "agentmsg/v1/credential\\0" || the encoding without the signature', () => {
    const { credential, bytes } = issue()
    const input = credentialSigningInput(credential)
    expect(CREDENTIAL_SIGNATURE_LABEL).toHaveLength(23)
    expect(Buffer.from(input.subarray(0, 23)).toString('hex')).toBe('6167656e746d73672f76312f63726564656e7469616c00')
    // signature is the last field: the signed body is the bytes without `7a 40 || signature`
    expect(input.subarray(23)).toEqual(bytes.subarray(0, bytes.length - 66))
    expect(bytes.subarray(bytes.length - 66, bytes.length - 64)).toEqual(Uint8Array.of(0x7a, 0x40))
    expect(prims.ed25519Verify(issuer.publicKey, input, credential.signature)).toBe(true)
    expect(bytes.length).toBeLessThanOrEqual(200)
  })

  it('known answer: the worked example of docs/protocol.md §19.5', () => {
    const kIssuer = Identity.fromPrivateKey(prims, new Uint8Array(32).fill(0x2a))
    const kSubject = Identity.fromPrivateKey(prims, new Uint8Array(32).fill(0x07))
    const { credential, bytes } = issueCredential(prims, kIssuer, { subject: kSubject.peerId, level: 'software-agent', issuedAt: T })
    expect(credential.expiresAt).toBe(1_702_592_000_000)
    expect(Buffer.from(credentialSigningInput(credential)).toString('hex')).toBe(KAT_SIGNING_INPUT)
    expect(Buffer.from(bytes).toString('hex')).toBe(KAT_CREDENTIAL)
    const verified = verifyCredential(prims, Buffer.from(KAT_CREDENTIAL, 'hex'), {
      trustedIssuers: ['12D3KooWBXu3uGPMkjjxViK6autSnFH5QaKJgTwW8CaSxYSD6yYL'],
      subject: '12D3KooWRawPbxPtP1eZaJpumGnyWX2DcUyd3RQnydr3eAto4Az7',
      now: T
    })
    expect(verified.level).toBe('software-agent')
  })

  it('defaults issuedAt to now and the ttl to 30 days', () => {
    const before = Date.now()
    const { credential } = issueCredential(prims, issuer, { subject: agent.peerId, level: SOFTWARE_AGENT_LEVEL })
    expect(credential.issuedAt).toBeGreaterThanOrEqual(before)
    expect(credential.issuedAt).toBeLessThanOrEqual(Date.now())
    expect(credential.expiresAt - credential.issuedAt).toBe(DEFAULT_CREDENTIAL_TTL)
    expect(DEFAULT_CREDENTIAL_TTL).toBe(30 * DAY)
    expect(isCredentialValid(prims, issueCredential(prims, issuer, { subject: agentId, level: SOFTWARE_AGENT_LEVEL }).bytes, opts({ now: undefined }))).toBe(true)
  })

  it('a bit flip anywhere is refused, as a forgery unless the flip breaks something checked first', () => {
    const { bytes } = issue()
    const options = opts()
    const names = new Map<string, number>()
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = flipBit(bytes, bit)
      const name = thrownName(() => verifyCredential(prims, flipped, options))
      names.set(name, (names.get(name) ?? 0) + 1)
      let expected = 'CredentialSignatureError'
      let decoded: Credential | undefined
      try {
        decoded = decodeCredential(flipped)
      } catch {
        expected = 'CredentialEncodingError'
      }
      if (decoded != null) {
        if (!equal(decoded.subject, agent.peerId)) expected = 'WrongSubjectError'
        else if (!equal(decoded.issuer, issuer.peerId)) expected = 'UntrustedIssuerError'
        else if (options.now! < decoded.issuedAt - CLOCK_SKEW || options.now! >= decoded.expiresAt + CLOCK_SKEW) expected = 'CredentialExpiredError'
      }
      expect(name, `bit ${bit}`).toBe(expected)
    }
    expect(names.get('returned')).toBeUndefined()
    // every signature bit, and the level and time bits that still decode
    expect(names.get('CredentialSignatureError')).toBeGreaterThan(64 * 8)
  })

  it('refuses an expired credential, with the clock skew allowed for', () => {
    const { bytes, credential } = issue({ ttlMs: DAY })
    const end = credential.expiresAt
    expect(isCredentialValid(prims, bytes, opts({ now: end - 1, clockSkewMs: 0 }))).toBe(true)
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ now: end, clockSkewMs: 0 })))).toBe('CredentialExpiredError')
    expect(isCredentialValid(prims, bytes, opts({ now: end + CLOCK_SKEW - 1 }))).toBe(true)
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ now: end + CLOCK_SKEW })))).toBe('CredentialExpiredError')
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ now: end + 365 * DAY })))).toBe('CredentialExpiredError')
  })

  it('refuses a credential that is not valid yet (issued in the future beyond the skew)', () => {
    const { bytes } = issue()
    expect(isCredentialValid(prims, bytes, opts({ now: T - CLOCK_SKEW }))).toBe(true)
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ now: T - CLOCK_SKEW - 1 })))).toBe('CredentialExpiredError')
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ now: T - 1, clockSkewMs: 0 })))).toBe('CredentialExpiredError')
    expect(isCredentialValid(prims, bytes, opts({ now: T - 10_000, clockSkewMs: 10_000 }))).toBe(true)
  })

  it('refuses a credential about another agent', () => {
    const { bytes } = issue()
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ subject: peerIdString(mallory.peerId) })))).toBe('WrongSubjectError')
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ subject: mallory.peerId })))).toBe('WrongSubjectError')
    expect(isCredentialValid(prims, bytes, opts({ subject: issuer.peerId }))).toBe(false)
  })

  it('refuses an issuer that is not trusted', () => {
    const { bytes } = issue()
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ trustedIssuers: [peerIdString(mallory.peerId)] })))).toBe('UntrustedIssuerError')
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ trustedIssuers: [] })))).toBe('UntrustedIssuerError')
    // a self-issued credential from an untrusted key
    const self = issueCredential(prims, mallory, { subject: mallory.peerId, level: SOFTWARE_AGENT_LEVEL, issuedAt: T })
    expect(thrownName(() => verifyCredential(prims, self.bytes, opts({ subject: mallory.peerId })))).toBe('UntrustedIssuerError')
  })

  it('refuses a credential re-signed by an untrusted key that claims a trusted issuer', () => {
    const { credential } = issue()
    const forged = signAs(mallory, { ...credential, subject: mallory.peerId.slice(), signature: new Uint8Array(0) })
    expect(decodeCredential(forged).issuer).toEqual(issuer.peerId)
    expect(thrownName(() => verifyCredential(prims, forged, opts({ subject: mallory.peerId })))).toBe('CredentialSignatureError')
    expect(isCredentialValid(prims, forged, opts({ subject: mallory.peerId }))).toBe(false)
    // a signature lifted from another credential of the same issuer does not carry over
    const other = issue({ ttlMs: 2 * DAY })
    const swapped = Credential.encode({ ...credential, signature: other.credential.signature })
    expect(thrownName(() => verifyCredential(prims, swapped, opts()))).toBe('CredentialSignatureError')
  })

  it('refuses oversize, empty, truncated, padded and garbage bytes before any other check', () => {
    const { bytes } = issue()
    const big = new Uint8Array(MAX_CREDENTIAL_BYTES + 1)
    big.set(bytes)
    expect(thrownName(() => decodeCredential(big))).toBe('CredentialEncodingError')
    expect(thrownName(() => verifyCredential(prims, big, opts()))).toBe('CredentialEncodingError')
    expect(thrownName(() => verifyCredential(prims, new Uint8Array(0), opts()))).toBe('CredentialEncodingError')
    expect(thrownName(() => verifyCredential(prims, bytes.subarray(0, bytes.length - 1), opts()))).toBe('CredentialEncodingError')
    expect(thrownName(() => verifyCredential(prims, Uint8Array.of(...bytes, 0), opts()))).toBe('CredentialEncodingError')
    expect(thrownName(() => decodeCredential('credential' as unknown as Uint8Array))).toBe('CredentialEncodingError')
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2 * MAX_CREDENTIAL_BYTES }), (garbage) => {
      expect(thrownName(() => verifyCredential(prims, garbage, opts()))).toBe('CredentialEncodingError')
      expect(isCredentialValid(prims, garbage, opts())).toBe(false)
    }), { numRuns: 200 })
  })

  it('refuses a version other than 1, even when correctly signed', () => {
    const { credential } = issue()
    for (const version of [0, 2, 255]) {
      const bytes = signAs(issuer, { ...credential, version, signature: new Uint8Array(0) })
      expect(thrownName(() => decodeCredential(bytes)), `version ${version}`).toBe('CredentialEncodingError')
      expect(thrownName(() => verifyCredential(prims, bytes, opts())), `version ${version}`).toBe('CredentialEncodingError')
    }
  })

  it('refuses non-canonical encodings: unknown fields, duplicated fields, defaults written out', () => {
    const { credential, bytes } = issue()
    // unknown field 7 (varint 1) between expiresAt and the signature
    const body = bytes.subarray(0, bytes.length - 66)
    const unknown = Uint8Array.of(...body, 0x38, 0x01, ...bytes.subarray(bytes.length - 66))
    expect(Credential.decode(unknown)).toEqual(credential)
    expect(thrownName(() => verifyCredential(prims, unknown, opts()))).toBe('CredentialEncodingError')
    // version written twice
    const twice = Uint8Array.of(0x08, 0x01, ...bytes)
    expect(thrownName(() => verifyCredential(prims, twice, opts()))).toBe('CredentialEncodingError')
  })

  it('refuses fields of the wrong length or form, even when correctly signed', () => {
    const { credential } = issue()
    const signed = (edit: Partial<Credential>): Uint8Array => signAs(issuer, { ...credential, ...edit, signature: new Uint8Array(0) })
    const sha256PeerId = Uint8Array.of(0x12, 0x20, ...new Uint8Array(32).fill(7))
    const cases: Array<[string, Uint8Array]> = [
      ['subject not an Ed25519 PeerId', signed({ subject: sha256PeerId })],
      ['subject missing', signed({ subject: new Uint8Array(0) })],
      ['issuer a bare key', signed({ issuer: issuer.publicKey.slice() })],
      ['level empty', signed({ level: '' })],
      ['level with spaces', signed({ level: 'Software Agent' })],
      ['level too long', signed({ level: 'a'.repeat(33) })],
      ['expiresAt = issuedAt', signed({ expiresAt: T })],
      ['expiresAt before issuedAt', signed({ expiresAt: T - 1 })],
      ['signature 63 bytes', Credential.encode({ ...credential, signature: credential.signature.slice(0, 63) })],
      ['signature missing', Credential.encode({ ...credential, signature: new Uint8Array(0) })]
    ]
    for (const [what, bytes] of cases) {
      expect(thrownName(() => verifyCredential(prims, bytes, opts({ subject: undefined }))), what).toBe('CredentialEncodingError')
    }
    expect(isCredentialValid(prims, signed({ level: 'a'.repeat(32) }), opts())).toBe(true)
  })

  it('ranks levels for minLevel', () => {
    const { bytes } = issue()
    expect(isCredentialValid(prims, bytes, opts({ minLevel: SOFTWARE_AGENT_LEVEL }))).toBe(true)
    const levels = ['software-agent', 'attested-agent']
    expect(isCredentialValid(prims, bytes, opts({ levels, minLevel: 'software-agent' }))).toBe(true)
    expect(thrownName(() => verifyCredential(prims, bytes, opts({ levels, minLevel: 'attested-agent' })))).toBe('CredentialLevelError')
    expect(isCredentialValid(prims, issue({ level: 'attested-agent' }).bytes, opts({ levels, minLevel: 'software-agent' }))).toBe(true)
    // a level the verifier cannot rank meets no minLevel, and any level passes without one
    const odd = issue({ level: 'unheard-of' }).bytes
    expect(thrownName(() => verifyCredential(prims, odd, opts({ minLevel: SOFTWARE_AGENT_LEVEL })))).toBe('CredentialLevelError')
    expect(verifyCredential(prims, odd, opts()).level).toBe('unheard-of')
  })

  it('throws InvalidInputError for unusable options, from isCredentialValid too', () => {
    const { bytes } = issue()
    const misuse: Array<Partial<VerifyCredentialOptions>> = [
      { trustedIssuers: ['not-a-peer-id'] },
      { trustedIssuers: issuerId as unknown as string[] },
      { subject: 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N' }, // a SHA-256 (RSA) PeerId
      { subject: new Uint8Array(38) },
      { minLevel: 'no-such-level' },
      { now: Number.NaN },
      { clockSkewMs: -1 }
    ]
    for (const extra of misuse) {
      expect(thrownName(() => verifyCredential(prims, bytes, opts(extra))), JSON.stringify(extra)).toBe('InvalidInputError')
      expect(thrownName(() => isCredentialValid(prims, bytes, opts(extra))), JSON.stringify(extra)).toBe('InvalidInputError')
    }
  })

  it('issueCredential refuses fields that would not verify', () => {
    const cases: Array<[string, Parameters<typeof issueCredential>[2]]> = [
      ['subject garbage', { subject: 'nope', level: SOFTWARE_AGENT_LEVEL }],
      ['subject bare key', { subject: agent.publicKey, level: SOFTWARE_AGENT_LEVEL }],
      ['level', { subject: agentId, level: 'Software_Agent' }],
      ['ttl 0', { subject: agentId, level: SOFTWARE_AGENT_LEVEL, ttlMs: 0 }],
      ['ttl negative', { subject: agentId, level: SOFTWARE_AGENT_LEVEL, ttlMs: -DAY }],
      ['ttl fractional', { subject: agentId, level: SOFTWARE_AGENT_LEVEL, ttlMs: 1.5 }],
      ['issuedAt negative', { subject: agentId, level: SOFTWARE_AGENT_LEVEL, issuedAt: -1 }],
      ['expiresAt past 2^53', { subject: agentId, level: SOFTWARE_AGENT_LEVEL, issuedAt: Number.MAX_SAFE_INTEGER - 10, ttlMs: DAY }]
    ]
    for (const [what, fields] of cases) {
      expect(thrownName(() => issueCredential(prims, issuer, fields)), what).toBe('CredentialEncodingError')
    }
  })
})

describe('credential across primitives', () => {
  it('native and noble issue the same bytes and accept each other\'s', () => {
    const seed = new Uint8Array(32).fill(42)
    const fields = { subject: Identity.generate(nativePrimitives).peerId, level: SOFTWARE_AGENT_LEVEL, issuedAt: T }
    const native = issueCredential(nativePrimitives, Identity.fromPrivateKey(nativePrimitives, seed), fields)
    const noble = issueCredential(noblePrimitives, Identity.fromPrivateKey(noblePrimitives, seed), fields)
    expect(native.bytes).toEqual(noble.bytes)
    const options = { trustedIssuers: [peerIdString(native.credential.issuer)], now: T }
    expect(verifyCredential(noblePrimitives, native.bytes, options)).toEqual(verifyCredential(nativePrimitives, noble.bytes, options))
  })
})
