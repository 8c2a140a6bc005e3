import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The value of an absent bytes field: shared, since a zero-length array cannot be written to (scripts/generate.sh). */
const EMPTY_BYTES = uint8ArrayAlloc(0)

export interface Credential {
  version: number
  subject: Uint8Array<ArrayBuffer>
  issuer: Uint8Array<ArrayBuffer>
  level: string
  issuedAt: number
  expiresAt: number
  signature: Uint8Array<ArrayBuffer>
}

export namespace Credential {
  let _codec: Codec<Credential>

  export const codec = (): Codec<Credential> => {
    if (_codec == null) {
      _codec = message<Credential>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.subject != null && obj.subject.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.subject)
        }

        if ((obj.issuer != null && obj.issuer.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.issuer)
        }

        if ((obj.level != null && obj.level !== '')) {
          w.uint32(34)
          w.string(obj.level)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.issuedAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.expiresAt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(122)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          subject: EMPTY_BYTES,
          issuer: EMPTY_BYTES,
          level: '',
          issuedAt: 0,
          expiresAt: 0,
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
              obj.subject = reader.bytes()
              break
            }
            case 3: {
              obj.issuer = reader.bytes()
              break
            }
            case 4: {
              obj.level = reader.string()
              break
            }
            case 5: {
              obj.issuedAt = reader.uint64Number()
              break
            }
            case 6: {
              obj.expiresAt = reader.uint64Number()
              break
            }
            case 15: {
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
                field: `${prefix}.subject`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuer`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.level`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 15: {
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

  export interface CredentialVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface CredentialSubjectFieldEvent {
    field: '$.subject'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CredentialIssuerFieldEvent {
    field: '$.issuer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CredentialLevelFieldEvent {
    field: '$.level'
    value: string
  }

  export interface CredentialIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export interface CredentialExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: number
  }

  export interface CredentialSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Credential>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Credential.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Credential>): Credential {
    return decodeMessage(buf, Credential.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Credential>): Generator<CredentialVersionFieldEvent | CredentialSubjectFieldEvent | CredentialIssuerFieldEvent | CredentialLevelFieldEvent | CredentialIssuedAtFieldEvent | CredentialExpiresAtFieldEvent | CredentialSignatureFieldEvent> {
    return streamMessage(buf, Credential.codec(), opts)
  }
}
