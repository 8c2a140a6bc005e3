/**
 * The issuer side of `/agentmsg/verify/1.0.0`: one attempt per stream. The
 * prover asks, the issuer sends 64 fresh tasks and starts its clock, the
 * prover answers; all correct within the deadline earns a `software-agent`
 * credential for the stream's Noise-authenticated peer (never a name from
 * the request, so nobody can earn a credential for another agent).
 *
 * Attempts are rate limited per peer before any task is made, so the
 * issuer's own work (it computes every answer ahead) stays bounded.
 */
import { logger } from '@libp2p/logger'
import { FrameReader, writeFrame } from '../framing.js'
import { TokenBuckets } from '../token-bucket.js'
import { ChallengeFrame, Result } from './challenge.pb.js'
import {
  ANSWER_TIMEOUT, ATTEMPTS_PER_HOUR, CHALLENGE_DEADLINE, CHALLENGE_FRAME_VERSION, CHALLENGE_ITERATIONS, CHALLENGE_TASKS,
  DEFAULT_CREDENTIAL_TTL, MAX_ANSWERS_FRAME_BYTES, MAX_INBOUND_CHALLENGES, MAX_REQUEST_FRAME_BYTES, SOFTWARE_AGENT_LEVEL,
  VERIFY_PROTOCOL
} from './constants.js'
import { issueCredential } from './credential.js'
import { ChallengeFrameError } from './errors.js'
import { makeTasks, solveTasks } from './tasks.js'
import type { Identity, Primitives } from '../../crypto/index.js'
import type { PeerId, Startable, Stream } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

const log = logger('agentmsg:verify')

const hour = 60 * 60 * 1000

export interface VerifyServiceComponents {
  registrar: Registrar
}

export interface VerifyServiceInit {
  /** The issuer's identity: it signs the credentials. */
  identity: Identity
  primitives: Primitives
  /** Attempts one peer may make per hour. @default ATTEMPTS_PER_HOUR (5) */
  attemptsPerHour?: number
  /** @default CHALLENGE_DEADLINE (1 s) */
  deadlineMs?: number
  /** @default CHALLENGE_TASKS (64) */
  tasks?: number
  /** @default CHALLENGE_ITERATIONS (100) */
  iterations?: number
  /** How long issued credentials are valid. @default DEFAULT_CREDENTIAL_TTL (30 days) */
  credentialTtlMs?: number
  /** @default Date.now */
  now?: () => number
}

const result = (fields: Partial<Result>): Result => ({ refusal: Result.Refusal.NONE, detail: '', retryAfterMs: 0, credential: new Uint8Array(0), ...fields })

/** Decode one frame from the prover, of the one kind expected next. */
function decodeFrame (bytes: Uint8Array, kind: 'request' | 'answers', maxAnswers: number): ChallengeFrame {
  let frame: ChallengeFrame
  try {
    frame = ChallengeFrame.decode(bytes, { limits: { answers: { answers: maxAnswers } } } as never)
  } catch (err) {
    throw new ChallengeFrameError(`challenge frame: ${(err as Error).message}`)
  }
  if (frame.version !== CHALLENGE_FRAME_VERSION) throw new ChallengeFrameError(`challenge frame: unknown version ${frame.version}`)
  const kinds = (['request', 'challenge', 'answers', 'result'] as const).filter(k => frame[k] != null)
  if (kinds.length !== 1 || kinds[0] !== kind) throw new ChallengeFrameError(`challenge frame: expected exactly one ${kind}`)
  return frame
}

export class VerifyService implements Startable {
  readonly #components: VerifyServiceComponents
  readonly #identity: Identity
  readonly #prims: Primitives
  readonly #attempts: TokenBuckets
  readonly #attemptsPerHour: number
  readonly #deadline: number
  readonly #tasks: number
  readonly #iterations: number
  readonly #ttl: number
  readonly #now: () => number
  readonly #streams = new Set<Stream>()
  #started = false
  readonly stats = { issued: 0, refusals: 0, rejectedFrames: 0 }

  constructor (components: VerifyServiceComponents, init: VerifyServiceInit) {
    this.#components = components
    this.#identity = init.identity
    this.#prims = init.primitives
    this.#now = init.now ?? Date.now
    this.#attemptsPerHour = init.attemptsPerHour ?? ATTEMPTS_PER_HOUR
    this.#attempts = new TokenBuckets({ capacity: this.#attemptsPerHour, interval: hour, now: this.#now })
    this.#deadline = init.deadlineMs ?? CHALLENGE_DEADLINE
    this.#tasks = init.tasks ?? CHALLENGE_TASKS
    this.#iterations = init.iterations ?? CHALLENGE_ITERATIONS
    this.#ttl = init.credentialTtlMs ?? DEFAULT_CREDENTIAL_TTL
  }

  readonly [Symbol.toStringTag] = 'agentmsg/verify'

  async start (): Promise<void> {
    await this.#components.registrar.handle(VERIFY_PROTOCOL, (stream, connection) => {
      this.#serve(connection.remotePeer, stream)
    }, { maxInboundStreams: MAX_INBOUND_CHALLENGES, runOnLimitedConnection: false })
    this.#started = true
  }

  async stop (): Promise<void> {
    this.#started = false
    await this.#components.registrar.unhandle(VERIFY_PROTOCOL)
    for (const stream of this.#streams) stream.abort(new Error('issuer stopping'))
    this.#streams.clear()
  }

  isStarted (): boolean {
    return this.#started
  }

  #serve (remote: PeerId, stream: Stream): void {
    this.#streams.add(stream)
    this.#attempt(remote, stream)
      .then(async (sent) => {
        if (sent.refusal === Result.Refusal.NONE) this.stats.issued++
        else this.stats.refusals++
        await stream.close().catch(() => {})
      })
      .catch((err: Error) => {
        if (err.name === 'ChallengeFrameError' || err.name === 'FrameTooLargeError' || err.name === 'InvalidFrameError') this.stats.rejectedFrames++
        log('challenge stream with %p reset: %s', remote, err.message)
        stream.abort(err)
      })
      .finally(() => { this.#streams.delete(stream) })
  }

  /** One attempt on one stream; resolves with the Result it sent, throws to reset the stream. */
  async #attempt (remote: PeerId, stream: Stream): Promise<Result> {
    const send = async (frame: Partial<ChallengeFrame>): Promise<void> => {
      await writeFrame(stream, ChallengeFrame.encode({ version: CHALLENGE_FRAME_VERSION, ...frame }))
    }
    const finish = async (res: Result): Promise<Result> => {
      await send({ result: res })
      return res
    }
    const reader = new FrameReader(stream, { maxLength: Math.max(MAX_REQUEST_FRAME_BYTES, MAX_ANSWERS_FRAME_BYTES) })
    const next = async (kind: 'request' | 'answers', maxLength: number, signal: AbortSignal): Promise<ChallengeFrame> => {
      const bytes = await reader.read({ signal })
      if (bytes == null) throw new ChallengeFrameError(`challenge stream ended before the ${kind}`)
      if (bytes.length > maxLength) throw new ChallengeFrameError(`${kind} frame of ${bytes.length} bytes exceeds ${maxLength}`)
      return decodeFrame(bytes, kind, this.#tasks)
    }
    try {
      const request = (await next('request', MAX_REQUEST_FRAME_BYTES, AbortSignal.timeout(ANSWER_TIMEOUT))).request
      if (request == null) throw new ChallengeFrameError('challenge frame: expected a request')
      if (request.level !== '' && request.level !== SOFTWARE_AGENT_LEVEL) {
        return await finish(result({ refusal: Result.Refusal.BAD_REQUEST, detail: `this issuer gives only "${SOFTWARE_AGENT_LEVEL}"` }))
      }
      const wait = this.#attempts.take(remote.toString())
      if (wait > 0) {
        return await finish(result({ refusal: Result.Refusal.RATE_LIMITED, detail: `over ${this.#attemptsPerHour} attempts per hour`, retryAfterMs: Math.min(wait, 0xffffffff) }))
      }
      const tasks = makeTasks(this.#prims, this.#tasks, this.#iterations)
      // computed before the clock starts: only the prover's time counts
      const expected = solveTasks(this.#prims, tasks)
      const sentAt = performance.now()
      await send({ challenge: { tasks: tasks.map(t => ({ seed: t.seed as Uint8Array<ArrayBuffer>, iterations: t.iterations })), deadlineMs: this.#deadline } })
      let answers: Uint8Array[]
      try {
        answers = (await next('answers', MAX_ANSWERS_FRAME_BYTES, AbortSignal.timeout(ANSWER_TIMEOUT))).answers?.answers ?? []
      } catch (err) {
        if ((err as Error).name !== 'TimeoutError') throw err
        return await finish(result({ refusal: Result.Refusal.TOO_SLOW, detail: `no answers within ${ANSWER_TIMEOUT} ms` }))
      }
      const elapsed = performance.now() - sentAt
      if (elapsed > this.#deadline) {
        return await finish(result({ refusal: Result.Refusal.TOO_SLOW, detail: `answered in ${Math.round(elapsed)} ms, the deadline is ${this.#deadline} ms` }))
      }
      if (answers.length !== expected.length) {
        return await finish(result({ refusal: Result.Refusal.WRONG_ANSWER, detail: `${answers.length} answers to ${expected.length} tasks` }))
      }
      const wrong = expected.findIndex((answer, i) => !equal(answer, answers[i]))
      if (wrong >= 0) return await finish(result({ refusal: Result.Refusal.WRONG_ANSWER, detail: `task ${wrong} answered wrongly` }))
      let credential: Uint8Array
      try {
        credential = issueCredential(this.#prims, this.#identity, {
          subject: remote.toMultihash().bytes, level: SOFTWARE_AGENT_LEVEL, issuedAt: this.#now(), ttlMs: this.#ttl
        }).bytes
      } catch (err) {
        log.error('could not issue a credential to %p: %e', remote, err)
        return await finish(result({ refusal: Result.Refusal.UNAVAILABLE, detail: 'could not sign' }))
      }
      log('issued a credential to %p (answered in %d ms)', remote, Math.round(elapsed))
      return await finish(result({ credential: credential as Uint8Array<ArrayBuffer> }))
    } finally {
      reader.unwrap()
    }
  }
}

function equal (a: Uint8Array, b: Uint8Array | undefined): boolean {
  return b != null && a.length === b.length && a.every((x, i) => x === b[i])
}
