import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The value of an absent bytes field: shared, since a zero-length array cannot be written to (scripts/generate.sh). */
const EMPTY_BYTES = uint8ArrayAlloc(0)

export interface Request {
  level: string
}

export namespace Request {
  let _codec: Codec<Request>

  export const codec = (): Codec<Request> => {
    if (_codec == null) {
      _codec = message<Request>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.level != null && obj.level !== '')) {
          w.uint32(10)
          w.string(obj.level)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          level: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.level = reader.string()
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
                field: `${prefix}.level`,
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

  export interface RequestLevelFieldEvent {
    field: '$.level'
    value: string
  }

  export function encode (obj: Partial<Request>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Request.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Request {
    return decodeMessage(buf, Request.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Generator<RequestLevelFieldEvent> {
    return streamMessage(buf, Request.codec(), opts)
  }
}

export interface Task {
  seed: Uint8Array<ArrayBuffer>
  iterations: number
}

export namespace Task {
  let _codec: Codec<Task>

  export const codec = (): Codec<Task> => {
    if (_codec == null) {
      _codec = message<Task>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seed != null && obj.seed.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.seed)
        }

        if ((obj.iterations != null && obj.iterations !== 0)) {
          w.uint32(16)
          w.uint32(obj.iterations)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seed: EMPTY_BYTES,
          iterations: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seed = reader.bytes()
              break
            }
            case 2: {
              obj.iterations = reader.uint32()
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
                field: `${prefix}.seed`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.iterations`,
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

  export interface TaskSeedFieldEvent {
    field: '$.seed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskIterationsFieldEvent {
    field: '$.iterations'
    value: number
  }

  export function encode (obj: Partial<Task>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Task.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Task>): Task {
    return decodeMessage(buf, Task.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Task>): Generator<TaskSeedFieldEvent | TaskIterationsFieldEvent> {
    return streamMessage(buf, Task.codec(), opts)
  }
}

export interface Challenge {
  tasks: Task[]
  deadlineMs: number
}

export namespace Challenge {
  let _codec: Codec<Challenge>

  export const codec = (): Codec<Challenge> => {
    if (_codec == null) {
      _codec = message<Challenge>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.tasks != null && obj.tasks.length > 0) {
          for (const value of obj.tasks) {
            w.uint32(10)
            Task.codec().encode(value, w)
          }
        }

        if ((obj.deadlineMs != null && obj.deadlineMs !== 0)) {
          w.uint32(16)
          w.uint32(obj.deadlineMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tasks: [],
          deadlineMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.tasks != null && obj.tasks.length === opts.limits.tasks) {
                throw new MaxLengthError('Decode error - repeated field "tasks" had too many elements')
              }

              obj.tasks.push(Task.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tasks$
              }))
              break
            }
            case 2: {
              obj.deadlineMs = reader.uint32()
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
          tasks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.tasks != null && obj.tasks === opts.limits.tasks) {
                throw new MaxLengthError('Streaming decode error - repeated field "tasks" had too many elements')
              }

              for (const evt of Task.codec().stream(reader, reader.uint32(), `${prefix}.tasks[]`, {
                limits: opts.limits?.tasks$
              })) {
                yield {
                  ...evt,
                  index: obj.tasks
                }
              }

              obj.tasks++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.deadlineMs`,
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

  export interface ChallengeTasksSeedFieldEvent {
    field: '$.tasks[].seed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ChallengeTasksIterationsFieldEvent {
    field: '$.tasks[].iterations'
    value: number
    index: number
  }

  export interface ChallengeDeadlineMsFieldEvent {
    field: '$.deadlineMs'
    value: number
  }

  export function encode (obj: Partial<Challenge>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Challenge.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Challenge>): Challenge {
    return decodeMessage(buf, Challenge.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Challenge>): Generator<ChallengeTasksSeedFieldEvent | ChallengeTasksIterationsFieldEvent | ChallengeDeadlineMsFieldEvent> {
    return streamMessage(buf, Challenge.codec(), opts)
  }
}

export interface Answers {
  answers: Uint8Array<ArrayBuffer>[]
}

export namespace Answers {
  let _codec: Codec<Answers>

  export const codec = (): Codec<Answers> => {
    if (_codec == null) {
      _codec = message<Answers>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.answers != null && obj.answers.length > 0) {
          for (const value of obj.answers) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          answers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.answers != null && obj.answers.length === opts.limits.answers) {
                throw new MaxLengthError('Decode error - repeated field "answers" had too many elements')
              }

              obj.answers.push(reader.bytes())
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
          answers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.answers != null && obj.answers === opts.limits.answers) {
                throw new MaxLengthError('Streaming decode error - repeated field "answers" had too many elements')
              }

              yield {
                field: `${prefix}.answers[]`,
                index: obj.answers,
                value: reader.bytes()
              }

              obj.answers++

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

  export interface AnswersAnswersFieldEvent {
    field: '$.answers[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Answers>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Answers.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Answers>): Answers {
    return decodeMessage(buf, Answers.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Answers>): Generator<AnswersAnswersFieldEvent> {
    return streamMessage(buf, Answers.codec(), opts)
  }
}

export interface Result {
  refusal: Result.Refusal
  detail: string
  retryAfterMs: number
  credential: Uint8Array<ArrayBuffer>
}

export namespace Result {
  export enum Refusal {
    NONE = 'NONE',
    BAD_REQUEST = 'BAD_REQUEST',
    WRONG_ANSWER = 'WRONG_ANSWER',
    TOO_SLOW = 'TOO_SLOW',
    RATE_LIMITED = 'RATE_LIMITED',
    UNAVAILABLE = 'UNAVAILABLE'
  }

  enum __RefusalValues {
    NONE = 0,
    BAD_REQUEST = 1,
    WRONG_ANSWER = 2,
    TOO_SLOW = 3,
    RATE_LIMITED = 4,
    UNAVAILABLE = 5
  }

  export namespace Refusal {
    export const codec = (): Codec<Refusal> => {
      return enumeration<Refusal>(__RefusalValues)
    }
  }

  let _codec: Codec<Result>

  export const codec = (): Codec<Result> => {
    if (_codec == null) {
      _codec = message<Result>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.refusal != null && __RefusalValues[obj.refusal] !== 0) {
          w.uint32(8)
          Result.Refusal.codec().encode(obj.refusal, w)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(18)
          w.string(obj.detail)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.retryAfterMs)
        }

        if ((obj.credential != null && obj.credential.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.credential)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          refusal: Refusal.NONE,
          detail: '',
          retryAfterMs: 0,
          credential: EMPTY_BYTES
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.refusal = Result.Refusal.codec().decode(reader)
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
              obj.credential = reader.bytes()
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
                field: `${prefix}.refusal`,
                value: Result.Refusal.codec().decode(reader)
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
              yield {
                field: `${prefix}.credential`,
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

  export interface ResultRefusalFieldEvent {
    field: '$.refusal'
    value: Result.Refusal
  }

  export interface ResultDetailFieldEvent {
    field: '$.detail'
    value: string
  }

  export interface ResultRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export interface ResultCredentialFieldEvent {
    field: '$.credential'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Result>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Result.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Result>): Result {
    return decodeMessage(buf, Result.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Result>): Generator<ResultRefusalFieldEvent | ResultDetailFieldEvent | ResultRetryAfterMsFieldEvent | ResultCredentialFieldEvent> {
    return streamMessage(buf, Result.codec(), opts)
  }
}

export interface ChallengeFrame {
  version: number
  request?: Request
  challenge?: Challenge
  answers?: Answers
  result?: Result
}

export namespace ChallengeFrame {
  let _codec: Codec<ChallengeFrame>

  export const codec = (): Codec<ChallengeFrame> => {
    if (_codec == null) {
      _codec = message<ChallengeFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.request != null) {
          w.uint32(18)
          Request.codec().encode(obj.request, w)
        }

        if (obj.challenge != null) {
          w.uint32(26)
          Challenge.codec().encode(obj.challenge, w)
        }

        if (obj.answers != null) {
          w.uint32(34)
          Answers.codec().encode(obj.answers, w)
        }

        if (obj.result != null) {
          w.uint32(42)
          Result.codec().encode(obj.result, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
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
              obj.request = Request.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.request
              })
              break
            }
            case 3: {
              obj.challenge = Challenge.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.challenge
              })
              break
            }
            case 4: {
              obj.answers = Answers.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.answers
              })
              break
            }
            case 5: {
              obj.result = Result.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
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
              yield * Request.codec().stream(reader, reader.uint32(), `${prefix}.request`, {
                limits: opts.limits?.request
              })

              break
            }
            case 3: {
              yield * Challenge.codec().stream(reader, reader.uint32(), `${prefix}.challenge`, {
                limits: opts.limits?.challenge
              })

              break
            }
            case 4: {
              yield * Answers.codec().stream(reader, reader.uint32(), `${prefix}.answers`, {
                limits: opts.limits?.answers
              })

              break
            }
            case 5: {
              yield * Result.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
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

  export interface ChallengeFrameVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ChallengeFrameRequestLevelFieldEvent {
    field: '$.request.level'
    value: string
  }

  export interface ChallengeFrameChallengeTasksSeedFieldEvent {
    field: '$.challenge.tasks[].seed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ChallengeFrameChallengeTasksIterationsFieldEvent {
    field: '$.challenge.tasks[].iterations'
    value: number
    index: number
  }

  export interface ChallengeFrameChallengeDeadlineMsFieldEvent {
    field: '$.challenge.deadlineMs'
    value: number
  }

  export interface ChallengeFrameAnswersAnswersFieldEvent {
    field: '$.answers.answers[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChallengeFrameResultRefusalFieldEvent {
    field: '$.result.refusal'
    value: Result.Refusal
  }

  export interface ChallengeFrameResultDetailFieldEvent {
    field: '$.result.detail'
    value: string
  }

  export interface ChallengeFrameResultRetryAfterMsFieldEvent {
    field: '$.result.retryAfterMs'
    value: number
  }

  export interface ChallengeFrameResultCredentialFieldEvent {
    field: '$.result.credential'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ChallengeFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChallengeFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChallengeFrame>): ChallengeFrame {
    return decodeMessage(buf, ChallengeFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChallengeFrame>): Generator<ChallengeFrameVersionFieldEvent | ChallengeFrameRequestLevelFieldEvent | ChallengeFrameChallengeTasksSeedFieldEvent | ChallengeFrameChallengeTasksIterationsFieldEvent | ChallengeFrameChallengeDeadlineMsFieldEvent | ChallengeFrameAnswersAnswersFieldEvent | ChallengeFrameResultRefusalFieldEvent | ChallengeFrameResultDetailFieldEvent | ChallengeFrameResultRetryAfterMsFieldEvent | ChallengeFrameResultCredentialFieldEvent> {
    return streamMessage(buf, ChallengeFrame.codec(), opts)
  }
}
