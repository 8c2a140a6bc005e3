import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The value of an absent bytes field: shared, since a zero-length array cannot be written to (scripts/generate.sh). */
const EMPTY_BYTES = uint8ArrayAlloc(0)

export interface MediaRef {
  url: string
  mimeType: string
  size: number
  sha256: Uint8Array<ArrayBuffer>
}

export namespace MediaRef {
  let _codec: Codec<MediaRef>

  export const codec = (): Codec<MediaRef> => {
    if (_codec == null) {
      _codec = message<MediaRef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.url != null && obj.url !== '')) {
          w.uint32(10)
          w.string(obj.url)
        }

        if ((obj.mimeType != null && obj.mimeType !== '')) {
          w.uint32(18)
          w.string(obj.mimeType)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if ((obj.sha256 != null && obj.sha256.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.sha256)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          url: '',
          mimeType: '',
          size: 0,
          sha256: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.url = reader.string()
              break
            }
            case 2: {
              obj.mimeType = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              obj.sha256 = reader.bytes()
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
                field: `${prefix}.url`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.mimeType`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sha256`,
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

  export interface MediaRefUrlFieldEvent {
    field: '$.url'
    value: string
  }

  export interface MediaRefMimeTypeFieldEvent {
    field: '$.mimeType'
    value: string
  }

  export interface MediaRefSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface MediaRefSha256FieldEvent {
    field: '$.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MediaRef>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MediaRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MediaRef>): MediaRef {
    return decodeMessage(buf, MediaRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MediaRef>): Generator<MediaRefUrlFieldEvent | MediaRefMimeTypeFieldEvent | MediaRefSizeFieldEvent | MediaRefSha256FieldEvent> {
    return streamMessage(buf, MediaRef.codec(), opts)
  }
}

export interface TaskFields {
  taskId: string
  skill: string
  deadline: number
  idempotencyKey: string
  state: string
}

export namespace TaskFields {
  let _codec: Codec<TaskFields>

  export const codec = (): Codec<TaskFields> => {
    if (_codec == null) {
      _codec = message<TaskFields>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.skill != null && obj.skill !== '')) {
          w.uint32(18)
          w.string(obj.skill)
        }

        if ((obj.deadline != null && obj.deadline !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.deadline)
        }

        if ((obj.idempotencyKey != null && obj.idempotencyKey !== '')) {
          w.uint32(34)
          w.string(obj.idempotencyKey)
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(42)
          w.string(obj.state)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          skill: '',
          deadline: 0,
          idempotencyKey: '',
          state: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.skill = reader.string()
              break
            }
            case 3: {
              obj.deadline = reader.uint64Number()
              break
            }
            case 4: {
              obj.idempotencyKey = reader.string()
              break
            }
            case 5: {
              obj.state = reader.string()
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
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.skill`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.deadline`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.idempotencyKey`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.state`,
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

  export interface TaskFieldsTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskFieldsSkillFieldEvent {
    field: '$.skill'
    value: string
  }

  export interface TaskFieldsDeadlineFieldEvent {
    field: '$.deadline'
    value: number
  }

  export interface TaskFieldsIdempotencyKeyFieldEvent {
    field: '$.idempotencyKey'
    value: string
  }

  export interface TaskFieldsStateFieldEvent {
    field: '$.state'
    value: string
  }

  export function encode (obj: Partial<TaskFields>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskFields.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFields>): TaskFields {
    return decodeMessage(buf, TaskFields.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFields>): Generator<TaskFieldsTaskIdFieldEvent | TaskFieldsSkillFieldEvent | TaskFieldsDeadlineFieldEvent | TaskFieldsIdempotencyKeyFieldEvent | TaskFieldsStateFieldEvent> {
    return streamMessage(buf, TaskFields.codec(), opts)
  }
}

export interface Receipt {
  kind: Receipt.Kind
  messageIds: string[]
  taskId: string
}

export namespace Receipt {
  export enum Kind {
    KIND_UNSPECIFIED = 'KIND_UNSPECIFIED',
    DELIVERED = 'DELIVERED',
    READ = 'READ',
    PROCESSED = 'PROCESSED'
  }

  enum __KindValues {
    KIND_UNSPECIFIED = 0,
    DELIVERED = 1,
    READ = 2,
    PROCESSED = 3
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<Receipt>

  export const codec = (): Codec<Receipt> => {
    if (_codec == null) {
      _codec = message<Receipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          Receipt.Kind.codec().encode(obj.kind, w)
        }

        if (obj.messageIds != null && obj.messageIds.length > 0) {
          for (const value of obj.messageIds) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(26)
          w.string(obj.taskId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.KIND_UNSPECIFIED,
          messageIds: [],
          taskId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = Receipt.Kind.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.messageIds != null && obj.messageIds.length === opts.limits.messageIds) {
                throw new MaxLengthError('Decode error - repeated field "messageIds" had too many elements')
              }

              obj.messageIds.push(reader.string())
              break
            }
            case 3: {
              obj.taskId = reader.string()
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
          messageIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: Receipt.Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.messageIds != null && obj.messageIds === opts.limits.messageIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "messageIds" had too many elements')
              }

              yield {
                field: `${prefix}.messageIds[]`,
                index: obj.messageIds,
                value: reader.string()
              }

              obj.messageIds++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.taskId`,
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

  export interface ReceiptKindFieldEvent {
    field: '$.kind'
    value: Receipt.Kind
  }

  export interface ReceiptMessageIdsFieldEvent {
    field: '$.messageIds[]'
    index: number
    value: string
  }

  export interface ReceiptTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export function encode (obj: Partial<Receipt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Receipt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Receipt {
    return decodeMessage(buf, Receipt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Generator<ReceiptKindFieldEvent | ReceiptMessageIdsFieldEvent | ReceiptTaskIdFieldEvent> {
    return streamMessage(buf, Receipt.codec(), opts)
  }
}

export interface Consent {
  decision: Consent.Decision
  messageIds: string[]
}

export namespace Consent {
  export enum Decision {
    DECISION_UNSPECIFIED = 'DECISION_UNSPECIFIED',
    ACCEPTED = 'ACCEPTED',
    DECLINED = 'DECLINED'
  }

  enum __DecisionValues {
    DECISION_UNSPECIFIED = 0,
    ACCEPTED = 1,
    DECLINED = 2
  }

  export namespace Decision {
    export const codec = (): Codec<Decision> => {
      return enumeration<Decision>(__DecisionValues)
    }
  }

  let _codec: Codec<Consent>

  export const codec = (): Codec<Consent> => {
    if (_codec == null) {
      _codec = message<Consent>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.decision != null && __DecisionValues[obj.decision] !== 0) {
          w.uint32(8)
          Consent.Decision.codec().encode(obj.decision, w)
        }

        if (obj.messageIds != null && obj.messageIds.length > 0) {
          for (const value of obj.messageIds) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          decision: Decision.DECISION_UNSPECIFIED,
          messageIds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.decision = Consent.Decision.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.messageIds != null && obj.messageIds.length === opts.limits.messageIds) {
                throw new MaxLengthError('Decode error - repeated field "messageIds" had too many elements')
              }

              obj.messageIds.push(reader.string())
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
          messageIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.decision`,
                value: Consent.Decision.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.messageIds != null && obj.messageIds === opts.limits.messageIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "messageIds" had too many elements')
              }

              yield {
                field: `${prefix}.messageIds[]`,
                index: obj.messageIds,
                value: reader.string()
              }

              obj.messageIds++

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

  export interface ConsentDecisionFieldEvent {
    field: '$.decision'
    value: Consent.Decision
  }

  export interface ConsentMessageIdsFieldEvent {
    field: '$.messageIds[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Consent>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Consent.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Consent>): Consent {
    return decodeMessage(buf, Consent.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Consent>): Generator<ConsentDecisionFieldEvent | ConsentMessageIdsFieldEvent> {
    return streamMessage(buf, Consent.codec(), opts)
  }
}

export interface Body {
  type: string
  content: string
  payload: string
  media?: MediaRef
  metadata: string
  replyTo: string
  conversationId: string
  expiresAt?: number
  task?: TaskFields
  receipt?: Receipt
  den: Uint8Array<ArrayBuffer>
  consent?: Consent
  padding: Uint8Array<ArrayBuffer>
}

export namespace Body {
  let _codec: Codec<Body>

  export const codec = (): Codec<Body> => {
    if (_codec == null) {
      _codec = message<Body>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(10)
          w.string(obj.type)
        }

        if ((obj.content != null && obj.content !== '')) {
          w.uint32(18)
          w.string(obj.content)
        }

        if ((obj.payload != null && obj.payload !== '')) {
          w.uint32(26)
          w.string(obj.payload)
        }

        if (obj.media != null) {
          w.uint32(34)
          MediaRef.codec().encode(obj.media, w)
        }

        if ((obj.metadata != null && obj.metadata !== '')) {
          w.uint32(42)
          w.string(obj.metadata)
        }

        if ((obj.replyTo != null && obj.replyTo !== '')) {
          w.uint32(50)
          w.string(obj.replyTo)
        }

        if ((obj.conversationId != null && obj.conversationId !== '')) {
          w.uint32(58)
          w.string(obj.conversationId)
        }

        if (obj.expiresAt != null) {
          w.uint32(64)
          w.uint64Number(obj.expiresAt)
        }

        if (obj.task != null) {
          w.uint32(74)
          TaskFields.codec().encode(obj.task, w)
        }

        if (obj.receipt != null) {
          w.uint32(82)
          Receipt.codec().encode(obj.receipt, w)
        }

        if ((obj.den != null && obj.den.byteLength > 0)) {
          w.uint32(90)
          w.bytes(obj.den)
        }

        if (obj.consent != null) {
          w.uint32(98)
          Consent.codec().encode(obj.consent, w)
        }

        if ((obj.padding != null && obj.padding.byteLength > 0)) {
          w.uint32(122)
          w.bytes(obj.padding)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: '',
          content: '',
          payload: '',
          metadata: '',
          replyTo: '',
          conversationId: '',
          den: EMPTY_BYTES,
          padding: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = reader.string()
              break
            }
            case 2: {
              obj.content = reader.string()
              break
            }
            case 3: {
              obj.payload = reader.string()
              break
            }
            case 4: {
              obj.media = MediaRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.media
              })
              break
            }
            case 5: {
              obj.metadata = reader.string()
              break
            }
            case 6: {
              obj.replyTo = reader.string()
              break
            }
            case 7: {
              obj.conversationId = reader.string()
              break
            }
            case 8: {
              obj.expiresAt = reader.uint64Number()
              break
            }
            case 9: {
              obj.task = TaskFields.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.task
              })
              break
            }
            case 10: {
              obj.receipt = Receipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipt
              })
              break
            }
            case 11: {
              obj.den = reader.bytes()
              break
            }
            case 12: {
              obj.consent = Consent.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.consent
              })
              break
            }
            case 15: {
              obj.padding = reader.bytes()
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
                field: `${prefix}.type`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.content`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.payload`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield * MediaRef.codec().stream(reader, reader.uint32(), `${prefix}.media`, {
                limits: opts.limits?.media
              })

              break
            }
            case 5: {
              yield {
                field: `${prefix}.metadata`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.replyTo`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.conversationId`,
                value: reader.string()
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
              yield * TaskFields.codec().stream(reader, reader.uint32(), `${prefix}.task`, {
                limits: opts.limits?.task
              })

              break
            }
            case 10: {
              yield * Receipt.codec().stream(reader, reader.uint32(), `${prefix}.receipt`, {
                limits: opts.limits?.receipt
              })

              break
            }
            case 11: {
              yield {
                field: `${prefix}.den`,
                value: reader.bytes()
              }
              break
            }
            case 12: {
              yield * Consent.codec().stream(reader, reader.uint32(), `${prefix}.consent`, {
                limits: opts.limits?.consent
              })

              break
            }
            case 15: {
              yield {
                field: `${prefix}.padding`,
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

  export interface BodyTypeFieldEvent {
    field: '$.type'
    value: string
  }

  export interface BodyContentFieldEvent {
    field: '$.content'
    value: string
  }

  export interface BodyPayloadFieldEvent {
    field: '$.payload'
    value: string
  }

  export interface BodyMediaUrlFieldEvent {
    field: '$.media.url'
    value: string
  }

  export interface BodyMediaMimeTypeFieldEvent {
    field: '$.media.mimeType'
    value: string
  }

  export interface BodyMediaSizeFieldEvent {
    field: '$.media.size'
    value: number
  }

  export interface BodyMediaSha256FieldEvent {
    field: '$.media.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BodyMetadataFieldEvent {
    field: '$.metadata'
    value: string
  }

  export interface BodyReplyToFieldEvent {
    field: '$.replyTo'
    value: string
  }

  export interface BodyConversationIdFieldEvent {
    field: '$.conversationId'
    value: string
  }

  export interface BodyExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: number
  }

  export interface BodyTaskTaskIdFieldEvent {
    field: '$.task.taskId'
    value: string
  }

  export interface BodyTaskSkillFieldEvent {
    field: '$.task.skill'
    value: string
  }

  export interface BodyTaskDeadlineFieldEvent {
    field: '$.task.deadline'
    value: number
  }

  export interface BodyTaskIdempotencyKeyFieldEvent {
    field: '$.task.idempotencyKey'
    value: string
  }

  export interface BodyTaskStateFieldEvent {
    field: '$.task.state'
    value: string
  }

  export interface BodyReceiptKindFieldEvent {
    field: '$.receipt.kind'
    value: Receipt.Kind
  }

  export interface BodyReceiptMessageIdsFieldEvent {
    field: '$.receipt.messageIds[]'
    index: number
    value: string
  }

  export interface BodyReceiptTaskIdFieldEvent {
    field: '$.receipt.taskId'
    value: string
  }

  export interface BodyDenFieldEvent {
    field: '$.den'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BodyConsentDecisionFieldEvent {
    field: '$.consent.decision'
    value: Consent.Decision
  }

  export interface BodyConsentMessageIdsFieldEvent {
    field: '$.consent.messageIds[]'
    index: number
    value: string
  }

  export interface BodyPaddingFieldEvent {
    field: '$.padding'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Body>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Body.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Body>): Body {
    return decodeMessage(buf, Body.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Body>): Generator<BodyTypeFieldEvent | BodyContentFieldEvent | BodyPayloadFieldEvent | BodyMediaUrlFieldEvent | BodyMediaMimeTypeFieldEvent | BodyMediaSizeFieldEvent | BodyMediaSha256FieldEvent | BodyMetadataFieldEvent | BodyReplyToFieldEvent | BodyConversationIdFieldEvent | BodyExpiresAtFieldEvent | BodyTaskTaskIdFieldEvent | BodyTaskSkillFieldEvent | BodyTaskDeadlineFieldEvent | BodyTaskIdempotencyKeyFieldEvent | BodyTaskStateFieldEvent | BodyReceiptKindFieldEvent | BodyReceiptMessageIdsFieldEvent | BodyReceiptTaskIdFieldEvent | BodyDenFieldEvent | BodyConsentDecisionFieldEvent | BodyConsentMessageIdsFieldEvent | BodyPaddingFieldEvent> {
    return streamMessage(buf, Body.codec(), opts)
  }
}
