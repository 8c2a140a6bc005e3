/**
 * Den descriptors and rosters: owner-signed records that say what a den is
 * and who is in it (docs/protocol.md §18.1–18.2).
 *
 * Signed bytes are `domain || protobuf encoding with the signature field
 * empty`; a record is accepted only in its canonical encoding (re-encoding
 * it gives the same bytes), so a signature covers exactly one byte string.
 */
import { concatBytes, equalBytes } from '../../crypto/bytes.js'
import { EncodingError } from '../../crypto/errors.js'
import { publicKeyFromPeerIdBytes } from '../../crypto/index.js'
import { peerIdBytesOf, peerIdString } from '../peer-id.js'
import {
  DEN_ID_BYTES, DEN_VERSION, DESCRIPTOR_NONCE_BYTES, MAX_DESCRIPTOR_BYTES, MAX_MEMBERS, MAX_SLUG_LENGTH, MAX_TITLE_LENGTH
} from './constants.js'
import { DenEncodingError, DenOptionsError, DenSignatureError } from './errors.js'
import { DenDescriptor, DenRoster } from './den.pb.js'
import type { Identity, Primitives } from '../../crypto/index.js'

export type DenKind = 'public' | 'verified' | 'private' | 'bounty'
export const DEN_KINDS: readonly DenKind[] = ['public', 'verified', 'private', 'bounty']

const KIND_TO_WIRE: Record<DenKind, DenDescriptor.Kind> = {
  public: DenDescriptor.Kind.PUBLIC,
  verified: DenDescriptor.Kind.VERIFIED,
  private: DenDescriptor.Kind.PRIVATE,
  bounty: DenDescriptor.Kind.BOUNTY
}

const DESCRIPTOR_DOMAIN = new TextEncoder().encode('agentmsg/v1/den-descriptor\0')
const ROSTER_DOMAIN = new TextEncoder().encode('agentmsg/v1/den-roster\0')
const SLUG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/

/** A verified descriptor, with what the code needs at hand. */
export interface Den {
  /** 32 hex characters */
  id: string
  kind: DenKind
  slug: string
  title: string
  owner: string
  /** the first roster (epoch 0) */
  members: string[]
  createdAt: number
  expiresAt?: number
  /** the signed descriptor as it travels */
  bytes: Uint8Array
}

/** A verified roster. */
export interface Roster {
  denId: string
  epoch: number
  members: string[]
  issuedAt: number
  bytes: Uint8Array
}

export interface DescriptorFields {
  slug: string
  title: string
  kind: DenKind
  /** PeerId strings; the owner is added if missing */
  members?: string[]
  createdAt?: number
  expiresAt?: number
}

/** Whether dens of this kind encrypt with sender keys and check membership. */
export function isPrivateKind (kind: DenKind): boolean {
  return kind === 'private' || kind === 'bounty'
}

export function denTopic (denId: string): string {
  return `/agentmsg/den/${denId}`
}

export function signDescriptor (prims: Primitives, owner: Identity, fields: DescriptorFields): Den {
  checkFields(fields)
  const ownerId = peerIdString(owner.peerId)
  const members = [...new Set([ownerId, ...(fields.members ?? [])])]
  if (members.length > MAX_MEMBERS) throw new DenOptionsError(`a den has at most ${MAX_MEMBERS} members`)
  const descriptor: DenDescriptor = {
    version: DEN_VERSION,
    slug: fields.slug,
    title: fields.title,
    kind: KIND_TO_WIRE[fields.kind],
    owner: buf(owner.peerId.slice()),
    members: members.map(m => buf(peerBytes(m))),
    createdAt: fields.createdAt ?? Date.now(),
    expiresAt: fields.expiresAt ?? 0,
    nonce: buf(prims.randomBytes(DESCRIPTOR_NONCE_BYTES)),
    signature: new Uint8Array(0)
  }
  descriptor.signature = buf(owner.sign(prims, descriptorInput(descriptor)))
  return verifyDescriptor(prims, DenDescriptor.encode(descriptor))
}

/** Decode with limits, check the rules and the owner's signature. Throws `DenEncodingError` or `DenSignatureError`. */
export function verifyDescriptor (prims: Primitives, bytes: Uint8Array): Den {
  if (bytes.length > MAX_DESCRIPTOR_BYTES) throw new DenEncodingError(`den descriptor: ${bytes.length} bytes exceeds ${MAX_DESCRIPTOR_BYTES}`)
  let d: DenDescriptor
  try {
    d = DenDescriptor.decode(bytes, { limits: { members: MAX_MEMBERS } })
  } catch (err) {
    throw new DenEncodingError(`den descriptor: ${(err as Error).message}`)
  }
  if (d.version !== DEN_VERSION) throw new DenEncodingError(`den descriptor: unknown version ${d.version}`)
  const kind = DEN_KINDS.find(k => KIND_TO_WIRE[k] === d.kind)
  if (kind == null) throw new DenEncodingError('den descriptor: unknown kind')
  try {
    checkFields({ slug: d.slug, title: d.title, kind })
  } catch (err) {
    throw new DenEncodingError(`den descriptor: ${(err as Error).message}`)
  }
  if (d.nonce.length !== DESCRIPTOR_NONCE_BYTES) throw new DenEncodingError('den descriptor: nonce must be 16 bytes')
  if (d.signature.length !== 64) throw new DenEncodingError('den descriptor: signature must be 64 bytes')
  if (!Number.isSafeInteger(d.createdAt) || !Number.isSafeInteger(d.expiresAt)) throw new DenEncodingError('den descriptor: time out of range')
  const owner = toPeer(d.owner, 'owner')
  const members = d.members.map(m => toPeer(m, 'member'))
  if (!members.includes(owner)) throw new DenEncodingError('den descriptor: the owner must be a member')
  if (new Set(members).size !== members.length) throw new DenEncodingError('den descriptor: a member is listed twice')
  if (!equalBytes(DenDescriptor.encode(d), bytes)) throw new DenEncodingError('den descriptor: not in canonical encoding')
  const input = descriptorInput(d)
  if (!prims.ed25519Verify(publicKeyOf(d.owner), input, d.signature)) throw new DenSignatureError('den descriptor: signature does not verify against the owner')
  return {
    id: Buffer.from(prims.sha256(input).subarray(0, DEN_ID_BYTES)).toString('hex'),
    kind,
    slug: d.slug,
    title: d.title,
    owner,
    members,
    createdAt: d.createdAt,
    ...(d.expiresAt === 0 ? {} : { expiresAt: d.expiresAt }),
    bytes: bytes.slice()
  }
}

/** The roster of epoch 0, as the descriptor has it. */
export function firstRoster (den: Den): Roster {
  return { denId: den.id, epoch: 0, members: den.members, issuedAt: den.createdAt, bytes: new Uint8Array(0) }
}

export function signRoster (prims: Primitives, owner: Identity, den: Den, epoch: number, members: string[]): Roster {
  const all = [...new Set([den.owner, ...members])]
  if (all.length > MAX_MEMBERS) throw new DenOptionsError(`a den has at most ${MAX_MEMBERS} members`)
  const roster: DenRoster = {
    denId: buf(Buffer.from(den.id, 'hex')),
    epoch,
    members: all.map(m => buf(peerBytes(m))),
    issuedAt: Date.now(),
    signature: new Uint8Array(0)
  }
  roster.signature = buf(owner.sign(prims, rosterInput(roster)))
  return verifyRoster(prims, den, DenRoster.encode(roster))
}

/** A roster for `den`, signed by its owner, that keeps the owner in. */
export function verifyRoster (prims: Primitives, den: Den, bytes: Uint8Array): Roster {
  if (bytes.length > MAX_DESCRIPTOR_BYTES) throw new DenEncodingError('den roster: too large')
  let r: DenRoster
  try {
    r = DenRoster.decode(bytes, { limits: { members: MAX_MEMBERS } })
  } catch (err) {
    throw new DenEncodingError(`den roster: ${(err as Error).message}`)
  }
  if (Buffer.from(r.denId).toString('hex') !== den.id) throw new DenEncodingError('den roster: for another den')
  if (r.signature.length !== 64 || !Number.isSafeInteger(r.issuedAt)) throw new DenEncodingError('den roster: malformed')
  const members = r.members.map(m => toPeer(m, 'member'))
  if (!members.includes(den.owner)) throw new DenEncodingError('den roster: the owner must be a member')
  if (new Set(members).size !== members.length) throw new DenEncodingError('den roster: a member is listed twice')
  if (!equalBytes(DenRoster.encode(r), bytes)) throw new DenEncodingError('den roster: not in canonical encoding')
  if (!prims.ed25519Verify(publicKeyOf(peerBytes(den.owner)), rosterInput(r), r.signature)) throw new DenSignatureError('den roster: signature does not verify against the owner')
  return { denId: den.id, epoch: r.epoch, members, issuedAt: r.issuedAt, bytes: bytes.slice() }
}

function checkFields (fields: Pick<DescriptorFields, 'slug' | 'title' | 'kind'>): void {
  if (typeof fields.slug !== 'string' || fields.slug.length > MAX_SLUG_LENGTH || !SLUG.test(fields.slug)) {
    throw new DenOptionsError(`slug: 1 to ${MAX_SLUG_LENGTH} lowercase letters, digits and inner dashes`)
  }
  if (typeof fields.title !== 'string' || fields.title.length === 0 || [...fields.title].length > MAX_TITLE_LENGTH) {
    throw new DenOptionsError(`title: 1 to ${MAX_TITLE_LENGTH} characters`)
  }
  if (!DEN_KINDS.includes(fields.kind)) throw new DenOptionsError(`kind: one of ${DEN_KINDS.join(', ')}`)
}

function descriptorInput (d: DenDescriptor): Uint8Array {
  return concatBytes(DESCRIPTOR_DOMAIN, DenDescriptor.encode({ ...d, signature: new Uint8Array(0) }))
}

function rosterInput (r: DenRoster): Uint8Array {
  return concatBytes(ROSTER_DOMAIN, DenRoster.encode({ ...r, signature: new Uint8Array(0) }))
}

/** protons' types want ArrayBuffer-backed arrays; ours are. */
export function buf (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>
}


function toPeer (bytes: Uint8Array, what: string): string {
  try {
    return peerIdString(bytes)
  } catch {
    throw new DenEncodingError(`den: ${what} is not an Ed25519 peer id`)
  }
}

/** PeerId bytes of a PeerId string (an Ed25519 identity multihash). */
export function peerBytes (peer: string): Uint8Array {
  try {
    return peerIdBytesOf(peer)
  } catch {
    throw new DenOptionsError(`not an agent peer id: ${peer}`)
  }
}

function publicKeyOf (peerIdBytes: Uint8Array): Uint8Array {
  try {
    return publicKeyFromPeerIdBytes(peerIdBytes)
  } catch (err) {
    if (err instanceof EncodingError) throw new DenEncodingError(err.message)
    throw err
  }
}
