import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The value of an absent bytes field: shared, since a zero-length array cannot be written to (scripts/generate.sh). */
const EMPTY_BYTES = uint8ArrayAlloc(0)

export interface X3dhHeader {
  ephemeralKey: Uint8Array<ArrayBuffer>
  signedPrekeyId: number
  oneTimePrekeyId?: number
}

export namespace X3dhHeader {
  let _codec: Codec<X3dhHeader>

  export const codec = (): Codec<X3dhHeader> => {
    if (_codec == null) {
      _codec = message<X3dhHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ephemeralKey != null && obj.ephemeralKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.ephemeralKey)
        }

        if ((obj.signedPrekeyId != null && obj.signedPrekeyId !== 0)) {
          w.uint32(16)
          w.uint32(obj.signedPrekeyId)
        }

        if (obj.oneTimePrekeyId != null) {
          w.uint32(24)
          w.uint32(obj.oneTimePrekeyId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ephemeralKey: EMPTY_BYTES,
          signedPrekeyId: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ephemeralKey = reader.bytes()
              break
            }
            case 2: {
              obj.signedPrekeyId = reader.uint32()
              break
            }
            case 3: {
              obj.oneTimePrekeyId = reader.uint32()
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
                field: `${prefix}.ephemeralKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signedPrekeyId`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.oneTimePrekeyId`,
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

  export interface X3dhHeaderEphemeralKeyFieldEvent {
    field: '$.ephemeralKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface X3dhHeaderSignedPrekeyIdFieldEvent {
    field: '$.signedPrekeyId'
    value: number
  }

  export interface X3dhHeaderOneTimePrekeyIdFieldEvent {
    field: '$.oneTimePrekeyId'
    value: number
  }

  export function encode (obj: Partial<X3dhHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, X3dhHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<X3dhHeader>): X3dhHeader {
    return decodeMessage(buf, X3dhHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<X3dhHeader>): Generator<X3dhHeaderEphemeralKeyFieldEvent | X3dhHeaderSignedPrekeyIdFieldEvent | X3dhHeaderOneTimePrekeyIdFieldEvent> {
    return streamMessage(buf, X3dhHeader.codec(), opts)
  }
}

export interface RatchetHeader {
  dh: Uint8Array<ArrayBuffer>
  n: number
  leaf: number
  leafKey: Uint8Array<ArrayBuffer>
  nonce: Uint8Array<ArrayBuffer>
  x3dh?: X3dhHeader
}

export namespace RatchetHeader {
  let _codec: Codec<RatchetHeader>

  export const codec = (): Codec<RatchetHeader> => {
    if (_codec == null) {
      _codec = message<RatchetHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.dh != null && obj.dh.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.dh)
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(16)
          w.uint32(obj.n)
        }

        if ((obj.leaf != null && obj.leaf !== 0)) {
          w.uint32(24)
          w.uint32(obj.leaf)
        }

        if ((obj.leafKey != null && obj.leafKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.leafKey)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.nonce)
        }

        if (obj.x3dh != null) {
          w.uint32(50)
          X3dhHeader.codec().encode(obj.x3dh, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          dh: EMPTY_BYTES,
          n: 0,
          leaf: 0,
          leafKey: EMPTY_BYTES,
          nonce: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.dh = reader.bytes()
              break
            }
            case 2: {
              obj.n = reader.uint32()
              break
            }
            case 3: {
              obj.leaf = reader.uint32()
              break
            }
            case 4: {
              obj.leafKey = reader.bytes()
              break
            }
            case 5: {
              obj.nonce = reader.bytes()
              break
            }
            case 6: {
              obj.x3dh = X3dhHeader.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.x3dh
              })
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
                field: `${prefix}.dh`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.n`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.leaf`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.leafKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield * X3dhHeader.codec().stream(reader, reader.uint32(), `${prefix}.x3dh`, {
                limits: opts.limits?.x3dh
              })

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

  export interface RatchetHeaderDhFieldEvent {
    field: '$.dh'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetHeaderNFieldEvent {
    field: '$.n'
    value: number
  }

  export interface RatchetHeaderLeafFieldEvent {
    field: '$.leaf'
    value: number
  }

  export interface RatchetHeaderLeafKeyFieldEvent {
    field: '$.leafKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetHeaderNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetHeaderX3dhEphemeralKeyFieldEvent {
    field: '$.x3dh.ephemeralKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetHeaderX3dhSignedPrekeyIdFieldEvent {
    field: '$.x3dh.signedPrekeyId'
    value: number
  }

  export interface RatchetHeaderX3dhOneTimePrekeyIdFieldEvent {
    field: '$.x3dh.oneTimePrekeyId'
    value: number
  }

  export function encode (obj: Partial<RatchetHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RatchetHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RatchetHeader>): RatchetHeader {
    return decodeMessage(buf, RatchetHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RatchetHeader>): Generator<RatchetHeaderDhFieldEvent | RatchetHeaderNFieldEvent | RatchetHeaderLeafFieldEvent | RatchetHeaderLeafKeyFieldEvent | RatchetHeaderNonceFieldEvent | RatchetHeaderX3dhEphemeralKeyFieldEvent | RatchetHeaderX3dhSignedPrekeyIdFieldEvent | RatchetHeaderX3dhOneTimePrekeyIdFieldEvent> {
    return streamMessage(buf, RatchetHeader.codec(), opts)
  }
}

export interface SendChain {
  chainKey: Uint8Array<ArrayBuffer>
  n: number
  leaf: number
  leafKey: Uint8Array<ArrayBuffer>
  refreshKey: Uint8Array<ArrayBuffer>
}

export namespace SendChain {
  let _codec: Codec<SendChain>

  export const codec = (): Codec<SendChain> => {
    if (_codec == null) {
      _codec = message<SendChain>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chainKey != null && obj.chainKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.chainKey)
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(16)
          w.uint32(obj.n)
        }

        if ((obj.leaf != null && obj.leaf !== 0)) {
          w.uint32(24)
          w.uint32(obj.leaf)
        }

        if ((obj.leafKey != null && obj.leafKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.leafKey)
        }

        if ((obj.refreshKey != null && obj.refreshKey.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.refreshKey)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chainKey: EMPTY_BYTES,
          n: 0,
          leaf: 0,
          leafKey: EMPTY_BYTES,
          refreshKey: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chainKey = reader.bytes()
              break
            }
            case 2: {
              obj.n = reader.uint32()
              break
            }
            case 3: {
              obj.leaf = reader.uint32()
              break
            }
            case 4: {
              obj.leafKey = reader.bytes()
              break
            }
            case 5: {
              obj.refreshKey = reader.bytes()
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
                field: `${prefix}.chainKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.n`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.leaf`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.leafKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.refreshKey`,
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

  export interface SendChainChainKeyFieldEvent {
    field: '$.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SendChainNFieldEvent {
    field: '$.n'
    value: number
  }

  export interface SendChainLeafFieldEvent {
    field: '$.leaf'
    value: number
  }

  export interface SendChainLeafKeyFieldEvent {
    field: '$.leafKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SendChainRefreshKeyFieldEvent {
    field: '$.refreshKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SendChain>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SendChain.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SendChain>): SendChain {
    return decodeMessage(buf, SendChain.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SendChain>): Generator<SendChainChainKeyFieldEvent | SendChainNFieldEvent | SendChainLeafFieldEvent | SendChainLeafKeyFieldEvent | SendChainRefreshKeyFieldEvent> {
    return streamMessage(buf, SendChain.codec(), opts)
  }
}

export interface SkippedRefresh {
  leaf: number
  refreshKey: Uint8Array<ArrayBuffer>
  storedAt: number
}

export namespace SkippedRefresh {
  let _codec: Codec<SkippedRefresh>

  export const codec = (): Codec<SkippedRefresh> => {
    if (_codec == null) {
      _codec = message<SkippedRefresh>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.leaf != null && obj.leaf !== 0)) {
          w.uint32(8)
          w.uint32(obj.leaf)
        }

        if ((obj.refreshKey != null && obj.refreshKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.refreshKey)
        }

        if ((obj.storedAt != null && obj.storedAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.storedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          leaf: 0,
          refreshKey: EMPTY_BYTES,
          storedAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.leaf = reader.uint32()
              break
            }
            case 2: {
              obj.refreshKey = reader.bytes()
              break
            }
            case 3: {
              obj.storedAt = reader.uint64Number()
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
                field: `${prefix}.leaf`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.refreshKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.storedAt`,
                value: reader.uint64Number()
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

  export interface SkippedRefreshLeafFieldEvent {
    field: '$.leaf'
    value: number
  }

  export interface SkippedRefreshRefreshKeyFieldEvent {
    field: '$.refreshKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SkippedRefreshStoredAtFieldEvent {
    field: '$.storedAt'
    value: number
  }

  export function encode (obj: Partial<SkippedRefresh>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SkippedRefresh.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SkippedRefresh>): SkippedRefresh {
    return decodeMessage(buf, SkippedRefresh.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SkippedRefresh>): Generator<SkippedRefreshLeafFieldEvent | SkippedRefreshRefreshKeyFieldEvent | SkippedRefreshStoredAtFieldEvent> {
    return streamMessage(buf, SkippedRefresh.codec(), opts)
  }
}

export interface ReceiveStep {
  theirRatchet: Uint8Array<ArrayBuffer>
  refreshKey: Uint8Array<ArrayBuffer>
  ourPrivate: Uint8Array<ArrayBuffer>
  nextLeaf: number
  skippedRefresh: SkippedRefresh[]
}

export namespace ReceiveStep {
  let _codec: Codec<ReceiveStep>

  export const codec = (): Codec<ReceiveStep> => {
    if (_codec == null) {
      _codec = message<ReceiveStep>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.theirRatchet != null && obj.theirRatchet.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.theirRatchet)
        }

        if ((obj.refreshKey != null && obj.refreshKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.refreshKey)
        }

        if ((obj.ourPrivate != null && obj.ourPrivate.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.ourPrivate)
        }

        if ((obj.nextLeaf != null && obj.nextLeaf !== 0)) {
          w.uint32(32)
          w.uint32(obj.nextLeaf)
        }

        if (obj.skippedRefresh != null && obj.skippedRefresh.length > 0) {
          for (const value of obj.skippedRefresh) {
            w.uint32(42)
            SkippedRefresh.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          theirRatchet: EMPTY_BYTES,
          refreshKey: EMPTY_BYTES,
          ourPrivate: EMPTY_BYTES,
          nextLeaf: 0,
          skippedRefresh: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.theirRatchet = reader.bytes()
              break
            }
            case 2: {
              obj.refreshKey = reader.bytes()
              break
            }
            case 3: {
              obj.ourPrivate = reader.bytes()
              break
            }
            case 4: {
              obj.nextLeaf = reader.uint32()
              break
            }
            case 5: {
              if (opts.limits?.skippedRefresh != null && obj.skippedRefresh.length === opts.limits.skippedRefresh) {
                throw new MaxLengthError('Decode error - repeated field "skippedRefresh" had too many elements')
              }

              obj.skippedRefresh.push(SkippedRefresh.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.skippedRefresh$
              }))
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
          skippedRefresh: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.theirRatchet`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.refreshKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.ourPrivate`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.nextLeaf`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              if (opts.limits?.skippedRefresh != null && obj.skippedRefresh === opts.limits.skippedRefresh) {
                throw new MaxLengthError('Streaming decode error - repeated field "skippedRefresh" had too many elements')
              }

              for (const evt of SkippedRefresh.codec().stream(reader, reader.uint32(), `${prefix}.skippedRefresh[]`, {
                limits: opts.limits?.skippedRefresh$
              })) {
                yield {
                  ...evt,
                  index: obj.skippedRefresh
                }
              }

              obj.skippedRefresh++

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

  export interface ReceiveStepTheirRatchetFieldEvent {
    field: '$.theirRatchet'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReceiveStepRefreshKeyFieldEvent {
    field: '$.refreshKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReceiveStepOurPrivateFieldEvent {
    field: '$.ourPrivate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReceiveStepNextLeafFieldEvent {
    field: '$.nextLeaf'
    value: number
  }

  export interface ReceiveStepSkippedRefreshLeafFieldEvent {
    field: '$.skippedRefresh[].leaf'
    value: number
    index: number
  }

  export interface ReceiveStepSkippedRefreshRefreshKeyFieldEvent {
    field: '$.skippedRefresh[].refreshKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReceiveStepSkippedRefreshStoredAtFieldEvent {
    field: '$.skippedRefresh[].storedAt'
    value: number
    index: number
  }

  export function encode (obj: Partial<ReceiveStep>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReceiveStep.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReceiveStep>): ReceiveStep {
    return decodeMessage(buf, ReceiveStep.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReceiveStep>): Generator<ReceiveStepTheirRatchetFieldEvent | ReceiveStepRefreshKeyFieldEvent | ReceiveStepOurPrivateFieldEvent | ReceiveStepNextLeafFieldEvent | ReceiveStepSkippedRefreshLeafFieldEvent | ReceiveStepSkippedRefreshRefreshKeyFieldEvent | ReceiveStepSkippedRefreshStoredAtFieldEvent> {
    return streamMessage(buf, ReceiveStep.codec(), opts)
  }
}

export interface ReceiveChain {
  theirRatchet: Uint8Array<ArrayBuffer>
  leaf: number
  chainKey: Uint8Array<ArrayBuffer>
  n: number
}

export namespace ReceiveChain {
  let _codec: Codec<ReceiveChain>

  export const codec = (): Codec<ReceiveChain> => {
    if (_codec == null) {
      _codec = message<ReceiveChain>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.theirRatchet != null && obj.theirRatchet.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.theirRatchet)
        }

        if ((obj.leaf != null && obj.leaf !== 0)) {
          w.uint32(16)
          w.uint32(obj.leaf)
        }

        if ((obj.chainKey != null && obj.chainKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.chainKey)
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(32)
          w.uint32(obj.n)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          theirRatchet: EMPTY_BYTES,
          leaf: 0,
          chainKey: EMPTY_BYTES,
          n: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.theirRatchet = reader.bytes()
              break
            }
            case 2: {
              obj.leaf = reader.uint32()
              break
            }
            case 3: {
              obj.chainKey = reader.bytes()
              break
            }
            case 4: {
              obj.n = reader.uint32()
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
                field: `${prefix}.theirRatchet`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.leaf`,
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
                field: `${prefix}.n`,
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

  export interface ReceiveChainTheirRatchetFieldEvent {
    field: '$.theirRatchet'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReceiveChainLeafFieldEvent {
    field: '$.leaf'
    value: number
  }

  export interface ReceiveChainChainKeyFieldEvent {
    field: '$.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReceiveChainNFieldEvent {
    field: '$.n'
    value: number
  }

  export function encode (obj: Partial<ReceiveChain>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReceiveChain.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReceiveChain>): ReceiveChain {
    return decodeMessage(buf, ReceiveChain.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReceiveChain>): Generator<ReceiveChainTheirRatchetFieldEvent | ReceiveChainLeafFieldEvent | ReceiveChainChainKeyFieldEvent | ReceiveChainNFieldEvent> {
    return streamMessage(buf, ReceiveChain.codec(), opts)
  }
}

export interface SkippedKey {
  theirRatchet: Uint8Array<ArrayBuffer>
  leaf: number
  n: number
  messageKey: Uint8Array<ArrayBuffer>
  storedAt: number
}

export namespace SkippedKey {
  let _codec: Codec<SkippedKey>

  export const codec = (): Codec<SkippedKey> => {
    if (_codec == null) {
      _codec = message<SkippedKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.theirRatchet != null && obj.theirRatchet.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.theirRatchet)
        }

        if ((obj.leaf != null && obj.leaf !== 0)) {
          w.uint32(16)
          w.uint32(obj.leaf)
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(24)
          w.uint32(obj.n)
        }

        if ((obj.messageKey != null && obj.messageKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.messageKey)
        }

        if ((obj.storedAt != null && obj.storedAt !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.storedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          theirRatchet: EMPTY_BYTES,
          leaf: 0,
          n: 0,
          messageKey: EMPTY_BYTES,
          storedAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.theirRatchet = reader.bytes()
              break
            }
            case 2: {
              obj.leaf = reader.uint32()
              break
            }
            case 3: {
              obj.n = reader.uint32()
              break
            }
            case 4: {
              obj.messageKey = reader.bytes()
              break
            }
            case 5: {
              obj.storedAt = reader.uint64Number()
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
                field: `${prefix}.theirRatchet`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.leaf`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.n`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.messageKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.storedAt`,
                value: reader.uint64Number()
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

  export interface SkippedKeyTheirRatchetFieldEvent {
    field: '$.theirRatchet'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SkippedKeyLeafFieldEvent {
    field: '$.leaf'
    value: number
  }

  export interface SkippedKeyNFieldEvent {
    field: '$.n'
    value: number
  }

  export interface SkippedKeyMessageKeyFieldEvent {
    field: '$.messageKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SkippedKeyStoredAtFieldEvent {
    field: '$.storedAt'
    value: number
  }

  export function encode (obj: Partial<SkippedKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SkippedKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SkippedKey>): SkippedKey {
    return decodeMessage(buf, SkippedKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SkippedKey>): Generator<SkippedKeyTheirRatchetFieldEvent | SkippedKeyLeafFieldEvent | SkippedKeyNFieldEvent | SkippedKeyMessageKeyFieldEvent | SkippedKeyStoredAtFieldEvent> {
    return streamMessage(buf, SkippedKey.codec(), opts)
  }
}

export interface SessionState {
  version: number
  rootKey: Uint8Array<ArrayBuffer>
  ourRatchetPublic: Uint8Array<ArrayBuffer>
  ourRatchetPrivate: Uint8Array<ArrayBuffer>
  theirRatchet: Uint8Array<ArrayBuffer>
  send?: SendChain
  steps: ReceiveStep[]
  chains: ReceiveChain[]
  skipped: SkippedKey[]
  associatedData: Uint8Array<ArrayBuffer>
  pendingX3dh?: X3dhHeader
}

export namespace SessionState {
  let _codec: Codec<SessionState>

  export const codec = (): Codec<SessionState> => {
    if (_codec == null) {
      _codec = message<SessionState>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.rootKey != null && obj.rootKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.rootKey)
        }

        if ((obj.ourRatchetPublic != null && obj.ourRatchetPublic.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.ourRatchetPublic)
        }

        if ((obj.ourRatchetPrivate != null && obj.ourRatchetPrivate.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.ourRatchetPrivate)
        }

        if ((obj.theirRatchet != null && obj.theirRatchet.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.theirRatchet)
        }

        if (obj.send != null) {
          w.uint32(50)
          SendChain.codec().encode(obj.send, w)
        }

        if (obj.steps != null && obj.steps.length > 0) {
          for (const value of obj.steps) {
            w.uint32(58)
            ReceiveStep.codec().encode(value, w)
          }
        }

        if (obj.chains != null && obj.chains.length > 0) {
          for (const value of obj.chains) {
            w.uint32(66)
            ReceiveChain.codec().encode(value, w)
          }
        }

        if (obj.skipped != null && obj.skipped.length > 0) {
          for (const value of obj.skipped) {
            w.uint32(74)
            SkippedKey.codec().encode(value, w)
          }
        }

        if ((obj.associatedData != null && obj.associatedData.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.associatedData)
        }

        if (obj.pendingX3dh != null) {
          w.uint32(90)
          X3dhHeader.codec().encode(obj.pendingX3dh, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          rootKey: EMPTY_BYTES,
          ourRatchetPublic: EMPTY_BYTES,
          ourRatchetPrivate: EMPTY_BYTES,
          theirRatchet: EMPTY_BYTES,
          steps: [],
          chains: [],
          skipped: [],
          associatedData: EMPTY_BYTES
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
              obj.rootKey = reader.bytes()
              break
            }
            case 3: {
              obj.ourRatchetPublic = reader.bytes()
              break
            }
            case 4: {
              obj.ourRatchetPrivate = reader.bytes()
              break
            }
            case 5: {
              obj.theirRatchet = reader.bytes()
              break
            }
            case 6: {
              obj.send = SendChain.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.send
              })
              break
            }
            case 7: {
              if (opts.limits?.steps != null && obj.steps.length === opts.limits.steps) {
                throw new MaxLengthError('Decode error - repeated field "steps" had too many elements')
              }

              obj.steps.push(ReceiveStep.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.steps$
              }))
              break
            }
            case 8: {
              if (opts.limits?.chains != null && obj.chains.length === opts.limits.chains) {
                throw new MaxLengthError('Decode error - repeated field "chains" had too many elements')
              }

              obj.chains.push(ReceiveChain.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.chains$
              }))
              break
            }
            case 9: {
              if (opts.limits?.skipped != null && obj.skipped.length === opts.limits.skipped) {
                throw new MaxLengthError('Decode error - repeated field "skipped" had too many elements')
              }

              obj.skipped.push(SkippedKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.skipped$
              }))
              break
            }
            case 10: {
              obj.associatedData = reader.bytes()
              break
            }
            case 11: {
              obj.pendingX3dh = X3dhHeader.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.pendingX3dh
              })
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
          steps: 0,
          chains: 0,
          skipped: 0
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
                field: `${prefix}.rootKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.ourRatchetPublic`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.ourRatchetPrivate`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.theirRatchet`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield * SendChain.codec().stream(reader, reader.uint32(), `${prefix}.send`, {
                limits: opts.limits?.send
              })

              break
            }
            case 7: {
              if (opts.limits?.steps != null && obj.steps === opts.limits.steps) {
                throw new MaxLengthError('Streaming decode error - repeated field "steps" had too many elements')
              }

              for (const evt of ReceiveStep.codec().stream(reader, reader.uint32(), `${prefix}.steps[]`, {
                limits: opts.limits?.steps$
              })) {
                yield {
                  ...evt,
                  index: obj.steps
                }
              }

              obj.steps++

              break
            }
            case 8: {
              if (opts.limits?.chains != null && obj.chains === opts.limits.chains) {
                throw new MaxLengthError('Streaming decode error - repeated field "chains" had too many elements')
              }

              for (const evt of ReceiveChain.codec().stream(reader, reader.uint32(), `${prefix}.chains[]`, {
                limits: opts.limits?.chains$
              })) {
                yield {
                  ...evt,
                  index: obj.chains
                }
              }

              obj.chains++

              break
            }
            case 9: {
              if (opts.limits?.skipped != null && obj.skipped === opts.limits.skipped) {
                throw new MaxLengthError('Streaming decode error - repeated field "skipped" had too many elements')
              }

              for (const evt of SkippedKey.codec().stream(reader, reader.uint32(), `${prefix}.skipped[]`, {
                limits: opts.limits?.skipped$
              })) {
                yield {
                  ...evt,
                  index: obj.skipped
                }
              }

              obj.skipped++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.associatedData`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              yield * X3dhHeader.codec().stream(reader, reader.uint32(), `${prefix}.pendingX3dh`, {
                limits: opts.limits?.pendingX3dh
              })

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

  export interface SessionStateVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SessionStateRootKeyFieldEvent {
    field: '$.rootKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionStateOurRatchetPublicFieldEvent {
    field: '$.ourRatchetPublic'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionStateOurRatchetPrivateFieldEvent {
    field: '$.ourRatchetPrivate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionStateTheirRatchetFieldEvent {
    field: '$.theirRatchet'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionStateSendChainKeyFieldEvent {
    field: '$.send.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionStateSendNFieldEvent {
    field: '$.send.n'
    value: number
  }

  export interface SessionStateSendLeafFieldEvent {
    field: '$.send.leaf'
    value: number
  }

  export interface SessionStateSendLeafKeyFieldEvent {
    field: '$.send.leafKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionStateSendRefreshKeyFieldEvent {
    field: '$.send.refreshKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionStateStepsTheirRatchetFieldEvent {
    field: '$.steps[].theirRatchet'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionStateStepsRefreshKeyFieldEvent {
    field: '$.steps[].refreshKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionStateStepsOurPrivateFieldEvent {
    field: '$.steps[].ourPrivate'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionStateStepsNextLeafFieldEvent {
    field: '$.steps[].nextLeaf'
    value: number
    index: number
  }

  export interface SessionStateStepsSkippedRefreshLeafFieldEvent {
    field: '$.steps[].skippedRefresh[].leaf'
    value: number
    index: number
  }

  export interface SessionStateStepsSkippedRefreshRefreshKeyFieldEvent {
    field: '$.steps[].skippedRefresh[].refreshKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionStateStepsSkippedRefreshStoredAtFieldEvent {
    field: '$.steps[].skippedRefresh[].storedAt'
    value: number
    index: number
  }

  export interface SessionStateChainsTheirRatchetFieldEvent {
    field: '$.chains[].theirRatchet'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionStateChainsLeafFieldEvent {
    field: '$.chains[].leaf'
    value: number
    index: number
  }

  export interface SessionStateChainsChainKeyFieldEvent {
    field: '$.chains[].chainKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionStateChainsNFieldEvent {
    field: '$.chains[].n'
    value: number
    index: number
  }

  export interface SessionStateSkippedTheirRatchetFieldEvent {
    field: '$.skipped[].theirRatchet'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionStateSkippedLeafFieldEvent {
    field: '$.skipped[].leaf'
    value: number
    index: number
  }

  export interface SessionStateSkippedNFieldEvent {
    field: '$.skipped[].n'
    value: number
    index: number
  }

  export interface SessionStateSkippedMessageKeyFieldEvent {
    field: '$.skipped[].messageKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionStateSkippedStoredAtFieldEvent {
    field: '$.skipped[].storedAt'
    value: number
    index: number
  }

  export interface SessionStateAssociatedDataFieldEvent {
    field: '$.associatedData'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionStatePendingX3dhEphemeralKeyFieldEvent {
    field: '$.pendingX3dh.ephemeralKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionStatePendingX3dhSignedPrekeyIdFieldEvent {
    field: '$.pendingX3dh.signedPrekeyId'
    value: number
  }

  export interface SessionStatePendingX3dhOneTimePrekeyIdFieldEvent {
    field: '$.pendingX3dh.oneTimePrekeyId'
    value: number
  }

  export function encode (obj: Partial<SessionState>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SessionState.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SessionState>): SessionState {
    return decodeMessage(buf, SessionState.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SessionState>): Generator<SessionStateVersionFieldEvent | SessionStateRootKeyFieldEvent | SessionStateOurRatchetPublicFieldEvent | SessionStateOurRatchetPrivateFieldEvent | SessionStateTheirRatchetFieldEvent | SessionStateSendChainKeyFieldEvent | SessionStateSendNFieldEvent | SessionStateSendLeafFieldEvent | SessionStateSendLeafKeyFieldEvent | SessionStateSendRefreshKeyFieldEvent | SessionStateStepsTheirRatchetFieldEvent | SessionStateStepsRefreshKeyFieldEvent | SessionStateStepsOurPrivateFieldEvent | SessionStateStepsNextLeafFieldEvent | SessionStateStepsSkippedRefreshLeafFieldEvent | SessionStateStepsSkippedRefreshRefreshKeyFieldEvent | SessionStateStepsSkippedRefreshStoredAtFieldEvent | SessionStateChainsTheirRatchetFieldEvent | SessionStateChainsLeafFieldEvent | SessionStateChainsChainKeyFieldEvent | SessionStateChainsNFieldEvent | SessionStateSkippedTheirRatchetFieldEvent | SessionStateSkippedLeafFieldEvent | SessionStateSkippedNFieldEvent | SessionStateSkippedMessageKeyFieldEvent | SessionStateSkippedStoredAtFieldEvent | SessionStateAssociatedDataFieldEvent | SessionStatePendingX3dhEphemeralKeyFieldEvent | SessionStatePendingX3dhSignedPrekeyIdFieldEvent | SessionStatePendingX3dhOneTimePrekeyIdFieldEvent> {
    return streamMessage(buf, SessionState.codec(), opts)
  }
}

export interface StoredSession {
  version: number
  peerIdentityKey: Uint8Array<ArrayBuffer>
  baseKey: Uint8Array<ArrayBuffer>
  initiator: boolean
  ratchet: Uint8Array<ArrayBuffer>
}

export namespace StoredSession {
  let _codec: Codec<StoredSession>

  export const codec = (): Codec<StoredSession> => {
    if (_codec == null) {
      _codec = message<StoredSession>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.peerIdentityKey != null && obj.peerIdentityKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.peerIdentityKey)
        }

        if ((obj.baseKey != null && obj.baseKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.baseKey)
        }

        if ((obj.initiator != null && obj.initiator !== false)) {
          w.uint32(32)
          w.bool(obj.initiator)
        }

        if ((obj.ratchet != null && obj.ratchet.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.ratchet)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          peerIdentityKey: EMPTY_BYTES,
          baseKey: EMPTY_BYTES,
          initiator: false,
          ratchet: EMPTY_BYTES
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
              obj.peerIdentityKey = reader.bytes()
              break
            }
            case 3: {
              obj.baseKey = reader.bytes()
              break
            }
            case 4: {
              obj.initiator = reader.bool()
              break
            }
            case 5: {
              obj.ratchet = reader.bytes()
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
                field: `${prefix}.peerIdentityKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.baseKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.initiator`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.ratchet`,
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

  export interface StoredSessionVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface StoredSessionPeerIdentityKeyFieldEvent {
    field: '$.peerIdentityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoredSessionBaseKeyFieldEvent {
    field: '$.baseKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoredSessionInitiatorFieldEvent {
    field: '$.initiator'
    value: boolean
  }

  export interface StoredSessionRatchetFieldEvent {
    field: '$.ratchet'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StoredSession>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoredSession.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredSession>): StoredSession {
    return decodeMessage(buf, StoredSession.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoredSession>): Generator<StoredSessionVersionFieldEvent | StoredSessionPeerIdentityKeyFieldEvent | StoredSessionBaseKeyFieldEvent | StoredSessionInitiatorFieldEvent | StoredSessionRatchetFieldEvent> {
    return streamMessage(buf, StoredSession.codec(), opts)
  }
}
