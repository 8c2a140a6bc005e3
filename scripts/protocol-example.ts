/**
 * The worked example of docs/protocol.md §11, computed twice: once by hand
 * from the document's formulas (raw primitives, a hand-written protobuf
 * writer, no ratchet or envelope code), once by running `Session` with fixed
 * randomness. The two must agree byte for byte, envelopes and ratchet state
 * alike, or this throws.
 *
 *   npx tsx scripts/protocol-example.ts              writes test/vectors/agentmsg-protocol-example.json
 *   npx tsx scripts/protocol-example.ts --markdown   prints the body of docs/protocol.md §11
 *
 * test/vectors/protocol-example.test.ts recomputes the example with both
 * primitive implementations and compares it with the JSON and the document.
 *
 * The randomness is a fixed sequence: NEVER use these keys for anything.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FORCE_STEP_AFTER as DEFAULT_FORCE_STEP_AFTER } from '../src/crypto/constants.js'
import { nativePrimitives } from '../src/crypto/native.js'
import { noblePrimitives } from '../src/crypto/noble.js'
import { MemoryReplayGuard, verifyEnvelope } from '../src/crypto/envelope.js'
import { Identity } from '../src/crypto/identity.js'
import { generateOneTimePrekeys, generateSignedPrekey } from '../src/crypto/prekeys.js'
import { Session } from '../src/crypto/session.js'
import { SessionState, StoredSession } from '../src/crypto/session-state.pb.js'
import type { KeyPair, Primitives } from '../src/crypto/primitives.js'
import type { PrekeyStore } from '../src/crypto/session.js'

type Hex = string

/** Every private key, in the order the code asks for X25519 key pairs: byte values 03, 04, … */
export const X25519_KEY_USES = [
  'Bob signed prekey SPK (id 1)',
  'Bob one-time prekey OPK (id 100)',
  'Alice X3DH ephemeral key EK',
  'Alice ratchet key A0 (initialisation)',
  'Alice refresh key E_1 (sealing M2)',
  'Alice refresh key E_2 (sealing M3)',
  'Bob ratchet key B1 (DH step on opening M1)',
  'Alice ratchet key A1 (DH step on opening M4)',
  'Bob ratchet key B2 (DH step on opening M5)'
] as const
const FIRST_KEY_BYTE = 0x03

/** Every message's nonce, in the order the code asks for random bytes: byte values a1, a2, … */
export const NONCE_USES = ['M1', 'M2', 'M3', 'M4', 'M5'] as const
const FIRST_NONCE_BYTE = 0xa1

const ALICE_SEED_BYTE = 0x01
const BOB_SEED_BYTE = 0x02
const SPK_ID = 1
const OPK_ID = 100
const FORCE_STEP_AFTER = 1

interface MessageInput { name: string, from: 'alice' | 'bob', to: 'alice' | 'bob', sentAt: number, plaintext: string }
const MESSAGE_INPUTS: MessageInput[] = [
  { name: 'M1', from: 'alice', to: 'bob', sentAt: 1_700_000_000_000, plaintext: 'hello' },
  { name: 'M2', from: 'alice', to: 'bob', sentAt: 1_700_000_001_000, plaintext: 'again' },
  { name: 'M3', from: 'alice', to: 'bob', sentAt: 1_700_000_002_000, plaintext: 'third' },
  { name: 'M4', from: 'bob', to: 'alice', sentAt: 1_700_000_003_000, plaintext: 'hi' },
  { name: 'M5', from: 'alice', to: 'bob', sentAt: 1_700_000_004_000, plaintext: 'bye' }
]

const LABELS = [
  'agentmsg/v1/signed-prekey', 'agentmsg/v1/x3dh', 'agentmsg/v1/ratchet', 'agentmsg/v1/leaf',
  'agentmsg/v1/envelope-id', 'agentmsg/v1/envelope', 'agentmsg/v1/envelope-ad'
]

// ---------------------------------------------------------------- bytes

const hex = (b: Uint8Array): Hex => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
const unhex = (h: Hex): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'))
const fill = (v: number, n: number): Uint8Array => new Uint8Array(n).fill(v)
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const cat = (...p: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(p))
const u8 = (v: number): Uint8Array => Uint8Array.of(v)
const u32 = (v: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v); return b }
const u64 = (v: number): Uint8Array => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(v)); return b }
const lp = (x: Uint8Array): Uint8Array => cat(u32(x.length), x)

// the protobuf subset the document needs: fields in number order, zero/empty implicit fields left out by the caller
function varint (v: number): Uint8Array {
  const out: number[] = []
  let x = BigInt(v)
  while (x >= 0x80n) { out.push(Number((x & 0x7fn) | 0x80n)); x >>= 7n }
  out.push(Number(x))
  return Uint8Array.from(out)
}
const pbVarint = (field: number, v: number): Uint8Array => cat(varint(field << 3), varint(v))
const pbBytes = (field: number, b: Uint8Array): Uint8Array => cat(varint((field << 3) | 2), varint(b.length), b)

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58btc (b: Uint8Array): string {
  let x = BigInt(`0x${hex(b) || '0'}`)
  let out = ''
  while (x > 0n) { out = BASE58[Number(x % 58n)]! + out; x /= 58n }
  for (const byte of b) { if (byte !== 0) break; out = '1' + out }
  return out
}

// ---------------------------------------------------------------- fixed randomness

export interface SeededPrimitives extends Primitives {
  /** how many key pairs and nonces have been handed out */
  readonly used: () => { keys: number, nonces: number }
}

/**
 * `base` with its randomness replaced by fixed sequences: the k-th X25519
 * key pair has the private key `keys[k]` (its public key computed with
 * `base.x25519PublicKey`), the k-th `randomBytes` call returns `nonces[k]`.
 * Running out, or a length other than the one queued, throws.
 */
export function seededPrimitives (base: Primitives, keys: readonly Uint8Array[], nonces: readonly Uint8Array[]): SeededPrimitives {
  let k = 0
  let r = 0
  return {
    ...base,
    randomBytes (length: number): Uint8Array {
      const next = nonces[r++]
      if (next === undefined) throw new Error(`seeded randomBytes: sequence exhausted (call ${r})`)
      if (next.length !== length) throw new Error(`seeded randomBytes: asked for ${length} bytes, the sequence holds ${next.length}`)
      return next.slice()
    },
    x25519KeyPair (): KeyPair {
      const next = keys[k++]
      if (next === undefined) throw new Error(`seeded x25519KeyPair: sequence exhausted (call ${k})`)
      const privateKey = next.slice()
      return { privateKey, publicKey: base.x25519PublicKey(privateKey) }
    },
    used: () => ({ keys: k, nonces: r })
  }
}

/** The example's fixed sequences: private keys 03×32, 04×32, …; nonces a1×12, a2×12, … */
export function exampleRandomness (): { keys: Uint8Array[], nonces: Uint8Array[] } {
  return {
    keys: X25519_KEY_USES.map((_, i) => fill(FIRST_KEY_BYTE + i, 32)),
    nonces: NONCE_USES.map((_, i) => fill(FIRST_NONCE_BYTE + i, 12))
  }
}

// ---------------------------------------------------------------- the JSON

export interface IdentityValues {
  seed: Hex
  ed25519PublicKey: Hex
  peerId: Hex
  /** base58btc of the PeerId bytes, as libp2p prints it (never on this layer's wire) */
  peerIdText: string
  x25519Secret: Hex
  x25519Public: Hex
}

export interface DhStepValues {
  /** who steps, and on which message */
  party: 'alice' | 'bob'
  on: string
  rootKeyBefore: Hex
  theirRatchet: Hex
  /** X25519(our current ratchet private, theirRatchet) → receiving chain */
  receiveDh: Hex
  receiveRootKey: Hex
  receiveChainKey: Hex
  /** RK_1 of the peer's refresh chains on this step */
  receiveRefreshKey: Hex
  newRatchetPrivate: Hex
  newRatchetPublic: Hex
  /** X25519(new ratchet private, theirRatchet) → sending chain */
  sendDh: Hex
  rootKey: Hex
  sendChainKey: Hex
  /** RK_1 of our own refresh chains on the new step */
  sendRefreshKey: Hex
}

export interface RefreshChainValues {
  sender: 'alice'
  ratchetKey: Hex
  leaf: number
  /** RK_leaf: RK_1 is the third output of KDF_RK, RK_{i+1} = HMAC-SHA256(RK_i, 0x03) */
  refreshKey: Hex
  ephemeralPrivate: Hex
  ephemeralPublic: Hex
  /** X25519(E_leaf private, the peer's ratchet key) */
  dh: Hex
  info: Hex
  chainKey: Hex
  /** RK_{leaf+1} = HMAC-SHA256(RK_leaf, 0x03), what the sender keeps */
  nextRefreshKey: Hex
}

export interface MessageValues extends MessageInput {
  dh: Hex
  leaf: number
  n: number
  x3dh: boolean
  chainKey: Hex
  messageKey: Hex
  nextChainKey: Hex
  nonce: Hex
  header: Hex
  fields: Hex
  idInput: Hex
  id: Hex
  envelopeAd: Hex
  aeadAd: Hex
  ciphertext: Hex
  signatureInput: Hex
  signature: Hex
  envelope: Hex
}

export interface RatchetStateValues {
  rootKey: Hex
  ourRatchetPublic: Hex
  theirRatchet: Hex
  pendingX3dh: boolean
  send: { chainKey: Hex, n: number, leaf: number, leafKey: Hex, refreshKey: Hex }
  steps: Array<{ theirRatchet: Hex, refreshKey: Hex, nextLeaf: number, skippedRefresh: Array<{ leaf: number, refreshKey: Hex }> }>
  chains: Array<{ theirRatchet: Hex, leaf: number, n: number, chainKey: Hex }>
  skippedKeys: number
}

export interface EventValues {
  party: 'alice' | 'bob'
  /** "seal M3", "open M1", … */
  event: string
  /** the plaintext an `open` returned */
  plaintext?: string
  state: RatchetStateValues
}

export interface ProtocolExample {
  description: string
  generator: string
  document: string
  inputs: {
    aliceSeed: Hex
    bobSeed: Hex
    signedPrekeyId: number
    oneTimePrekeyId: number
    forceStepAfter: { alice: number, bob: number }
    x25519PrivateKeys: Array<{ use: string, privateKey: Hex }>
    nonces: Array<{ use: string, nonce: Hex }>
    messages: MessageInput[]
    /** the order things happen in; Bob receives M3 before M2 */
    events: string[]
  }
  labels: Record<string, { length: number, hex: Hex }>
  alice: IdentityValues
  bob: IdentityValues
  signedPrekey: { id: number, publicKey: Hex, signatureInput: Hex, signature: Hex }
  oneTimePrekey: { id: number, publicKey: Hex }
  x3dh: { ephemeralPublic: Hex, dh1: Hex, dh2: Hex, dh3: Hex, dh4: Hex, ikm: Hex, sharedKey: Hex, associatedData: Hex, header: Hex }
  ratchetInit: { ratchetPublic: Hex, dh: Hex, rootKey: Hex, sendChainKey: Hex, refreshKey: Hex }
  refreshChains: RefreshChainValues[]
  dhSteps: DhStepValues[]
  messages: MessageValues[]
  events: EventValues[]
}

const EVENTS = ['alice seal M1', 'alice seal M2', 'alice seal M3', 'bob open M1', 'bob open M3', 'bob open M2',
  'bob seal M4', 'alice open M4', 'alice seal M5', 'bob open M5']

// ---------------------------------------------------------------- by hand

const P25519 = 2n ** 255n - 19n

function modPow (b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n
  b %= m
  while (e > 0n) { if ((e & 1n) === 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n }
  return r
}

/** RFC 7748 §4.1: u = (1 + y) / (1 − y) mod p, from the Edwards y of the key. */
function toMontgomeryByHand (ik: Uint8Array): Uint8Array {
  const le = Buffer.from(ik).reverse().toString('hex')
  const y = BigInt(`0x${le}`) & ((1n << 255n) - 1n)
  assert(y < P25519 && y !== 1n)
  const u = ((1n + y) * modPow((1n - y + P25519) % P25519, P25519 - 2n, P25519)) % P25519
  return unhex(u.toString(16).padStart(64, '0')).reverse()
}

/** clamp(SHA-512(seed)[0..32]) */
function toMontgomerySecretByHand (seed: Uint8Array): Uint8Array {
  const h = new Uint8Array(createHash('sha512').update(seed).digest()).slice(0, 32)
  h[0]! &= 0xf8; h[31]! &= 0x7f; h[31]! |= 0x40
  return h
}

function fromState (s: Session): RatchetStateValues {
  const r = SessionState.decode(StoredSession.decode(s.serialize()).ratchet)
  assert(r.send != null)
  return {
    rootKey: hex(r.rootKey),
    ourRatchetPublic: hex(r.ourRatchetPublic),
    theirRatchet: hex(r.theirRatchet),
    pendingX3dh: r.pendingX3dh != null,
    send: { chainKey: hex(r.send.chainKey), n: r.send.n, leaf: r.send.leaf, leafKey: hex(r.send.leafKey), refreshKey: hex(r.send.refreshKey) },
    steps: r.steps.map(st => ({
      theirRatchet: hex(st.theirRatchet),
      refreshKey: hex(st.refreshKey),
      nextLeaf: st.nextLeaf,
      skippedRefresh: st.skippedRefresh.map(k => ({ leaf: k.leaf, refreshKey: hex(k.refreshKey) }))
    })),
    chains: r.chains.map(c => ({ theirRatchet: hex(c.theirRatchet), leaf: c.leaf, n: c.n, chainKey: hex(c.chainKey) })),
    skippedKeys: r.skipped.length
  }
}

/**
 * Compute the whole example with `base`: by hand, and with the library on
 * fixed randomness. Throws if the two disagree anywhere.
 */
export function computeProtocolExample (base: Primitives): ProtocolExample {
  const P = base
  const rand = exampleRandomness()
  const prims = seededPrimitives(base, rand.keys, rand.nonces)
  const key = (use: typeof X25519_KEY_USES[number]): Uint8Array => rand.keys[X25519_KEY_USES.indexOf(use)]!
  const nonceOf = (name: string): Uint8Array => rand.nonces[NONCE_USES.indexOf(name as typeof NONCE_USES[number])]!
  const expectUsed = (keys: number, nonces: number): void => assert.deepEqual(prims.used(), { keys, nonces })

  const kdfRoot = (rk: Uint8Array, dh: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] => {
    const o = P.hkdf(dh, rk, utf8('agentmsg/v1/ratchet'), 96)
    return [o.slice(0, 32), o.slice(32, 64), o.slice(64, 96)]
  }
  const kdfChain = (ck: Uint8Array): [Uint8Array, Uint8Array] => [P.hmacSha256(ck, u8(0x01)), P.hmacSha256(ck, u8(0x02))]
  const nextRefresh = (rk: Uint8Array): Uint8Array => P.hmacSha256(rk, u8(0x03))
  const leafInfo = (i: number): Uint8Array => cat(utf8('agentmsg/v1/leaf'), u32(i))

  // ---- identities (by hand: PeerId prefix, birational map, clamped SHA-512)
  const aliceSeed = fill(ALICE_SEED_BYTE, 32)
  const bobSeed = fill(BOB_SEED_BYTE, 32)
  const alice = Identity.fromPrivateKey(prims, aliceSeed)
  const bob = Identity.fromPrivateKey(prims, bobSeed)
  const identity = (seed: Uint8Array, id: Identity): IdentityValues => {
    const ik = P.ed25519PublicKey(seed)
    const peerId = cat(unhex('002408011220'), ik)
    assert.equal(hex(peerId), hex(id.peerId))
    const xsk = toMontgomerySecretByHand(seed)
    const xpk = toMontgomeryByHand(ik)
    assert.equal(hex(P.x25519PublicKey(xsk)), hex(xpk), 'X25519(xsk, 9) = toMontgomery(IK)')
    return { seed: hex(seed), ed25519PublicKey: hex(ik), peerId: hex(peerId), peerIdText: base58btc(peerId), x25519Secret: hex(xsk), x25519Public: hex(xpk) }
  }
  const aliceValues = identity(aliceSeed, alice)
  const bobValues = identity(bobSeed, bob)
  const aliceXsk = unhex(aliceValues.x25519Secret)
  const bobXpk = unhex(bobValues.x25519Public)

  // ---- prekeys
  const spk = generateSignedPrekey(prims, bob, SPK_ID, 0)
  const [opk] = generateOneTimePrekeys(prims, OPK_ID, 1)
  assert(opk !== undefined)
  expectUsed(2, 0)
  const spkPriv = key('Bob signed prekey SPK (id 1)')
  const opkPriv = key('Bob one-time prekey OPK (id 100)')
  const SPK = P.x25519PublicKey(spkPriv)
  const OPK = P.x25519PublicKey(opkPriv)
  assert.equal(hex(spk.publicKey), hex(SPK))
  assert.equal(hex(opk.publicKey), hex(OPK))
  const spkSignatureInput = cat(utf8('agentmsg/v1/signed-prekey'), u32(SPK_ID), SPK)
  const spkSignature = P.ed25519Sign(bobSeed, spkSignatureInput)
  assert.equal(hex(spk.signature), hex(spkSignature))

  // ---- X3DH, initiator side (by hand)
  const ekPriv = key('Alice X3DH ephemeral key EK')
  const EK = P.x25519PublicKey(ekPriv)
  const dh1 = P.x25519(aliceXsk, SPK)
  const dh2 = P.x25519(ekPriv, bobXpk)
  const dh3 = P.x25519(ekPriv, SPK)
  const dh4 = P.x25519(ekPriv, OPK)
  const ikm = cat(fill(0xff, 32), dh1, dh2, dh3, dh4)
  const sk = P.hkdf(ikm, fill(0, 32), utf8('agentmsg/v1/x3dh'), 32)
  // the responder's DHs give the same SK
  const bobXsk = unhex(bobValues.x25519Secret)
  const aliceXpk = unhex(aliceValues.x25519Public)
  const ikmB = cat(fill(0xff, 32), P.x25519(spkPriv, aliceXpk), P.x25519(bobXsk, EK), P.x25519(spkPriv, EK), P.x25519(opkPriv, EK))
  assert.equal(hex(P.hkdf(ikmB, fill(0, 32), utf8('agentmsg/v1/x3dh'), 32)), hex(sk))
  const adX3dh = cat(alice.publicKey, bob.publicKey)
  const x3dhHeader = cat(pbBytes(1, EK), pbVarint(2, SPK_ID), pbVarint(3, OPK_ID))

  // ---- ratchet initialisation (Alice)
  const a0Priv = key('Alice ratchet key A0 (initialisation)')
  const A0 = P.x25519PublicKey(a0Priv)
  const dhInit = P.x25519(a0Priv, SPK)
  const [rk1, ckA0, rfA0] = kdfRoot(sk, dhInit)

  // ---- envelopes (by hand)
  const parties = { alice: { id: alice, seed: aliceSeed }, bob: { id: bob, seed: bobSeed } }
  const messages: MessageValues[] = []
  const build = (name: string, fields: { dh: Uint8Array, leaf: number, leafKey?: Uint8Array, n: number, x3dh: boolean }, chainKey: Uint8Array): MessageValues => {
    const input = MESSAGE_INPUTS.find(m => m.name === name)
    assert(input !== undefined)
    const nonce = nonceOf(name)
    const [mk, nextChainKey] = kdfChain(chainKey)
    const header = cat(
      pbBytes(1, fields.dh),
      fields.n > 0 ? pbVarint(2, fields.n) : new Uint8Array(0),
      fields.leaf > 0 ? pbVarint(3, fields.leaf) : new Uint8Array(0),
      fields.leafKey !== undefined ? pbBytes(4, fields.leafKey) : new Uint8Array(0),
      pbBytes(5, nonce),
      fields.x3dh ? pbBytes(6, x3dhHeader) : new Uint8Array(0)
    )
    const from = parties[input.from]
    const to = parties[input.to]
    const F = cat(u8(1), u8(1), u64(input.sentAt), lp(from.id.peerId), lp(to.id.peerId), lp(header))
    const idInput = cat(utf8('agentmsg/v1/envelope-id'), F)
    const id = P.sha256(idInput).slice(0, 16)
    const envelopeAd = cat(utf8('agentmsg/v1/envelope-ad'), u8(1), lp(from.id.peerId), lp(to.id.peerId), lp(header), id)
    const aeadAd = cat(adX3dh, envelopeAd)
    const ciphertext = P.aesGcmSeal(mk, nonce, utf8(input.plaintext), aeadAd)
    const signatureInput = cat(utf8('agentmsg/v1/envelope'), F, id, lp(ciphertext))
    const signature = P.ed25519Sign(from.seed, signatureInput)
    const envelope = cat(
      pbVarint(1, 1), pbBytes(2, id), pbBytes(3, from.id.peerId), pbBytes(4, to.id.peerId),
      pbVarint(5, input.sentAt), pbVarint(6, 1), pbBytes(7, header), pbBytes(8, ciphertext), pbBytes(9, signature)
    )
    const m: MessageValues = {
      ...input,
      dh: hex(fields.dh),
      leaf: fields.leaf,
      n: fields.n,
      x3dh: fields.x3dh,
      chainKey: hex(chainKey),
      messageKey: hex(mk),
      nextChainKey: hex(nextChainKey),
      nonce: hex(nonce),
      header: hex(header),
      fields: hex(F),
      idInput: hex(idInput),
      id: hex(id),
      envelopeAd: hex(envelopeAd),
      aeadAd: hex(aeadAd),
      ciphertext: hex(ciphertext),
      signatureInput: hex(signatureInput),
      signature: hex(signature),
      envelope: hex(envelope)
    }
    messages.push(m)
    return m
  }
  const refreshChain = (leaf: number, refreshKey: Uint8Array, use: typeof X25519_KEY_USES[number], theirRatchet: Uint8Array): RefreshChainValues => {
    const ePriv = key(use)
    const dh = P.x25519(ePriv, theirRatchet)
    return {
      sender: 'alice',
      ratchetKey: hex(A0),
      leaf,
      refreshKey: hex(refreshKey),
      ephemeralPrivate: hex(ePriv),
      ephemeralPublic: hex(P.x25519PublicKey(ePriv)),
      dh: hex(dh),
      info: hex(leafInfo(leaf)),
      chainKey: hex(P.hkdf(dh, refreshKey, leafInfo(leaf), 32)),
      nextRefreshKey: hex(nextRefresh(refreshKey))
    }
  }

  // M1: Alice's step chain (leaf 0), with the X3DH header
  const m1 = build('M1', { dh: A0, leaf: 0, n: 0, x3dh: true }, ckA0)
  // M2, M3: forced refreshes 1 and 2 of Alice's step A0, keyed by the hash-chained refresh key
  const leaf1 = refreshChain(1, rfA0, 'Alice refresh key E_1 (sealing M2)', SPK)
  const m2 = build('M2', { dh: A0, leaf: 1, leafKey: unhex(leaf1.ephemeralPublic), n: 0, x3dh: true }, unhex(leaf1.chainKey))
  const leaf2 = refreshChain(2, unhex(leaf1.nextRefreshKey), 'Alice refresh key E_2 (sealing M3)', SPK)
  const m3 = build('M3', { dh: A0, leaf: 2, leafKey: unhex(leaf2.ephemeralPublic), n: 0, x3dh: true }, unhex(leaf2.chainKey))

  // Bob's DH step on M1 (dh = A0): his receiving chain is Alice's sending chain; then B1
  const b1Priv = key('Bob ratchet key B1 (DH step on opening M1)')
  const B1 = P.x25519PublicKey(b1Priv)
  const bobStep1Receive = kdfRoot(sk, P.x25519(spkPriv, A0))
  assert.deepEqual(bobStep1Receive.map(hex), [rk1, ckA0, rfA0].map(hex))
  const [rk2, ckB1, rfB1] = kdfRoot(rk1, P.x25519(b1Priv, A0))
  const bobStep1: DhStepValues = {
    party: 'bob', on: 'M1', rootKeyBefore: hex(sk), theirRatchet: hex(A0),
    receiveDh: hex(P.x25519(spkPriv, A0)), receiveRootKey: hex(rk1), receiveChainKey: hex(ckA0), receiveRefreshKey: hex(rfA0),
    newRatchetPrivate: hex(b1Priv), newRatchetPublic: hex(B1),
    sendDh: hex(P.x25519(b1Priv, A0)), rootKey: hex(rk2), sendChainKey: hex(ckB1), sendRefreshKey: hex(rfB1)
  }
  const m4 = build('M4', { dh: B1, leaf: 0, n: 0, x3dh: false }, ckB1)

  // Alice's DH step on M4 (dh = B1), then A1
  const [rk2a, ckB1a, rfB1a] = kdfRoot(rk1, P.x25519(a0Priv, B1))
  assert.deepEqual([rk2a, ckB1a, rfB1a].map(hex), [rk2, ckB1, rfB1].map(hex))
  const a1Priv = key('Alice ratchet key A1 (DH step on opening M4)')
  const A1 = P.x25519PublicKey(a1Priv)
  const [rk3, ckA1, rfA1] = kdfRoot(rk2, P.x25519(a1Priv, B1))
  const aliceStep: DhStepValues = {
    party: 'alice', on: 'M4', rootKeyBefore: hex(rk1), theirRatchet: hex(B1),
    receiveDh: hex(P.x25519(a0Priv, B1)), receiveRootKey: hex(rk2), receiveChainKey: hex(ckB1), receiveRefreshKey: hex(rfB1),
    newRatchetPrivate: hex(a1Priv), newRatchetPublic: hex(A1),
    sendDh: hex(P.x25519(a1Priv, B1)), rootKey: hex(rk3), sendChainKey: hex(ckA1), sendRefreshKey: hex(rfA1)
  }
  const m5 = build('M5', { dh: A1, leaf: 0, n: 0, x3dh: false }, ckA1)

  // Bob's DH step on M5 (dh = A1), then B2
  const [rk3b, ckA1b, rfA1b] = kdfRoot(rk2, P.x25519(b1Priv, A1))
  assert.deepEqual([rk3b, ckA1b, rfA1b].map(hex), [rk3, ckA1, rfA1].map(hex))
  const b2Priv = key('Bob ratchet key B2 (DH step on opening M5)')
  const B2 = P.x25519PublicKey(b2Priv)
  const [rk4, ckB2, rfB2] = kdfRoot(rk3, P.x25519(b2Priv, A1))
  const bobStep2: DhStepValues = {
    party: 'bob', on: 'M5', rootKeyBefore: hex(rk2), theirRatchet: hex(A1),
    receiveDh: hex(P.x25519(b1Priv, A1)), receiveRootKey: hex(rk3), receiveChainKey: hex(ckA1), receiveRefreshKey: hex(rfA1),
    newRatchetPrivate: hex(b2Priv), newRatchetPublic: hex(B2),
    sendDh: hex(P.x25519(b2Priv, A1)), rootKey: hex(rk4), sendChainKey: hex(ckB2), sendRefreshKey: hex(rfB2)
  }

  // ---- the expected ratchet state after each event (by hand)
  const none = ''
  const chainAfter = (m: MessageValues): RatchetStateValues['chains'][number] => ({ theirRatchet: m.dh, leaf: m.leaf, n: m.n + 1, chainKey: m.nextChainKey })
  const stepA0 = (refreshKey: Hex, nextLeaf: number, skipped: Array<{ leaf: number, refreshKey: Hex }>): RatchetStateValues['steps'][number] =>
    ({ theirRatchet: hex(A0), refreshKey, nextLeaf, skippedRefresh: skipped })
  const expected: Record<string, RatchetStateValues> = {
    'alice seal M3': {
      rootKey: hex(rk1), ourRatchetPublic: hex(A0), theirRatchet: hex(SPK), pendingX3dh: true,
      send: { chainKey: m3.nextChainKey, n: 1, leaf: 2, leafKey: leaf2.ephemeralPublic, refreshKey: leaf2.nextRefreshKey },
      steps: [], chains: [], skippedKeys: 0
    },
    'bob open M1': {
      rootKey: hex(rk2), ourRatchetPublic: hex(B1), theirRatchet: hex(A0), pendingX3dh: false,
      send: { chainKey: hex(ckB1), n: 0, leaf: 0, leafKey: none, refreshKey: hex(rfB1) },
      steps: [stepA0(hex(rfA0), 1, [])], chains: [chainAfter(m1)], skippedKeys: 0
    },
    'bob open M3': {
      rootKey: hex(rk2), ourRatchetPublic: hex(B1), theirRatchet: hex(A0), pendingX3dh: false,
      send: { chainKey: hex(ckB1), n: 0, leaf: 0, leafKey: none, refreshKey: hex(rfB1) },
      steps: [stepA0(leaf2.nextRefreshKey, 3, [{ leaf: 1, refreshKey: leaf1.refreshKey }])],
      chains: [chainAfter(m1), chainAfter(m3)], skippedKeys: 0
    },
    'bob open M2': {
      rootKey: hex(rk2), ourRatchetPublic: hex(B1), theirRatchet: hex(A0), pendingX3dh: false,
      send: { chainKey: hex(ckB1), n: 0, leaf: 0, leafKey: none, refreshKey: hex(rfB1) },
      steps: [stepA0(leaf2.nextRefreshKey, 3, [])],
      chains: [chainAfter(m1), chainAfter(m3), chainAfter(m2)], skippedKeys: 0
    },
    'alice open M4': {
      rootKey: hex(rk3), ourRatchetPublic: hex(A1), theirRatchet: hex(B1), pendingX3dh: false,
      send: { chainKey: hex(ckA1), n: 0, leaf: 0, leafKey: none, refreshKey: hex(rfA1) },
      steps: [{ theirRatchet: hex(B1), refreshKey: hex(rfB1), nextLeaf: 1, skippedRefresh: [] }],
      chains: [chainAfter(m4)], skippedKeys: 0
    },
    'bob open M5': {
      rootKey: hex(rk4), ourRatchetPublic: hex(B2), theirRatchet: hex(A1), pendingX3dh: false,
      send: { chainKey: hex(ckB2), n: 0, leaf: 0, leafKey: none, refreshKey: hex(rfB2) },
      steps: [stepA0(leaf2.nextRefreshKey, 3, []), { theirRatchet: hex(A1), refreshKey: hex(rfA1), nextLeaf: 1, skippedRefresh: [] }],
      chains: [chainAfter(m1), chainAfter(m3), chainAfter(m2), chainAfter(m5)], skippedKeys: 0
    }
  }

  // ---- the library, on the same randomness
  const bundle = {
    identityKey: bob.publicKey,
    signedPrekey: { id: spk.id, publicKey: spk.publicKey, signature: spk.signature },
    oneTimePrekey: { id: opk.id, publicKey: opk.publicKey }
  }
  const consumed: number[] = []
  const store: PrekeyStore = {
    signedPrekey: (id) => id === spk.id ? spk : undefined,
    oneTimePrekey: (id) => id === opk.id && !consumed.includes(id) ? opk : undefined,
    consumeOneTimePrekey: (id) => { consumed.push(id) }
  }
  const aliceGuard = new MemoryReplayGuard()
  const bobGuard = new MemoryReplayGuard()
  const events: EventValues[] = []
  const record = (party: 'alice' | 'bob', event: string, session: Session, plaintext?: string): void => {
    const state = fromState(session)
    const want = expected[`${party} ${event}`]
    if (want !== undefined) assert.deepEqual(state, want, `${party} after ${event}`)
    events.push(plaintext === undefined ? { party, event, state } : { party, event, plaintext, state })
  }
  const byName = (name: string): MessageValues => messages.find(m => m.name === name)!
  const open = (session: Session, recipient: Identity, guard: MemoryReplayGuard, name: string): string => {
    const m = byName(name)
    const text = new TextDecoder().decode(session.open(verifyEnvelope(prims, recipient, unhex(m.envelope), guard), guard))
    assert.equal(text, m.plaintext, `${name} opens`)
    return text
  }

  const a = Session.initiate(prims, alice, bundle, { forceStepAfter: FORCE_STEP_AFTER })
  expectUsed(4, 0)
  for (const name of ['M1', 'M2', 'M3']) {
    const m = byName(name)
    const wire = a.seal(utf8(m.plaintext), { sentAt: m.sentAt })
    assert.equal(hex(wire), m.envelope, `${name}: the library's envelope is the hand-built one`)
    record('alice', `seal ${name}`, a)
  }
  expectUsed(6, 3)

  const first = verifyEnvelope(prims, bob, unhex(m1.envelope), bobGuard)
  const { session: b, plaintext: p1 } = Session.accept(prims, bob, store, first, {}, bobGuard)
  assert.equal(new TextDecoder().decode(p1), m1.plaintext)
  assert.deepEqual(consumed, [OPK_ID])
  assert(bobGuard.has(unhex(m1.id)), 'accept records the first message id')
  expectUsed(7, 3)
  record('bob', 'open M1', b, new TextDecoder().decode(p1))
  record('bob', 'open M3', b, open(b, bob, bobGuard, 'M3'))
  record('bob', 'open M2', b, open(b, bob, bobGuard, 'M2'))

  const wire4 = b.seal(utf8(m4.plaintext), { sentAt: m4.sentAt })
  assert.equal(hex(wire4), m4.envelope, 'M4: the library\'s envelope is the hand-built one')
  record('bob', 'seal M4', b)
  record('alice', 'open M4', a, open(a, alice, aliceGuard, 'M4'))
  expectUsed(8, 4)

  const wire5 = a.seal(utf8(m5.plaintext), { sentAt: m5.sentAt })
  assert.equal(hex(wire5), m5.envelope, 'M5: the library\'s envelope is the hand-built one')
  record('alice', 'seal M5', a)
  record('bob', 'open M5', b, open(b, bob, bobGuard, 'M5'))
  expectUsed(9, 5)
  assert.deepEqual(events.map(e => `${e.party} ${e.event}`), EVENTS)

  return {
    description: 'agentmsg\'s own worked example from docs/protocol.md §11 (not a third-party vector): ' +
      'X3DH, five Double Ratchet messages including refresh chains 1 and 2, and the ratchet state after each event. ' +
      'Generated by `npx tsx scripts/protocol-example.ts`; checked by test/vectors/protocol-example.test.ts. ' +
      'The randomness is a fixed sequence: never use these keys.',
    generator: 'npx tsx scripts/protocol-example.ts',
    document: 'docs/protocol.md §11',
    inputs: {
      aliceSeed: hex(aliceSeed),
      bobSeed: hex(bobSeed),
      signedPrekeyId: SPK_ID,
      oneTimePrekeyId: OPK_ID,
      forceStepAfter: { alice: FORCE_STEP_AFTER, bob: DEFAULT_FORCE_STEP_AFTER },
      x25519PrivateKeys: X25519_KEY_USES.map((use, i) => ({ use, privateKey: hex(rand.keys[i]!) })),
      nonces: NONCE_USES.map((use, i) => ({ use, nonce: hex(rand.nonces[i]!) })),
      messages: MESSAGE_INPUTS,
      events: EVENTS
    },
    labels: Object.fromEntries(LABELS.map(l => [l, { length: utf8(l).length, hex: hex(utf8(l)) }])),
    alice: aliceValues,
    bob: bobValues,
    signedPrekey: { id: SPK_ID, publicKey: hex(SPK), signatureInput: hex(spkSignatureInput), signature: hex(spkSignature) },
    oneTimePrekey: { id: OPK_ID, publicKey: hex(OPK) },
    x3dh: {
      ephemeralPublic: hex(EK), dh1: hex(dh1), dh2: hex(dh2), dh3: hex(dh3), dh4: hex(dh4),
      ikm: hex(ikm), sharedKey: hex(sk), associatedData: hex(adX3dh), header: hex(x3dhHeader)
    },
    ratchetInit: { ratchetPublic: hex(A0), dh: hex(dhInit), rootKey: hex(rk1), sendChainKey: hex(ckA0), refreshKey: hex(rfA0) },
    refreshChains: [leaf1, leaf2],
    dhSteps: [bobStep1, aliceStep, bobStep2],
    messages,
    events
  }
}

// ---------------------------------------------------------------- markdown for docs/protocol.md §11

const LABEL_WIDTH = 18

/** `label` then `hex` in 64-character lines, continuation lines indented under the value. */
function kv (label: string, value: Hex, width = LABEL_WIDTH): string {
  const chunks = value.match(/.{1,64}/g) ?? ['']
  const pad = ' '.repeat(width)
  const head = label.length >= width ? `${label}\n${pad}` : label.padEnd(width)
  return head + chunks.join(`\n${pad}`)
}

function block (value: Hex): string {
  return (value.match(/.{1,64}/g) ?? []).join('\n')
}

const code = (...lines: string[]): string => ['```', ...lines, '```'].join('\n')

/** The body of docs/protocol.md §11, from the example's values. */
export function markdown (ex: ProtocolExample): string {
  const m = (name: string): MessageValues => ex.messages.find(x => x.name === name)!
  const [m1, m2, m3, m4, m5] = ['M1', 'M2', 'M3', 'M4', 'M5'].map(m)
  const [leaf1, leaf2] = ex.refreshChains
  const [bobStep1, aliceStep, bobStep2] = ex.dhSteps
  assert(m1 && m2 && m3 && m4 && m5 && leaf1 && leaf2 && bobStep1 && aliceStep && bobStep2)
  const state = (party: string, event: string): RatchetStateValues => ex.events.find(e => `${e.party} ${e.event}` === `${party} ${event}`)!.state
  const len = (h: Hex): number => h.length / 2
  const x3 = ex.x3dh
  const out: string[] = []
  const p = (...s: string[]): void => { out.push(s.join('\n')) }

  const messageBlock = (msg: MessageValues, extra: string[] = []): string => code(
    ...extra,
    kv('MK', msg.messageKey),
    kv('CK\'', msg.nextChainKey),
    kv(`header (${len(msg.header)})`, msg.header),
    kv('id', msg.id),
    kv('ciphertext||tag', msg.ciphertext),
    kv('signature', msg.signature)
  )

  p('**The randomness here is fixed so the example can be reproduced. A real',
    'implementation MUST take every private key and nonce from a CSPRNG.**')
  p('Every value below is also in `test/vectors/agentmsg-protocol-example.json`, written by',
    '`npx tsx scripts/protocol-example.ts`. That script computes each value twice, by hand',
    'from this document\'s formulas and by running `Session` on the fixed randomness, and',
    'fails unless the two agree. `test/vectors/protocol-example.test.ts` recomputes',
    'everything with both primitive implementations, compares it with the JSON, and checks',
    'that every hex value in this section is one of the JSON\'s. `--markdown` prints this',
    'section\'s body.')
  p(`To keep the example short, Alice uses \`forceStepAfter = ${ex.inputs.forceStepAfter.alice}\`, so each message after the`,
    'first on a chain starts a new refresh chain: M2 is refresh chain 1 and M3 is refresh',
    'chain 2 of her first DH step. The default is 100. The receiver needs no setting, since',
    'FORCE_STEP_AFTER is sender-local. Bob receives M3 before M2, so M3 skips refresh chain 1',
    'and Bob keeps RK_1 for it until M2 arrives.')
  p('Events, in order: Alice seals M1, M2, M3; Bob opens M1, M3, M2; Bob seals M4; Alice',
    'opens M4; Alice seals M5; Bob opens M5.')

  p('### 11.1 Inputs')
  const inputRows = [
    '| input | value |',
    '| --- | --- |',
    `| Alice identity seed | \`${ex.inputs.aliceSeed.slice(0, 2)}\` × 32 |`,
    `| Bob identity seed | \`${ex.inputs.bobSeed.slice(0, 2)}\` × 32 |`,
    ...ex.inputs.x25519PrivateKeys.map(k => `| ${k.use} | \`${k.privateKey.slice(0, 2)}\` × 32 |`),
    `| nonces M1 … M5 | ${ex.inputs.nonces.map(n => `\`${n.nonce.slice(0, 2)}\``).join(', ')} (each × 12) |`,
    `| sentAt M1 … M5 | ${ex.inputs.messages.map(x => x.sentAt).join(', ')} |`,
    `| plaintexts M1 … M5 | ${ex.inputs.messages.map(x => `\`${x.plaintext}\``).join(', ')} (UTF-8) |`,
    `| SPK id, OPK id | ${ex.inputs.signedPrekeyId}, ${ex.inputs.oneTimePrekeyId} |`
  ]
  p(...inputRows)
  p('The private keys are listed in the order the code draws X25519 key pairs (prekey',
    'generation, §5, §6.4, and the DH steps and refreshes of §6.6 and §6.7), and the nonces',
    'in the order it draws random bytes (§6.6 step 4).')

  p('### 11.2 Identities')
  const idLines = (name: string, v: IdentityValues): string[] => [
    kv(`${name} IK`, v.ed25519PublicKey),
    kv(`${name} PeerId`, v.peerId),
    `${''.padEnd(LABEL_WIDTH)}(text form ${v.peerIdText})`,
    kv(`${name} xsk`, v.x25519Secret),
    kv(`${name} xpk`, v.x25519Public)
  ]
  p(code(...idLines('Alice', ex.alice), '', ...idLines('Bob', ex.bob)))
  p('In both cases `X25519(xsk, 9) = xpk = toMontgomery(IK)`. The PeerId is',
    '`002408011220 || IK` (38 bytes).')

  p('### 11.3 Prekeys')
  p(code(
    kv('SPK_pub', ex.signedPrekey.publicKey),
    kv('SPK signed input', ex.signedPrekey.signatureInput),
    kv('SPK signature', ex.signedPrekey.signature),
    kv('OPK_pub', ex.oneTimePrekey.publicKey)
  ))

  p('### 11.4 X3DH (Alice, with OPK)')
  p(code(
    kv('EK_pub', x3.ephemeralPublic),
    kv('DH1', x3.dh1), kv('DH2', x3.dh2), kv('DH3', x3.dh3), kv('DH4', x3.dh4),
    `${'IKM'.padEnd(LABEL_WIDTH)}ff×32 || DH1 || DH2 || DH3 || DH4                  (${len(x3.ikm)} bytes)`,
    kv('SK', x3.sharedKey),
    kv('AD_x3dh', x3.associatedData)
  ))
  p('Bob\'s four DHs (§5, responder) give the same SK.')

  p('### 11.5 Ratchet initialisation (Alice)')
  p(code(
    kv('A0_pub (DHs)', ex.ratchetInit.ratchetPublic),
    kv('X25519(A0, SPK)', ex.ratchetInit.dh),
    'KDF_RK(SK, ·):',
    kv('  RK', ex.ratchetInit.rootKey),
    kv('  CKs', ex.ratchetInit.sendChainKey),
    kv('  RK_1', ex.ratchetInit.refreshKey)
  ))
  p('RK_1 is the refresh key of Alice\'s first refresh chain on this step (§6.8).')

  p('### 11.6 M1: Alice → Bob, `hello` (leaf 0, n 0, X3DH header)')
  p(code(
    'KDF_CK(CKs):',
    kv('  MK', m1.messageKey),
    kv('  CK\'', m1.nextChainKey)
  ))
  p(`Header (${len(m1.header)} bytes), annotated:`)
  const x3hdr = x3.header
  p(code(
    `0a 20 ${m1.dh}   dh`,
    '                                        (n = 0, leaf = 0, leafKey empty: omitted)',
    `2a 0c ${m1.nonce}                                          nonce`,
    `32 ${(len(x3hdr)).toString(16).padStart(2, '0')}                                                                   x3dh (${len(x3hdr)} bytes):`,
    `      0a 20 ${x3.ephemeralPublic}   ephemeralKey`,
    `      10 ${x3hdr.slice(70, 72)}                                                                signedPrekeyId ${ex.inputs.signedPrekeyId}`,
    `      18 ${x3hdr.slice(74, 76)}                                                                oneTimePrekeyId ${ex.inputs.oneTimePrekeyId}`
  ))
  const F = m1.fields
  p(`F (${len(F)} bytes) = \`01\` version, \`01\` kind, \`${F.slice(4, 20)}\` sentAt, \`${F.slice(20, 28)}\``,
    `PeerId(Alice), \`${F.slice(104, 112)}\` PeerId(Bob), \`${F.slice(188, 196)}\` header:`)
  p(code(block(F)))
  p(code('id = SHA-256("agentmsg/v1/envelope-id" || F)[0..16]', `   = ${m1.id}`))
  p(`AEAD AD (${len(m1.aeadAd)} bytes) = AD_x3dh (64) || envelopeAD (${len(m1.envelopeAd)}):`)
  p(code(block(m1.aeadAd)))
  p(code(kv(`ciphertext || tag (${len(m1.ciphertext)} bytes)`, m1.ciphertext, 31)))
  p(`Signature input (${len(m1.signatureInput)} bytes) = \`"agentmsg/v1/envelope"\` || F || id || lp(ciphertext):`)
  p(code(block(m1.signatureInput)))
  p(code(kv('signature', m1.signature)))
  p(`Envelope (${len(m1.envelope)} bytes):`)
  p(code(block(m1.envelope)))
  const sentAtVarint = hex(varint(m1.sentAt))
  p('The envelope\'s fields, in order:')
  p('| bytes | field |',
    '| --- | --- |',
    '| `08 01` | version 1 |',
    '| `12 10 …` | id |',
    '| `1a 26 …` | from |',
    '| `22 26 …` | to |',
    `| \`28 ${sentAtVarint}\` | sentAt ${m1.sentAt} |`,
    '| `30 01` | kind DIRECT |',
    `| \`3a ${len(m1.header).toString(16)} …\` | header |`,
    `| \`42 ${len(m1.ciphertext).toString(16).padStart(2, '0')} …\` | ciphertext |`,
    '| `4a 40 …` | signature |')

  p(`### 11.7 M2: Alice → Bob, \`${m2.plaintext}\` (refresh chain 1, n 0)`)
  p('Alice has sent one message on her step chain (send.n = 1 ≥ forceStepAfter), so she',
    'starts refresh chain 1 (§6.6 step 2).')
  p(code(
    kv('E_1_pub', leaf1.ephemeralPublic),
    kv('X25519(E_1, SPK)', leaf1.dh),
    kv('leaf info', `${leaf1.info.slice(0, 32)} ${leaf1.info.slice(32)}`),
    'KDF_LEAF(RK_1, ·, 1):',
    kv('  CK', leaf1.chainKey),
    kv('RK_2', leaf1.nextRefreshKey),
    ''.padEnd(LABEL_WIDTH) + '= HMAC-SHA256(RK_1, 0x03); Alice keeps RK_2 and erases RK_1'
  ))
  p(messageBlock(m2))
  p('The header is `0a 20 A0_pub`, `18 01` (leaf 1), `22 20 E_1_pub` (leafKey), `2a 0c`',
    'nonce, then the same `32 26 …` X3DH header as M1: Alice has not received anything yet,',
    'so it is still attached. n = 0 is omitted.')
  p(`Envelope (${len(m2.envelope)} bytes):`)
  p(code(block(m2.envelope)))

  p(`### 11.8 M3: Alice → Bob, \`${m3.plaintext}\` (refresh chain 2, n 0)`)
  p(code(
    kv('E_2_pub', leaf2.ephemeralPublic),
    kv('X25519(E_2, SPK)', leaf2.dh),
    kv('leaf info', `${leaf2.info.slice(0, 32)} ${leaf2.info.slice(32)}`),
    'KDF_LEAF(RK_2, ·, 2):',
    kv('  CK', leaf2.chainKey),
    kv('RK_3', leaf2.nextRefreshKey),
    ''.padEnd(LABEL_WIDTH) + '= HMAC-SHA256(RK_2, 0x03); Alice keeps RK_3 and erases RK_2'
  ))
  p(messageBlock(m3))
  p(`Envelope (${len(m3.envelope)} bytes):`)
  p(code(block(m3.envelope)))
  const aliceAfterM3 = state('alice', 'seal M3')
  p(`Alice's sending chain is now \`{leaf 2, n 1, leafKey E_2_pub, CK = CK' of M3, refreshKey RK_3}\`,`,
    `and her root key is still RK (${aliceAfterM3.rootKey.slice(0, 8)}…): refreshes do not touch the root chain.`)

  p('### 11.9 Bob opens M1, then M3, then M2')
  p('**M1.** Bob runs X3DH as the responder and gets the same SK. He sets RK = SK and',
    'DHs = SPK. `dh` = A0_pub is unknown, so he takes a DH step:')
  p(code(
    kv('X25519(SPK, A0)', bobStep1.receiveDh),
    'KDF_RK(SK, ·) = RK, CKs and RK_1 of §11.5 (his receiving chain (A0, 0) and its refresh key)',
    kv('B1_pub', bobStep1.newRatchetPublic),
    kv('X25519(B1, A0)', bobStep1.sendDh),
    'KDF_RK(RK, ·):',
    kv('  RK\'', bobStep1.rootKey),
    kv('  CKs (Bob)', bobStep1.sendChainKey),
    kv('  RK_1 (Bob)', bobStep1.sendRefreshKey)
  ))
  p('KDF_CK gives M1\'s MK. Bob keeps, for the step A0, `{refreshKey: RK_1, nextLeaf: 1,',
    'skippedRefresh: {}, ourPrivate: SPK_priv}`. The OPK is consumed and M1\'s id is recorded',
    'in the replay guard.')
  p('**M3** (leaf 2). The chain (A0, 2) is new and the step A0 is known. nextLeaf is 1, so',
    'Bob advances the refresh key past leaf 1: RK_2 = HMAC-SHA256(RK_1, 0x03), then derives',
    'the chain key with `KDF_LEAF(RK_2, X25519(SPK_priv, E_2_pub), 2)`, which is the CK of',
    '§11.8. After the tag verifies he commits: RK_1 goes into skippedRefresh for leaf 1, RK_2',
    'is erased, and the step becomes `{refreshKey: RK_3, nextLeaf: 3, skippedRefresh: {1: RK_1}}`.')
  p('**M2** (leaf 1). Leaf 1 is below nextLeaf but in skippedRefresh, so Bob derives',
    '`KDF_LEAF(RK_1, X25519(SPK_priv, E_1_pub), 1)` (the CK of §11.7) and, once M2 opened,',
    'erases RK_1. The step is now `{refreshKey: RK_3, nextLeaf: 3, skippedRefresh: {}}`.',
    'Nothing Bob holds can derive refresh chain 1 or 2 again. A copy of M2 or M3 is refused',
    'with `ReplayError`: while its chain is open because n is below the chain\'s next index,',
    'and after the chain is evicted because leaf < nextLeaf and no skipped refresh key is kept;',
    'once step A0 itself is evicted, a copy is taken for a new DH step and fails with `DecryptError`.')
  const bobAfterM2 = state('bob', 'open M2')
  p(`Bob's receiving chains, least recently used first: ${bobAfterM2.chains.map(c => `(A0, ${c.leaf})`).join(', ')}, each`,
    'at n = 1.')

  p(`### 11.10 M4: Bob → Alice, \`${m4.plaintext}\` (Bob's first sending chain, after his DH step)`)
  p(code(
    kv('B1_pub', m4.dh),
    kv('CKs', m4.chainKey),
    kv('MK', m4.messageKey),
    kv('CK\'', m4.nextChainKey),
    kv(`header (${len(m4.header)})`, m4.header),
    kv('id', m4.id),
    kv('ciphertext||tag', m4.ciphertext),
    kv('signature', m4.signature)
  ))
  p('`from` is now Bob and `to` is Alice, but AD_x3dh is still `IK_Alice || IK_Bob`',
    `(initiator first). The AEAD AD (${len(m4.aeadAd)} bytes) begins \`${m4.aeadAd.slice(0, 8)}…${m4.aeadAd.slice(56, 64)} ${m4.aeadAd.slice(64, 72)}…${m4.aeadAd.slice(120, 128)}`,
    `${m4.aeadAd.slice(128, 136)}…\`.`)
  p(`Envelope (${len(m4.envelope)} bytes):`)
  p(code(block(m4.envelope)))
  p('Alice opens M4. `dh` = B1_pub is unknown, so she takes a DH step:')
  p(code(
    kv('X25519(A0, B1)', aliceStep.receiveDh),
    'KDF_RK(RK, ·) = RK\', CKs (Bob) and RK_1 (Bob) of §11.9',
    kv('A1_pub', aliceStep.newRatchetPublic),
    kv('X25519(A1, B1)', aliceStep.sendDh),
    'KDF_RK(RK\', ·):',
    kv('  RK\'\'', aliceStep.rootKey),
    kv('  CKs (Alice)', aliceStep.sendChainKey),
    kv('  RK_1 (Alice)', aliceStep.sendRefreshKey)
  ))
  p('She erases her old sending chain (its CK and RK_3) and stops attaching the X3DH',
    'header.')

  p(`### 11.11 M5: Alice → Bob, \`${m5.plaintext}\` (Alice's second DH step, leaf 0, n 0)`)
  p(code(
    kv('A1_pub', m5.dh),
    kv('CKs', m5.chainKey),
    kv('MK', m5.messageKey),
    kv('CK\'', m5.nextChainKey),
    kv(`header (${len(m5.header)})`, m5.header),
    kv('id', m5.id),
    kv('ciphertext||tag', m5.ciphertext),
    kv('signature', m5.signature)
  ))
  p('The header has no `x3dh` field any more. Her send count restarted at n = 0 on the new',
    'step, so no refresh is due.')
  p(`Envelope (${len(m5.envelope)} bytes):`)
  p(code(block(m5.envelope)))
  p('Bob opens M5. `dh` = A1_pub is unknown, so he takes a DH step:')
  p(code(
    kv('X25519(B1, A1)', bobStep2.receiveDh),
    'KDF_RK(RK\', ·) = RK\'\', CKs (Alice) and RK_1 (Alice) of §11.10',
    kv('B2_pub', bobStep2.newRatchetPublic),
    kv('X25519(B2, A1)', bobStep2.sendDh),
    'KDF_RK(RK\'\', ·):',
    kv('  RK\'\'\'', bobStep2.rootKey),
    kv('  CKs (Bob)', bobStep2.sendChainKey),
    kv('  RK_1 (Bob)', bobStep2.sendRefreshKey)
  ))
  const bobAfterM5 = state('bob', 'open M5')
  p(`Bob now keeps ${bobAfterM5.steps.length} receiving steps: A0 \`{RK_3, nextLeaf 3}\` and A1 \`{RK_1 (Alice), nextLeaf 1}\`,`,
    `and ${bobAfterM5.chains.length} receiving chains. The JSON lists the full ratchet state after every event.`)
  return out.join('\n\n') + '\n'
}

// ---------------------------------------------------------------- main

const OUTPUT = fileURLToPath(new URL('../test/vectors/agentmsg-protocol-example.json', import.meta.url))

function main (): void {
  const native = computeProtocolExample(nativePrimitives)
  const noble = computeProtocolExample(noblePrimitives)
  assert.deepEqual(noble, native, 'native and noble give the same example')
  if (process.argv.includes('--markdown')) {
    process.stdout.write(markdown(native))
    return
  }
  writeFileSync(OUTPUT, JSON.stringify(native, null, 2) + '\n')
  console.log(`wrote ${OUTPUT}: ${native.messages.length} messages, ${native.refreshChains.length} refresh chains, ${native.events.length} events`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main()
