import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The value of an absent bytes field: shared, since a zero-length array cannot be written to (scripts/generate.sh). */
const EMPTY_BYTES = uint8ArrayAlloc(0)

export interface Deposit {
  envelope: Uint8Array<ArrayBuffer>
}

export namespace Deposit {
  let _codec: Codec<Deposit>

  export const codec = (): Codec<Deposit> => {
    if (_codec == null) {
      _codec = message<Deposit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.envelope != null && obj.envelope.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.envelope)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          envelope: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.envelope = reader.bytes()
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
                field: `${prefix}.envelope`,
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

  export interface DepositEnvelopeFieldEvent {
    field: '$.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Deposit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Deposit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deposit>): Deposit {
    return decodeMessage(buf, Deposit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deposit>): Generator<DepositEnvelopeFieldEvent> {
    return streamMessage(buf, Deposit.codec(), opts)
  }
}

export interface Fetch {
  after: bigint
  limit: number
  mailbox: Uint8Array<ArrayBuffer>
}

export namespace Fetch {
  let _codec: Codec<Fetch>

  export const codec = (): Codec<Fetch> => {
    if (_codec == null) {
      _codec = message<Fetch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.after != null && obj.after !== 0n)) {
          w.uint32(8)
          w.uint64(obj.after)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(16)
          w.uint32(obj.limit)
        }

        if ((obj.mailbox != null && obj.mailbox.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.mailbox)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          after: 0n,
          limit: 0,
          mailbox: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.after = reader.uint64()
              break
            }
            case 2: {
              obj.limit = reader.uint32()
              break
            }
            case 3: {
              obj.mailbox = reader.bytes()
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
                field: `${prefix}.after`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.mailbox`,
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

  export interface FetchAfterFieldEvent {
    field: '$.after'
    value: bigint
  }

  export interface FetchLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export interface FetchMailboxFieldEvent {
    field: '$.mailbox'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Fetch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Fetch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Fetch>): Fetch {
    return decodeMessage(buf, Fetch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Fetch>): Generator<FetchAfterFieldEvent | FetchLimitFieldEvent | FetchMailboxFieldEvent> {
    return streamMessage(buf, Fetch.codec(), opts)
  }
}

export interface Ack {
  ids: Uint8Array<ArrayBuffer>[]
  mailbox: Uint8Array<ArrayBuffer>
}

export namespace Ack {
  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if ((obj.mailbox != null && obj.mailbox.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.mailbox)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ids: [],
          mailbox: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            case 2: {
              obj.mailbox = reader.bytes()
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
          ids: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.mailbox`,
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

  export interface AckIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface AckMailboxFieldEvent {
    field: '$.mailbox'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Ack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack {
    return decodeMessage(buf, Ack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Generator<AckIdsFieldEvent | AckMailboxFieldEvent> {
    return streamMessage(buf, Ack.codec(), opts)
  }
}

export interface Subscribe {
  mailbox: Uint8Array<ArrayBuffer>
}

export namespace Subscribe {
  let _codec: Codec<Subscribe>

  export const codec = (): Codec<Subscribe> => {
    if (_codec == null) {
      _codec = message<Subscribe>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.mailbox != null && obj.mailbox.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.mailbox)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          mailbox: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.mailbox = reader.bytes()
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
                field: `${prefix}.mailbox`,
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

  export interface SubscribeMailboxFieldEvent {
    field: '$.mailbox'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Subscribe>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Subscribe.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Subscribe>): Subscribe {
    return decodeMessage(buf, Subscribe.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Subscribe>): Generator<SubscribeMailboxFieldEvent> {
    return streamMessage(buf, Subscribe.codec(), opts)
  }
}

export interface ArchiveEntry {
  key: Uint8Array<ArrayBuffer>
  blob: Uint8Array<ArrayBuffer>
}

export namespace ArchiveEntry {
  let _codec: Codec<ArchiveEntry>

  export const codec = (): Codec<ArchiveEntry> => {
    if (_codec == null) {
      _codec = message<ArchiveEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.key)
        }

        if ((obj.blob != null && obj.blob.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.blob)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: EMPTY_BYTES,
          blob: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.bytes()
              break
            }
            case 2: {
              obj.blob = reader.bytes()
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
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.blob`,
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

  export interface ArchiveEntryKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ArchiveEntryBlobFieldEvent {
    field: '$.blob'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ArchiveEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ArchiveEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ArchiveEntry>): ArchiveEntry {
    return decodeMessage(buf, ArchiveEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ArchiveEntry>): Generator<ArchiveEntryKeyFieldEvent | ArchiveEntryBlobFieldEvent> {
    return streamMessage(buf, ArchiveEntry.codec(), opts)
  }
}

export interface ArchivePut {
  entries: ArchiveEntry[]
}

export namespace ArchivePut {
  let _codec: Codec<ArchivePut>

  export const codec = (): Codec<ArchivePut> => {
    if (_codec == null) {
      _codec = message<ArchivePut>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(10)
            ArchiveEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(ArchiveEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
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
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of ArchiveEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

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

  export interface ArchivePutEntriesKeyFieldEvent {
    field: '$.entries[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ArchivePutEntriesBlobFieldEvent {
    field: '$.entries[].blob'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<ArchivePut>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ArchivePut.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ArchivePut>): ArchivePut {
    return decodeMessage(buf, ArchivePut.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ArchivePut>): Generator<ArchivePutEntriesKeyFieldEvent | ArchivePutEntriesBlobFieldEvent> {
    return streamMessage(buf, ArchivePut.codec(), opts)
  }
}

export interface ArchiveList {
  after: Uint8Array<ArrayBuffer>
  limit: number
}

export namespace ArchiveList {
  let _codec: Codec<ArchiveList>

  export const codec = (): Codec<ArchiveList> => {
    if (_codec == null) {
      _codec = message<ArchiveList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.after != null && obj.after.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.after)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(16)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          after: EMPTY_BYTES,
          limit: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.after = reader.bytes()
              break
            }
            case 2: {
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
                field: `${prefix}.after`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
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

  export interface ArchiveListAfterFieldEvent {
    field: '$.after'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ArchiveListLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<ArchiveList>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ArchiveList.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ArchiveList>): ArchiveList {
    return decodeMessage(buf, ArchiveList.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ArchiveList>): Generator<ArchiveListAfterFieldEvent | ArchiveListLimitFieldEvent> {
    return streamMessage(buf, ArchiveList.codec(), opts)
  }
}

export interface DenHost {
  descriptor: Uint8Array<ArrayBuffer>
  roster: Uint8Array<ArrayBuffer>
}

export namespace DenHost {
  let _codec: Codec<DenHost>

  export const codec = (): Codec<DenHost> => {
    if (_codec == null) {
      _codec = message<DenHost>((obj, w, opts = {}) => {
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

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          descriptor: EMPTY_BYTES,
          roster: EMPTY_BYTES
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

  export interface DenHostDescriptorFieldEvent {
    field: '$.descriptor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DenHostRosterFieldEvent {
    field: '$.roster'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DenHost>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DenHost.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenHost>): DenHost {
    return decodeMessage(buf, DenHost.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DenHost>): Generator<DenHostDescriptorFieldEvent | DenHostRosterFieldEvent> {
    return streamMessage(buf, DenHost.codec(), opts)
  }
}

export interface Held {
  seq: bigint
  envelope: Uint8Array<ArrayBuffer>
}

export namespace Held {
  let _codec: Codec<Held>

  export const codec = (): Codec<Held> => {
    if (_codec == null) {
      _codec = message<Held>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if ((obj.envelope != null && obj.envelope.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.envelope)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          envelope: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              obj.envelope = reader.bytes()
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
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.envelope`,
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

  export interface HeldSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface HeldEnvelopeFieldEvent {
    field: '$.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Held>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Held.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Held>): Held {
    return decodeMessage(buf, Held.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Held>): Generator<HeldSeqFieldEvent | HeldEnvelopeFieldEvent> {
    return streamMessage(buf, Held.codec(), opts)
  }
}

export interface Response {
  refusal: Response.Refusal
  detail: string
  retryAfterMs: number
  held: Held[]
  hasMore: boolean
  duplicate: boolean
  removed: number
  entries: ArchiveEntry[]
}

export namespace Response {
  export enum Refusal {
    NONE = 'NONE',
    BAD_REQUEST = 'BAD_REQUEST',
    NOT_AUTHORIZED = 'NOT_AUTHORIZED',
    BAD_ENVELOPE = 'BAD_ENVELOPE',
    BAD_SIGNATURE = 'BAD_SIGNATURE',
    NOT_AUTHOR = 'NOT_AUTHOR',
    TOO_LARGE = 'TOO_LARGE',
    MAILBOX_FULL = 'MAILBOX_FULL',
    RATE_LIMITED = 'RATE_LIMITED',
    ARCHIVE_FULL = 'ARCHIVE_FULL',
    UNAVAILABLE = 'UNAVAILABLE'
  }

  enum __RefusalValues {
    NONE = 0,
    BAD_REQUEST = 1,
    NOT_AUTHORIZED = 2,
    BAD_ENVELOPE = 3,
    BAD_SIGNATURE = 4,
    NOT_AUTHOR = 5,
    TOO_LARGE = 6,
    MAILBOX_FULL = 7,
    RATE_LIMITED = 8,
    ARCHIVE_FULL = 9,
    UNAVAILABLE = 10
  }

  export namespace Refusal {
    export const codec = (): Codec<Refusal> => {
      return enumeration<Refusal>(__RefusalValues)
    }
  }

  let _codec: Codec<Response>

  export const codec = (): Codec<Response> => {
    if (_codec == null) {
      _codec = message<Response>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.refusal != null && __RefusalValues[obj.refusal] !== 0) {
          w.uint32(8)
          Response.Refusal.codec().encode(obj.refusal, w)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(18)
          w.string(obj.detail)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.retryAfterMs)
        }

        if (obj.held != null && obj.held.length > 0) {
          for (const value of obj.held) {
            w.uint32(34)
            Held.codec().encode(value, w)
          }
        }

        if ((obj.hasMore != null && obj.hasMore !== false)) {
          w.uint32(40)
          w.bool(obj.hasMore)
        }

        if ((obj.duplicate != null && obj.duplicate !== false)) {
          w.uint32(48)
          w.bool(obj.duplicate)
        }

        if ((obj.removed != null && obj.removed !== 0)) {
          w.uint32(56)
          w.uint32(obj.removed)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(66)
            ArchiveEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          refusal: Refusal.NONE,
          detail: '',
          retryAfterMs: 0,
          held: [],
          hasMore: false,
          duplicate: false,
          removed: 0,
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.refusal = Response.Refusal.codec().decode(reader)
              break
            }
            case 2: {
              obj.detail = reader.string()
              break
            }
            case 3: {
              obj.retryAfterMs = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.held != null && obj.held.length === opts.limits.held) {
                throw new MaxLengthError('Decode error - repeated field "held" had too many elements')
              }

              obj.held.push(Held.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.held$
              }))
              break
            }
            case 5: {
              obj.hasMore = reader.bool()
              break
            }
            case 6: {
              obj.duplicate = reader.bool()
              break
            }
            case 7: {
              obj.removed = reader.uint32()
              break
            }
            case 8: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(ArchiveEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
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
          held: 0,
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.refusal`,
                value: Response.Refusal.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.detail`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.retryAfterMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              if (opts.limits?.held != null && obj.held === opts.limits.held) {
                throw new MaxLengthError('Streaming decode error - repeated field "held" had too many elements')
              }

              for (const evt of Held.codec().stream(reader, reader.uint32(), `${prefix}.held[]`, {
                limits: opts.limits?.held$
              })) {
                yield {
                  ...evt,
                  index: obj.held
                }
              }

              obj.held++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.hasMore`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.duplicate`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.removed`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of ArchiveEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

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

  export interface ResponseRefusalFieldEvent {
    field: '$.refusal'
    value: Response.Refusal
  }

  export interface ResponseDetailFieldEvent {
    field: '$.detail'
    value: string
  }

  export interface ResponseRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export interface ResponseHeldSeqFieldEvent {
    field: '$.held[].seq'
    value: bigint
    index: number
  }

  export interface ResponseHeldEnvelopeFieldEvent {
    field: '$.held[].envelope'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseHasMoreFieldEvent {
    field: '$.hasMore'
    value: boolean
  }

  export interface ResponseDuplicateFieldEvent {
    field: '$.duplicate'
    value: boolean
  }

  export interface ResponseRemovedFieldEvent {
    field: '$.removed'
    value: number
  }

  export interface ResponseEntriesKeyFieldEvent {
    field: '$.entries[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseEntriesBlobFieldEvent {
    field: '$.entries[].blob'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<Response>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Response.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Response {
    return decodeMessage(buf, Response.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Generator<ResponseRefusalFieldEvent | ResponseDetailFieldEvent | ResponseRetryAfterMsFieldEvent | ResponseHeldSeqFieldEvent | ResponseHeldEnvelopeFieldEvent | ResponseHasMoreFieldEvent | ResponseDuplicateFieldEvent | ResponseRemovedFieldEvent | ResponseEntriesKeyFieldEvent | ResponseEntriesBlobFieldEvent> {
    return streamMessage(buf, Response.codec(), opts)
  }
}

export interface RelayFrame {
  version: number
  id: number
  deposit?: Deposit
  fetch?: Fetch
  ack?: Ack
  subscribe?: Subscribe
  archivePut?: ArchivePut
  archiveList?: ArchiveList
  response?: Response
  push?: Held
  denHost?: DenHost
}

export namespace RelayFrame {
  let _codec: Codec<RelayFrame>

  export const codec = (): Codec<RelayFrame> => {
    if (_codec == null) {
      _codec = message<RelayFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(16)
          w.uint32(obj.id)
        }

        if (obj.deposit != null) {
          w.uint32(26)
          Deposit.codec().encode(obj.deposit, w)
        }

        if (obj.fetch != null) {
          w.uint32(34)
          Fetch.codec().encode(obj.fetch, w)
        }

        if (obj.ack != null) {
          w.uint32(42)
          Ack.codec().encode(obj.ack, w)
        }

        if (obj.subscribe != null) {
          w.uint32(50)
          Subscribe.codec().encode(obj.subscribe, w)
        }

        if (obj.archivePut != null) {
          w.uint32(58)
          ArchivePut.codec().encode(obj.archivePut, w)
        }

        if (obj.archiveList != null) {
          w.uint32(66)
          ArchiveList.codec().encode(obj.archiveList, w)
        }

        if (obj.response != null) {
          w.uint32(74)
          Response.codec().encode(obj.response, w)
        }

        if (obj.push != null) {
          w.uint32(82)
          Held.codec().encode(obj.push, w)
        }

        if (obj.denHost != null) {
          w.uint32(90)
          DenHost.codec().encode(obj.denHost, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          id: 0
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
              obj.id = reader.uint32()
              break
            }
            case 3: {
              obj.deposit = Deposit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.deposit
              })
              break
            }
            case 4: {
              obj.fetch = Fetch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fetch
              })
              break
            }
            case 5: {
              obj.ack = Ack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ack
              })
              break
            }
            case 6: {
              obj.subscribe = Subscribe.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.subscribe
              })
              break
            }
            case 7: {
              obj.archivePut = ArchivePut.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.archivePut
              })
              break
            }
            case 8: {
              obj.archiveList = ArchiveList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.archiveList
              })
              break
            }
            case 9: {
              obj.response = Response.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.response
              })
              break
            }
            case 10: {
              obj.push = Held.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.push
              })
              break
            }
            case 11: {
              obj.denHost = DenHost.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.denHost
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
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield * Deposit.codec().stream(reader, reader.uint32(), `${prefix}.deposit`, {
                limits: opts.limits?.deposit
              })

              break
            }
            case 4: {
              yield * Fetch.codec().stream(reader, reader.uint32(), `${prefix}.fetch`, {
                limits: opts.limits?.fetch
              })

              break
            }
            case 5: {
              yield * Ack.codec().stream(reader, reader.uint32(), `${prefix}.ack`, {
                limits: opts.limits?.ack
              })

              break
            }
            case 6: {
              yield * Subscribe.codec().stream(reader, reader.uint32(), `${prefix}.subscribe`, {
                limits: opts.limits?.subscribe
              })

              break
            }
            case 7: {
              yield * ArchivePut.codec().stream(reader, reader.uint32(), `${prefix}.archivePut`, {
                limits: opts.limits?.archivePut
              })

              break
            }
            case 8: {
              yield * ArchiveList.codec().stream(reader, reader.uint32(), `${prefix}.archiveList`, {
                limits: opts.limits?.archiveList
              })

              break
            }
            case 9: {
              yield * Response.codec().stream(reader, reader.uint32(), `${prefix}.response`, {
                limits: opts.limits?.response
              })

              break
            }
            case 10: {
              yield * Held.codec().stream(reader, reader.uint32(), `${prefix}.push`, {
                limits: opts.limits?.push
              })

              break
            }
            case 11: {
              yield * DenHost.codec().stream(reader, reader.uint32(), `${prefix}.denHost`, {
                limits: opts.limits?.denHost
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

  export interface RelayFrameVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface RelayFrameIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface RelayFrameDepositEnvelopeFieldEvent {
    field: '$.deposit.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayFrameFetchAfterFieldEvent {
    field: '$.fetch.after'
    value: bigint
  }

  export interface RelayFrameFetchLimitFieldEvent {
    field: '$.fetch.limit'
    value: number
  }

  export interface RelayFrameFetchMailboxFieldEvent {
    field: '$.fetch.mailbox'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayFrameAckIdsFieldEvent {
    field: '$.ack.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayFrameAckMailboxFieldEvent {
    field: '$.ack.mailbox'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayFrameSubscribeMailboxFieldEvent {
    field: '$.subscribe.mailbox'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayFrameArchivePutEntriesKeyFieldEvent {
    field: '$.archivePut.entries[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RelayFrameArchivePutEntriesBlobFieldEvent {
    field: '$.archivePut.entries[].blob'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RelayFrameArchiveListAfterFieldEvent {
    field: '$.archiveList.after'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayFrameArchiveListLimitFieldEvent {
    field: '$.archiveList.limit'
    value: number
  }

  export interface RelayFrameResponseRefusalFieldEvent {
    field: '$.response.refusal'
    value: Response.Refusal
  }

  export interface RelayFrameResponseDetailFieldEvent {
    field: '$.response.detail'
    value: string
  }

  export interface RelayFrameResponseRetryAfterMsFieldEvent {
    field: '$.response.retryAfterMs'
    value: number
  }

  export interface RelayFrameResponseHeldSeqFieldEvent {
    field: '$.response.held[].seq'
    value: bigint
    index: number
  }

  export interface RelayFrameResponseHeldEnvelopeFieldEvent {
    field: '$.response.held[].envelope'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RelayFrameResponseHasMoreFieldEvent {
    field: '$.response.hasMore'
    value: boolean
  }

  export interface RelayFrameResponseDuplicateFieldEvent {
    field: '$.response.duplicate'
    value: boolean
  }

  export interface RelayFrameResponseRemovedFieldEvent {
    field: '$.response.removed'
    value: number
  }

  export interface RelayFrameResponseEntriesKeyFieldEvent {
    field: '$.response.entries[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RelayFrameResponseEntriesBlobFieldEvent {
    field: '$.response.entries[].blob'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RelayFramePushSeqFieldEvent {
    field: '$.push.seq'
    value: bigint
  }

  export interface RelayFramePushEnvelopeFieldEvent {
    field: '$.push.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayFrameDenHostDescriptorFieldEvent {
    field: '$.denHost.descriptor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayFrameDenHostRosterFieldEvent {
    field: '$.denHost.roster'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RelayFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RelayFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RelayFrame>): RelayFrame {
    return decodeMessage(buf, RelayFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RelayFrame>): Generator<RelayFrameVersionFieldEvent | RelayFrameIdFieldEvent | RelayFrameDepositEnvelopeFieldEvent | RelayFrameFetchAfterFieldEvent | RelayFrameFetchLimitFieldEvent | RelayFrameFetchMailboxFieldEvent | RelayFrameAckIdsFieldEvent | RelayFrameAckMailboxFieldEvent | RelayFrameSubscribeMailboxFieldEvent | RelayFrameArchivePutEntriesKeyFieldEvent | RelayFrameArchivePutEntriesBlobFieldEvent | RelayFrameArchiveListAfterFieldEvent | RelayFrameArchiveListLimitFieldEvent | RelayFrameResponseRefusalFieldEvent | RelayFrameResponseDetailFieldEvent | RelayFrameResponseRetryAfterMsFieldEvent | RelayFrameResponseHeldSeqFieldEvent | RelayFrameResponseHeldEnvelopeFieldEvent | RelayFrameResponseHasMoreFieldEvent | RelayFrameResponseDuplicateFieldEvent | RelayFrameResponseRemovedFieldEvent | RelayFrameResponseEntriesKeyFieldEvent | RelayFrameResponseEntriesBlobFieldEvent | RelayFramePushSeqFieldEvent | RelayFramePushEnvelopeFieldEvent | RelayFrameDenHostDescriptorFieldEvent | RelayFrameDenHostRosterFieldEvent> {
    return streamMessage(buf, RelayFrame.codec(), opts)
  }
}
