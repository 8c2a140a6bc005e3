import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The value of an absent bytes field: shared, since a zero-length array cannot be written to (scripts/generate.sh). */
const EMPTY_BYTES = uint8ArrayAlloc(0)

export interface DenDescriptor {
  version: number
  slug: string
  title: string
  kind: DenDescriptor.Kind
  owner: Uint8Array<ArrayBuffer>
  members: Uint8Array<ArrayBuffer>[]
  createdAt: number
  expiresAt: number
  nonce: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace DenDescriptor {
  export enum Kind {
    KIND_UNSPECIFIED = 'KIND_UNSPECIFIED',
    PUBLIC = 'PUBLIC',
    VERIFIED = 'VERIFIED',
    PRIVATE = 'PRIVATE',
    BOUNTY = 'BOUNTY'
  }

  enum __KindValues {
    KIND_UNSPECIFIED = 0,
    PUBLIC = 1,
    VERIFIED = 2,
    PRIVATE = 3,
    BOUNTY = 4
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<DenDescriptor>

  export const codec = (): Codec<DenDescriptor> => {
    if (_codec == null) {
      _codec = message<DenDescriptor>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.slug != null && obj.slug !== '')) {
          w.uint32(18)
          w.string(obj.slug)
        }

        if ((obj.title != null && obj.title !== '')) {
          w.uint32(26)
          w.string(obj.title)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(32)
          DenDescriptor.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.owner != null && obj.owner.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.owner)
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if ((obj.createdAt != null && obj.createdAt !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.createdAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.expiresAt)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.nonce)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          slug: '',
          title: '',
          kind: Kind.KIND_UNSPECIFIED,
          owner: EMPTY_BYTES,
          members: [],
          createdAt: 0,
          expiresAt: 0,
          nonce: EMPTY_BYTES,
          signature: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.slug = reader.string()
              break
            }
            case 3: {
              obj.title = reader.string()
              break
            }
            case 4: {
              obj.kind = DenDescriptor.Kind.codec().decode(reader)
              break
            }
            case 5: {
              obj.owner = reader.bytes()
              break
            }
            case 6: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(reader.bytes())
              break
            }
            case 7: {
              obj.createdAt = reader.uint64Number()
              break
            }
            case 8: {
              obj.expiresAt = reader.uint64Number()
              break
            }
            case 9: {
              obj.nonce = reader.bytes()
              break
            }
            case 10: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          members: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.slug`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.title`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.kind`,
                value: DenDescriptor.Kind.codec().decode(reader)
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.owner`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              yield {
                field: `${prefix}.members[]`,
                index: obj.members,
                value: reader.bytes()
              }

              obj.members++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DenDescriptorVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DenDescriptorSlugFieldEvent {
    field: '$.slug'
    value: string
  }

  export interface DenDescriptorTitleFieldEvent {
    field: '$.title'
    value: string
  }

  export interface DenDescriptorKindFieldEvent {
    field: '$.kind'
    value: DenDescriptor.Kind
  }

  export interface DenDescriptorOwnerFieldEvent {
    field: '$.owner'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenDescriptorMembersFieldEvent {
    field: '$.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenDescriptorCreatedAtFieldEvent {
    field: '$.createdAt'
    value: number
  }

  export interface DenDescriptorExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: number
  }

  export interface DenDescriptorNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenDescriptorSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DenDescriptor>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DenDescriptor.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenDescriptor>): DenDescriptor {
    return decodeMessage(buf, DenDescriptor.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenDescriptor>): Generator<DenDescriptorVersionFieldEvent | DenDescriptorSlugFieldEvent | DenDescriptorTitleFieldEvent | DenDescriptorKindFieldEvent | DenDescriptorOwnerFieldEvent | DenDescriptorMembersFieldEvent | DenDescriptorCreatedAtFieldEvent | DenDescriptorExpiresAtFieldEvent | DenDescriptorNonceFieldEvent | DenDescriptorSignatureFieldEvent> {
    return streamMessage(buf, DenDescriptor.codec(), opts)
  }
}

export interface DenRoster {
  denId: Uint8Array<ArrayBuffer>
  epoch: number
  members: Uint8Array<ArrayBuffer>[]
  issuedAt: number
  signature: Uint8Array<ArrayBuffer>
}

export namespace DenRoster {
  let _codec: Codec<DenRoster>

  export const codec = (): Codec<DenRoster> => {
    if (_codec == null) {
      _codec = message<DenRoster>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.denId != null && obj.denId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.denId)
        }

        if ((obj.epoch != null && obj.epoch !== 0)) {
          w.uint32(16)
          w.uint32(obj.epoch)
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.issuedAt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          denId: EMPTY_BYTES,
          epoch: 0,
          members: [],
          issuedAt: 0,
          signature: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.denId = reader.bytes()
              break
            }
            case 2: {
              obj.epoch = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(reader.bytes())
              break
            }
            case 4: {
              obj.issuedAt = reader.uint64Number()
              break
            }
            case 5: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          members: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.denId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              yield {
                field: `${prefix}.members[]`,
                index: obj.members,
                value: reader.bytes()
              }

              obj.members++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DenRosterDenIdFieldEvent {
    field: '$.denId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenRosterEpochFieldEvent {
    field: '$.epoch'
    value: number
  }

  export interface DenRosterMembersFieldEvent {
    field: '$.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenRosterIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export interface DenRosterSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DenRoster>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DenRoster.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenRoster>): DenRoster {
    return decodeMessage(buf, DenRoster.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenRoster>): Generator<DenRosterDenIdFieldEvent | DenRosterEpochFieldEvent | DenRosterMembersFieldEvent | DenRosterIssuedAtFieldEvent | DenRosterSignatureFieldEvent> {
    return streamMessage(buf, DenRoster.codec(), opts)
  }
}

export interface DenEnvelope {
  version: number
  id: Uint8Array<ArrayBuffer>
  denId: Uint8Array<ArrayBuffer>
  from: Uint8Array<ArrayBuffer>
  sentAt: number
  kind: DenEnvelope.Kind
  epoch: number
  iteration: number
  nonce: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
  credential: Uint8Array<ArrayBuffer>
  control: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace DenEnvelope {
  export enum Kind {
    KIND_UNSPECIFIED = 'KIND_UNSPECIFIED',
    POST = 'POST',
    ROSTER = 'ROSTER',
    DESTROY = 'DESTROY',
    ANNOUNCE = 'ANNOUNCE'
  }

  enum __KindValues {
    KIND_UNSPECIFIED = 0,
    POST = 1,
    ROSTER = 2,
    DESTROY = 3,
    ANNOUNCE = 4
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<DenEnvelope>

  export const codec = (): Codec<DenEnvelope> => {
    if (_codec == null) {
      _codec = message<DenEnvelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.id)
        }

        if ((obj.denId != null && obj.denId.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.denId)
        }

        if ((obj.from != null && obj.from.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.from)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.sentAt)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(48)
          DenEnvelope.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.epoch != null && obj.epoch !== 0)) {
          w.uint32(56)
          w.uint32(obj.epoch)
        }

        if ((obj.iteration != null && obj.iteration !== 0)) {
          w.uint32(64)
          w.uint32(obj.iteration)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.nonce)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.ciphertext)
        }

        if ((obj.credential != null && obj.credential.byteLength > 0)) {
          w.uint32(90)
          w.bytes(obj.credential)
        }

        if ((obj.control != null && obj.control.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.control)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(106)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          id: EMPTY_BYTES,
          denId: EMPTY_BYTES,
          from: EMPTY_BYTES,
          sentAt: 0,
          kind: Kind.KIND_UNSPECIFIED,
          epoch: 0,
          iteration: 0,
          nonce: EMPTY_BYTES,
          ciphertext: EMPTY_BYTES,
          credential: EMPTY_BYTES,
          control: EMPTY_BYTES,
          signature: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.id = reader.bytes()
              break
            }
            case 3: {
              obj.denId = reader.bytes()
              break
            }
            case 4: {
              obj.from = reader.bytes()
              break
            }
            case 5: {
              obj.sentAt = reader.uint64Number()
              break
            }
            case 6: {
              obj.kind = DenEnvelope.Kind.codec().decode(reader)
              break
            }
            case 7: {
              obj.epoch = reader.uint32()
              break
            }
            case 8: {
              obj.iteration = reader.uint32()
              break
            }
            case 9: {
              obj.nonce = reader.bytes()
              break
            }
            case 10: {
              obj.ciphertext = reader.bytes()
              break
            }
            case 11: {
              obj.credential = reader.bytes()
              break
            }
            case 12: {
              obj.control = reader.bytes()
              break
            }
            case 13: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.denId`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.from`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.kind`,
                value: DenEnvelope.Kind.codec().decode(reader)
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.iteration`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.ciphertext`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.credential`,
                value: reader.bytes()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.control`,
                value: reader.bytes()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DenEnvelopeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DenEnvelopeIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenEnvelopeDenIdFieldEvent {
    field: '$.denId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenEnvelopeFromFieldEvent {
    field: '$.from'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenEnvelopeSentAtFieldEvent {
    field: '$.sentAt'
    value: number
  }

  export interface DenEnvelopeKindFieldEvent {
    field: '$.kind'
    value: DenEnvelope.Kind
  }

  export interface DenEnvelopeEpochFieldEvent {
    field: '$.epoch'
    value: number
  }

  export interface DenEnvelopeIterationFieldEvent {
    field: '$.iteration'
    value: number
  }

  export interface DenEnvelopeNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenEnvelopeCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenEnvelopeCredentialFieldEvent {
    field: '$.credential'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenEnvelopeControlFieldEvent {
    field: '$.control'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenEnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DenEnvelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DenEnvelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenEnvelope>): DenEnvelope {
    return decodeMessage(buf, DenEnvelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenEnvelope>): Generator<DenEnvelopeVersionFieldEvent | DenEnvelopeIdFieldEvent | DenEnvelopeDenIdFieldEvent | DenEnvelopeFromFieldEvent | DenEnvelopeSentAtFieldEvent | DenEnvelopeKindFieldEvent | DenEnvelopeEpochFieldEvent | DenEnvelopeIterationFieldEvent | DenEnvelopeNonceFieldEvent | DenEnvelopeCiphertextFieldEvent | DenEnvelopeCredentialFieldEvent | DenEnvelopeControlFieldEvent | DenEnvelopeSignatureFieldEvent> {
    return streamMessage(buf, DenEnvelope.codec(), opts)
  }
}

export interface DenKey {
  denId: Uint8Array<ArrayBuffer>
  epoch: number
  chainKey: Uint8Array<ArrayBuffer>
  iteration: number
}

export namespace DenKey {
  let _codec: Codec<DenKey>

  export const codec = (): Codec<DenKey> => {
    if (_codec == null) {
      _codec = message<DenKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.denId != null && obj.denId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.denId)
        }

        if ((obj.epoch != null && obj.epoch !== 0)) {
          w.uint32(16)
          w.uint32(obj.epoch)
        }

        if ((obj.chainKey != null && obj.chainKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.chainKey)
        }

        if ((obj.iteration != null && obj.iteration !== 0)) {
          w.uint32(32)
          w.uint32(obj.iteration)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          denId: EMPTY_BYTES,
          epoch: 0,
          chainKey: EMPTY_BYTES,
          iteration: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.denId = reader.bytes()
              break
            }
            case 2: {
              obj.epoch = reader.uint32()
              break
            }
            case 3: {
              obj.chainKey = reader.bytes()
              break
            }
            case 4: {
              obj.iteration = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.denId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.chainKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.iteration`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DenKeyDenIdFieldEvent {
    field: '$.denId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenKeyEpochFieldEvent {
    field: '$.epoch'
    value: number
  }

  export interface DenKeyChainKeyFieldEvent {
    field: '$.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenKeyIterationFieldEvent {
    field: '$.iteration'
    value: number
  }

  export function encode (obj: Partial<DenKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DenKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenKey>): DenKey {
    return decodeMessage(buf, DenKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenKey>): Generator<DenKeyDenIdFieldEvent | DenKeyEpochFieldEvent | DenKeyChainKeyFieldEvent | DenKeyIterationFieldEvent> {
    return streamMessage(buf, DenKey.codec(), opts)
  }
}

export interface DenControl {
  descriptor: Uint8Array<ArrayBuffer>
  roster: Uint8Array<ArrayBuffer>
  key?: DenKey
  destroy: Uint8Array<ArrayBuffer>
}

export namespace DenControl {
  let _codec: Codec<DenControl>

  export const codec = (): Codec<DenControl> => {
    if (_codec == null) {
      _codec = message<DenControl>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.descriptor != null && obj.descriptor.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.descriptor)
        }

        if ((obj.roster != null && obj.roster.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.roster)
        }

        if (obj.key != null) {
          w.uint32(26)
          DenKey.codec().encode(obj.key, w)
        }

        if ((obj.destroy != null && obj.destroy.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.destroy)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          descriptor: EMPTY_BYTES,
          roster: EMPTY_BYTES,
          destroy: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.descriptor = reader.bytes()
              break
            }
            case 2: {
              obj.roster = reader.bytes()
              break
            }
            case 3: {
              obj.key = DenKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.key
              })
              break
            }
            case 4: {
              obj.destroy = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.descriptor`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.roster`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * DenKey.codec().stream(reader, reader.uint32(), `${prefix}.key`, {
                limits: opts.limits?.key
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.destroy`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DenControlDescriptorFieldEvent {
    field: '$.descriptor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenControlRosterFieldEvent {
    field: '$.roster'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenControlKeyDenIdFieldEvent {
    field: '$.key.denId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenControlKeyEpochFieldEvent {
    field: '$.key.epoch'
    value: number
  }

  export interface DenControlKeyChainKeyFieldEvent {
    field: '$.key.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenControlKeyIterationFieldEvent {
    field: '$.key.iteration'
    value: number
  }

  export interface DenControlDestroyFieldEvent {
    field: '$.destroy'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DenControl>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DenControl.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenControl>): DenControl {
    return decodeMessage(buf, DenControl.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenControl>): Generator<DenControlDescriptorFieldEvent | DenControlRosterFieldEvent | DenControlKeyDenIdFieldEvent | DenControlKeyEpochFieldEvent | DenControlKeyChainKeyFieldEvent | DenControlKeyIterationFieldEvent | DenControlDestroyFieldEvent> {
    return streamMessage(buf, DenControl.codec(), opts)
  }
}

export interface DenSyncRequest {
  version: number
  denId: Uint8Array<ArrayBuffer>
  since: number
  limit: number
}

export namespace DenSyncRequest {
  let _codec: Codec<DenSyncRequest>

  export const codec = (): Codec<DenSyncRequest> => {
    if (_codec == null) {
      _codec = message<DenSyncRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.denId != null && obj.denId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.denId)
        }

        if ((obj.since != null && obj.since !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.since)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(32)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          denId: EMPTY_BYTES,
          since: 0,
          limit: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.denId = reader.bytes()
              break
            }
            case 3: {
              obj.since = reader.uint64Number()
              break
            }
            case 4: {
              obj.limit = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.denId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.since`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DenSyncRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DenSyncRequestDenIdFieldEvent {
    field: '$.denId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenSyncRequestSinceFieldEvent {
    field: '$.since'
    value: number
  }

  export interface DenSyncRequestLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<DenSyncRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DenSyncRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenSyncRequest>): DenSyncRequest {
    return decodeMessage(buf, DenSyncRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenSyncRequest>): Generator<DenSyncRequestVersionFieldEvent | DenSyncRequestDenIdFieldEvent | DenSyncRequestSinceFieldEvent | DenSyncRequestLimitFieldEvent> {
    return streamMessage(buf, DenSyncRequest.codec(), opts)
  }
}

export interface DenSyncResponse {
  envelopes: Uint8Array<ArrayBuffer>[]
  hasMore: boolean
  roster: Uint8Array<ArrayBuffer>
  error: string
}

export namespace DenSyncResponse {
  let _codec: Codec<DenSyncResponse>

  export const codec = (): Codec<DenSyncResponse> => {
    if (_codec == null) {
      _codec = message<DenSyncResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.envelopes != null && obj.envelopes.length > 0) {
          for (const value of obj.envelopes) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if ((obj.hasMore != null && obj.hasMore !== false)) {
          w.uint32(16)
          w.bool(obj.hasMore)
        }

        if ((obj.roster != null && obj.roster.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.roster)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(34)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          envelopes: [],
          hasMore: false,
          roster: EMPTY_BYTES,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              obj.envelopes.push(reader.bytes())
              break
            }
            case 2: {
              obj.hasMore = reader.bool()
              break
            }
            case 3: {
              obj.roster = reader.bytes()
              break
            }
            case 4: {
              obj.error = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          envelopes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.envelopes != null && obj.envelopes === opts.limits.envelopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              yield {
                field: `${prefix}.envelopes[]`,
                index: obj.envelopes,
                value: reader.bytes()
              }

              obj.envelopes++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.hasMore`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.roster`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DenSyncResponseEnvelopesFieldEvent {
    field: '$.envelopes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenSyncResponseHasMoreFieldEvent {
    field: '$.hasMore'
    value: boolean
  }

  export interface DenSyncResponseRosterFieldEvent {
    field: '$.roster'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenSyncResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<DenSyncResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DenSyncResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenSyncResponse>): DenSyncResponse {
    return decodeMessage(buf, DenSyncResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenSyncResponse>): Generator<DenSyncResponseEnvelopesFieldEvent | DenSyncResponseHasMoreFieldEvent | DenSyncResponseRosterFieldEvent | DenSyncResponseErrorFieldEvent> {
    return streamMessage(buf, DenSyncResponse.codec(), opts)
  }
}
