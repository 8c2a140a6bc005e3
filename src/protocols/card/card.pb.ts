import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The value of an absent bytes field: shared, since a zero-length array cannot be written to (scripts/generate.sh). */
const EMPTY_BYTES = uint8ArrayAlloc(0)

export interface AgentCard {
  version: number
  peerId: Uint8Array<ArrayBuffer>
  name: string
  description: string
  signedPrekey?: AgentCard.SignedPrekey
  relays: AgentCard.Relay[]
  inboxPolicy: string
  credentials: Uint8Array<ArrayBuffer>[]
  skills: AgentCard.Skill[]
  seq: number
  issuedAt: number
  signature: Uint8Array<ArrayBuffer>
}

export namespace AgentCard {
  export interface SignedPrekey {
    id: number
    publicKey: Uint8Array<ArrayBuffer>
    signature: Uint8Array<ArrayBuffer>
  }

  export namespace SignedPrekey {
    let _codec: Codec<SignedPrekey>

    export const codec = (): Codec<SignedPrekey> => {
      if (_codec == null) {
        _codec = message<SignedPrekey>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.id != null && obj.id !== 0)) {
            w.uint32(8)
            w.uint32(obj.id)
          }

          if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
            w.uint32(18)
            w.bytes(obj.publicKey)
          }

          if ((obj.signature != null && obj.signature.byteLength > 0)) {
            w.uint32(26)
            w.bytes(obj.signature)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            id: 0,
            publicKey: EMPTY_BYTES,
            signature: EMPTY_BYTES
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.id = reader.uint32()
                break
              }
              case 2: {
                obj.publicKey = reader.bytes()
                break
              }
              case 3: {
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
                  field: `${prefix}.id`,
                  value: reader.uint32()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.publicKey`,
                  value: reader.bytes()
                }
                break
              }
              case 3: {
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

    export interface SignedPrekeyIdFieldEvent {
      field: '$.id'
      value: number
    }

    export interface SignedPrekeyPublicKeyFieldEvent {
      field: '$.publicKey'
      value: Uint8Array<ArrayBuffer>
    }

    export interface SignedPrekeySignatureFieldEvent {
      field: '$.signature'
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<SignedPrekey>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, SignedPrekey.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedPrekey>): SignedPrekey {
      return decodeMessage(buf, SignedPrekey.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedPrekey>): Generator<SignedPrekeyIdFieldEvent | SignedPrekeyPublicKeyFieldEvent | SignedPrekeySignatureFieldEvent> {
      return streamMessage(buf, SignedPrekey.codec(), opts)
    }
  }

  export interface Relay {
    peerId: Uint8Array<ArrayBuffer>
    addrs: Uint8Array<ArrayBuffer>[]
  }

  export namespace Relay {
    let _codec: Codec<Relay>

    export const codec = (): Codec<Relay> => {
      if (_codec == null) {
        _codec = message<Relay>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
            w.uint32(10)
            w.bytes(obj.peerId)
          }

          if (obj.addrs != null && obj.addrs.length > 0) {
            for (const value of obj.addrs) {
              w.uint32(18)
              w.bytes(value)
            }
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            peerId: EMPTY_BYTES,
            addrs: []
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.peerId = reader.bytes()
                break
              }
              case 2: {
                if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                  throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
                }

                obj.addrs.push(reader.bytes())
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
            addrs: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.peerId`,
                  value: reader.bytes()
                }
                break
              }
              case 2: {
                if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                  throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
                }

                yield {
                  field: `${prefix}.addrs[]`,
                  index: obj.addrs,
                  value: reader.bytes()
                }

                obj.addrs++

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

    export interface RelayPeerIdFieldEvent {
      field: '$.peerId'
      value: Uint8Array<ArrayBuffer>
    }

    export interface RelayAddrsFieldEvent {
      field: '$.addrs[]'
      index: number
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<Relay>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Relay.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Relay>): Relay {
      return decodeMessage(buf, Relay.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Relay>): Generator<RelayPeerIdFieldEvent | RelayAddrsFieldEvent> {
      return streamMessage(buf, Relay.codec(), opts)
    }
  }

  export interface Skill {
    id: string
    name: string
    description: string
    tags: string[]
    examples: string[]
    inputModes: string[]
    outputModes: string[]
  }

  export namespace Skill {
    let _codec: Codec<Skill>

    export const codec = (): Codec<Skill> => {
      if (_codec == null) {
        _codec = message<Skill>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.id != null && obj.id !== '')) {
            w.uint32(10)
            w.string(obj.id)
          }

          if ((obj.name != null && obj.name !== '')) {
            w.uint32(18)
            w.string(obj.name)
          }

          if ((obj.description != null && obj.description !== '')) {
            w.uint32(26)
            w.string(obj.description)
          }

          if (obj.tags != null && obj.tags.length > 0) {
            for (const value of obj.tags) {
              w.uint32(34)
              w.string(value)
            }
          }

          if (obj.examples != null && obj.examples.length > 0) {
            for (const value of obj.examples) {
              w.uint32(42)
              w.string(value)
            }
          }

          if (obj.inputModes != null && obj.inputModes.length > 0) {
            for (const value of obj.inputModes) {
              w.uint32(50)
              w.string(value)
            }
          }

          if (obj.outputModes != null && obj.outputModes.length > 0) {
            for (const value of obj.outputModes) {
              w.uint32(58)
              w.string(value)
            }
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            id: '',
            name: '',
            description: '',
            tags: [],
            examples: [],
            inputModes: [],
            outputModes: []
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.id = reader.string()
                break
              }
              case 2: {
                obj.name = reader.string()
                break
              }
              case 3: {
                obj.description = reader.string()
                break
              }
              case 4: {
                if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                  throw new MaxLengthError('Decode error - repeated field "tags" had too many elements')
                }

                obj.tags.push(reader.string())
                break
              }
              case 5: {
                if (opts.limits?.examples != null && obj.examples.length === opts.limits.examples) {
                  throw new MaxLengthError('Decode error - repeated field "examples" had too many elements')
                }

                obj.examples.push(reader.string())
                break
              }
              case 6: {
                if (opts.limits?.inputModes != null && obj.inputModes.length === opts.limits.inputModes) {
                  throw new MaxLengthError('Decode error - repeated field "inputModes" had too many elements')
                }

                obj.inputModes.push(reader.string())
                break
              }
              case 7: {
                if (opts.limits?.outputModes != null && obj.outputModes.length === opts.limits.outputModes) {
                  throw new MaxLengthError('Decode error - repeated field "outputModes" had too many elements')
                }

                obj.outputModes.push(reader.string())
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
            tags: 0,
            examples: 0,
            inputModes: 0,
            outputModes: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.id`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.name`,
                  value: reader.string()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.description`,
                  value: reader.string()
                }
                break
              }
              case 4: {
                if (opts.limits?.tags != null && obj.tags === opts.limits.tags) {
                  throw new MaxLengthError('Streaming decode error - repeated field "tags" had too many elements')
                }

                yield {
                  field: `${prefix}.tags[]`,
                  index: obj.tags,
                  value: reader.string()
                }

                obj.tags++

                break
              }
              case 5: {
                if (opts.limits?.examples != null && obj.examples === opts.limits.examples) {
                  throw new MaxLengthError('Streaming decode error - repeated field "examples" had too many elements')
                }

                yield {
                  field: `${prefix}.examples[]`,
                  index: obj.examples,
                  value: reader.string()
                }

                obj.examples++

                break
              }
              case 6: {
                if (opts.limits?.inputModes != null && obj.inputModes === opts.limits.inputModes) {
                  throw new MaxLengthError('Streaming decode error - repeated field "inputModes" had too many elements')
                }

                yield {
                  field: `${prefix}.inputModes[]`,
                  index: obj.inputModes,
                  value: reader.string()
                }

                obj.inputModes++

                break
              }
              case 7: {
                if (opts.limits?.outputModes != null && obj.outputModes === opts.limits.outputModes) {
                  throw new MaxLengthError('Streaming decode error - repeated field "outputModes" had too many elements')
                }

                yield {
                  field: `${prefix}.outputModes[]`,
                  index: obj.outputModes,
                  value: reader.string()
                }

                obj.outputModes++

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

    export interface SkillIdFieldEvent {
      field: '$.id'
      value: string
    }

    export interface SkillNameFieldEvent {
      field: '$.name'
      value: string
    }

    export interface SkillDescriptionFieldEvent {
      field: '$.description'
      value: string
    }

    export interface SkillTagsFieldEvent {
      field: '$.tags[]'
      index: number
      value: string
    }

    export interface SkillExamplesFieldEvent {
      field: '$.examples[]'
      index: number
      value: string
    }

    export interface SkillInputModesFieldEvent {
      field: '$.inputModes[]'
      index: number
      value: string
    }

    export interface SkillOutputModesFieldEvent {
      field: '$.outputModes[]'
      index: number
      value: string
    }

    export function encode (obj: Partial<Skill>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Skill.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Skill>): Skill {
      return decodeMessage(buf, Skill.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Skill>): Generator<SkillIdFieldEvent | SkillNameFieldEvent | SkillDescriptionFieldEvent | SkillTagsFieldEvent | SkillExamplesFieldEvent | SkillInputModesFieldEvent | SkillOutputModesFieldEvent> {
      return streamMessage(buf, Skill.codec(), opts)
    }
  }

  let _codec: Codec<AgentCard>

  export const codec = (): Codec<AgentCard> => {
    if (_codec == null) {
      _codec = message<AgentCard>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.peerId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(26)
          w.string(obj.name)
        }

        if ((obj.description != null && obj.description !== '')) {
          w.uint32(34)
          w.string(obj.description)
        }

        if (obj.signedPrekey != null) {
          w.uint32(42)
          AgentCard.SignedPrekey.codec().encode(obj.signedPrekey, w)
        }

        if (obj.relays != null && obj.relays.length > 0) {
          for (const value of obj.relays) {
            w.uint32(50)
            AgentCard.Relay.codec().encode(value, w)
          }
        }

        if ((obj.inboxPolicy != null && obj.inboxPolicy !== '')) {
          w.uint32(58)
          w.string(obj.inboxPolicy)
        }

        if (obj.credentials != null && obj.credentials.length > 0) {
          for (const value of obj.credentials) {
            w.uint32(66)
            w.bytes(value)
          }
        }

        if (obj.skills != null && obj.skills.length > 0) {
          for (const value of obj.skills) {
            w.uint32(74)
            AgentCard.Skill.codec().encode(value, w)
          }
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(80)
          w.uint64Number(obj.seq)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(88)
          w.uint64Number(obj.issuedAt)
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
          peerId: EMPTY_BYTES,
          name: '',
          description: '',
          relays: [],
          inboxPolicy: '',
          credentials: [],
          skills: [],
          seq: 0,
          issuedAt: 0,
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
              obj.peerId = reader.bytes()
              break
            }
            case 3: {
              obj.name = reader.string()
              break
            }
            case 4: {
              obj.description = reader.string()
              break
            }
            case 5: {
              obj.signedPrekey = AgentCard.SignedPrekey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signedPrekey
              })
              break
            }
            case 6: {
              if (opts.limits?.relays != null && obj.relays.length === opts.limits.relays) {
                throw new MaxLengthError('Decode error - repeated field "relays" had too many elements')
              }

              obj.relays.push(AgentCard.Relay.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.relays$
              }))
              break
            }
            case 7: {
              obj.inboxPolicy = reader.string()
              break
            }
            case 8: {
              if (opts.limits?.credentials != null && obj.credentials.length === opts.limits.credentials) {
                throw new MaxLengthError('Decode error - repeated field "credentials" had too many elements')
              }

              obj.credentials.push(reader.bytes())
              break
            }
            case 9: {
              if (opts.limits?.skills != null && obj.skills.length === opts.limits.skills) {
                throw new MaxLengthError('Decode error - repeated field "skills" had too many elements')
              }

              obj.skills.push(AgentCard.Skill.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.skills$
              }))
              break
            }
            case 10: {
              obj.seq = reader.uint64Number()
              break
            }
            case 11: {
              obj.issuedAt = reader.uint64Number()
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
        const obj = {
          relays: 0,
          credentials: 0,
          skills: 0
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
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield * AgentCard.SignedPrekey.codec().stream(reader, reader.uint32(), `${prefix}.signedPrekey`, {
                limits: opts.limits?.signedPrekey
              })

              break
            }
            case 6: {
              if (opts.limits?.relays != null && obj.relays === opts.limits.relays) {
                throw new MaxLengthError('Streaming decode error - repeated field "relays" had too many elements')
              }

              for (const evt of AgentCard.Relay.codec().stream(reader, reader.uint32(), `${prefix}.relays[]`, {
                limits: opts.limits?.relays$
              })) {
                yield {
                  ...evt,
                  index: obj.relays
                }
              }

              obj.relays++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.inboxPolicy`,
                value: reader.string()
              }
              break
            }
            case 8: {
              if (opts.limits?.credentials != null && obj.credentials === opts.limits.credentials) {
                throw new MaxLengthError('Streaming decode error - repeated field "credentials" had too many elements')
              }

              yield {
                field: `${prefix}.credentials[]`,
                index: obj.credentials,
                value: reader.bytes()
              }

              obj.credentials++

              break
            }
            case 9: {
              if (opts.limits?.skills != null && obj.skills === opts.limits.skills) {
                throw new MaxLengthError('Streaming decode error - repeated field "skills" had too many elements')
              }

              for (const evt of AgentCard.Skill.codec().stream(reader, reader.uint32(), `${prefix}.skills[]`, {
                limits: opts.limits?.skills$
              })) {
                yield {
                  ...evt,
                  index: obj.skills
                }
              }

              obj.skills++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.issuedAt`,
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

  export interface AgentCardVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface AgentCardPeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AgentCardNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface AgentCardDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface AgentCardSignedPrekeyIdFieldEvent {
    field: '$.signedPrekey.id'
    value: number
  }

  export interface AgentCardSignedPrekeyPublicKeyFieldEvent {
    field: '$.signedPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AgentCardSignedPrekeySignatureFieldEvent {
    field: '$.signedPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AgentCardRelaysPeerIdFieldEvent {
    field: '$.relays[].peerId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface AgentCardRelaysAddrsFieldEvent {
    field: '$.relays[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface AgentCardInboxPolicyFieldEvent {
    field: '$.inboxPolicy'
    value: string
  }

  export interface AgentCardCredentialsFieldEvent {
    field: '$.credentials[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface AgentCardSkillsIdFieldEvent {
    field: '$.skills[].id'
    value: string
    index: number
  }

  export interface AgentCardSkillsNameFieldEvent {
    field: '$.skills[].name'
    value: string
    index: number
  }

  export interface AgentCardSkillsDescriptionFieldEvent {
    field: '$.skills[].description'
    value: string
    index: number
  }

  export interface AgentCardSkillsTagsFieldEvent {
    field: '$.skills[].tags[]'
    index: number
    value: string
  }

  export interface AgentCardSkillsExamplesFieldEvent {
    field: '$.skills[].examples[]'
    index: number
    value: string
  }

  export interface AgentCardSkillsInputModesFieldEvent {
    field: '$.skills[].inputModes[]'
    index: number
    value: string
  }

  export interface AgentCardSkillsOutputModesFieldEvent {
    field: '$.skills[].outputModes[]'
    index: number
    value: string
  }

  export interface AgentCardSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface AgentCardIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export interface AgentCardSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AgentCard>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AgentCard.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCard>): AgentCard {
    return decodeMessage(buf, AgentCard.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AgentCard>): Generator<AgentCardVersionFieldEvent | AgentCardPeerIdFieldEvent | AgentCardNameFieldEvent | AgentCardDescriptionFieldEvent | AgentCardSignedPrekeyIdFieldEvent | AgentCardSignedPrekeyPublicKeyFieldEvent | AgentCardSignedPrekeySignatureFieldEvent | AgentCardRelaysPeerIdFieldEvent | AgentCardRelaysAddrsFieldEvent | AgentCardInboxPolicyFieldEvent | AgentCardCredentialsFieldEvent | AgentCardSkillsIdFieldEvent | AgentCardSkillsNameFieldEvent | AgentCardSkillsDescriptionFieldEvent | AgentCardSkillsTagsFieldEvent | AgentCardSkillsExamplesFieldEvent | AgentCardSkillsInputModesFieldEvent | AgentCardSkillsOutputModesFieldEvent | AgentCardSeqFieldEvent | AgentCardIssuedAtFieldEvent | AgentCardSignatureFieldEvent> {
    return streamMessage(buf, AgentCard.codec(), opts)
  }
}

export interface CardResponse {
  version: number
  card: Uint8Array<ArrayBuffer>
  oneTimePrekey?: CardResponse.OneTimePrekey
}

export namespace CardResponse {
  export interface OneTimePrekey {
    id: number
    publicKey: Uint8Array<ArrayBuffer>
  }

  export namespace OneTimePrekey {
    let _codec: Codec<OneTimePrekey>

    export const codec = (): Codec<OneTimePrekey> => {
      if (_codec == null) {
        _codec = message<OneTimePrekey>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.id != null && obj.id !== 0)) {
            w.uint32(8)
            w.uint32(obj.id)
          }

          if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
            w.uint32(18)
            w.bytes(obj.publicKey)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            id: 0,
            publicKey: EMPTY_BYTES
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.id = reader.uint32()
                break
              }
              case 2: {
                obj.publicKey = reader.bytes()
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
                  field: `${prefix}.id`,
                  value: reader.uint32()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.publicKey`,
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

    export interface OneTimePrekeyIdFieldEvent {
      field: '$.id'
      value: number
    }

    export interface OneTimePrekeyPublicKeyFieldEvent {
      field: '$.publicKey'
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<OneTimePrekey>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, OneTimePrekey.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OneTimePrekey>): OneTimePrekey {
      return decodeMessage(buf, OneTimePrekey.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OneTimePrekey>): Generator<OneTimePrekeyIdFieldEvent | OneTimePrekeyPublicKeyFieldEvent> {
      return streamMessage(buf, OneTimePrekey.codec(), opts)
    }
  }

  let _codec: Codec<CardResponse>

  export const codec = (): Codec<CardResponse> => {
    if (_codec == null) {
      _codec = message<CardResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.card != null && obj.card.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.card)
        }

        if (obj.oneTimePrekey != null) {
          w.uint32(26)
          CardResponse.OneTimePrekey.codec().encode(obj.oneTimePrekey, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          card: EMPTY_BYTES
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
              obj.card = reader.bytes()
              break
            }
            case 3: {
              obj.oneTimePrekey = CardResponse.OneTimePrekey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.oneTimePrekey
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
                field: `${prefix}.card`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * CardResponse.OneTimePrekey.codec().stream(reader, reader.uint32(), `${prefix}.oneTimePrekey`, {
                limits: opts.limits?.oneTimePrekey
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

  export interface CardResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface CardResponseCardFieldEvent {
    field: '$.card'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CardResponseOneTimePrekeyIdFieldEvent {
    field: '$.oneTimePrekey.id'
    value: number
  }

  export interface CardResponseOneTimePrekeyPublicKeyFieldEvent {
    field: '$.oneTimePrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CardResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CardResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CardResponse>): CardResponse {
    return decodeMessage(buf, CardResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CardResponse>): Generator<CardResponseVersionFieldEvent | CardResponseCardFieldEvent | CardResponseOneTimePrekeyIdFieldEvent | CardResponseOneTimePrekeyPublicKeyFieldEvent> {
    return streamMessage(buf, CardResponse.codec(), opts)
  }
}
