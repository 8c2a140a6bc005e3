import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The value of an absent bytes field: shared, since a zero-length array cannot be written to (scripts/generate.sh). */
const EMPTY_BYTES = uint8ArrayAlloc(0)

export interface Envelope {
  version: number
  id: Uint8Array<ArrayBuffer>
  from: Uint8Array<ArrayBuffer>
  to: Uint8Array<ArrayBuffer>
  sentAt: number
  kind: Envelope.Kind
  header: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Envelope {
  export enum Kind {
    KIND_UNSPECIFIED = 'KIND_UNSPECIFIED',
    DIRECT = 'DIRECT'
  }

  enum __KindValues {
    KIND_UNSPECIFIED = 0,
    DIRECT = 1
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
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

        if ((obj.from != null && obj.from.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.from)
        }

        if ((obj.to != null && obj.to.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.to)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.sentAt)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(48)
          Envelope.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.header != null && obj.header.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.header)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.ciphertext)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          id: EMPTY_BYTES,
          from: EMPTY_BYTES,
          to: EMPTY_BYTES,
          sentAt: 0,
          kind: Kind.KIND_UNSPECIFIED,
          header: EMPTY_BYTES,
          ciphertext: EMPTY_BYTES,
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
              obj.from = reader.bytes()
              break
            }
            case 4: {
              obj.to = reader.bytes()
              break
            }
            case 5: {
              obj.sentAt = reader.uint64Number()
              break
            }
            case 6: {
              obj.kind = Envelope.Kind.codec().decode(reader)
              break
            }
            case 7: {
              obj.header = reader.bytes()
              break
            }
            case 8: {
              obj.ciphertext = reader.bytes()
              break
            }
            case 9: {
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
                field: `${prefix}.from`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.to`,
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
                value: Envelope.Kind.codec().decode(reader)
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.header`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.ciphertext`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
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

  export interface EnvelopeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface EnvelopeIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeFromFieldEvent {
    field: '$.from'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeToFieldEvent {
    field: '$.to'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSentAtFieldEvent {
    field: '$.sentAt'
    value: number
  }

  export interface EnvelopeKindFieldEvent {
    field: '$.kind'
    value: Envelope.Kind
  }

  export interface EnvelopeHeaderFieldEvent {
    field: '$.header'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeVersionFieldEvent | EnvelopeIdFieldEvent | EnvelopeFromFieldEvent | EnvelopeToFieldEvent | EnvelopeSentAtFieldEvent | EnvelopeKindFieldEvent | EnvelopeHeaderFieldEvent | EnvelopeCiphertextFieldEvent | EnvelopeSignatureFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}
