/**
 * The prover side of `/agentmsg/verify/1.0.0`: ask an issuer, solve its
 * tasks, return the credential it signs. Checking that credential (against
 * the issuer asked, about ourselves) is the caller's part: `verifyCredential`.
 */
import { readFrame, writeFrame } from '../framing.js'
import { ChallengeFrame, Result } from './challenge.pb.js'
import {
  CHALLENGE_FRAME_VERSION, CHALLENGE_TASKS, MAX_CHALLENGE_FRAME_BYTES, MAX_DETAIL_LENGTH,
  MAX_RESULT_FRAME_BYTES, VERIFY_DIAL_TIMEOUT, VERIFY_PROTOCOL, VERIFY_TIMEOUT
} from './constants.js'
import {
  ChallengeFrameError, ChallengeRateLimitedError, ChallengeRefusedError, IssuerUnavailableError, TooSlowError, WrongAnswerError
} from './errors.js'
import { solveTasks } from './tasks.js'
import type { ChallengeTask } from './tasks.js'
import type { Primitives } from '../../crypto/index.js'
import type { AbortOptions, PeerId, Stream } from '@libp2p/interface'

/** Opens a stream to a peer on a protocol (libp2p's `dialProtocol`). */
export type DialProtocol = (peer: PeerId, protocol: string, options: AbortOptions) => Promise<Stream>

export interface RequestCredentialOptions {
  primitives: Primitives
  /** Bounds the whole exchange. @default AbortSignal.timeout(VERIFY_TIMEOUT) (15 s) */
  signal?: AbortSignal
  /**
   * Computes the answers, in task order.
   *
   * @default solveTasks (SHA-256, docs/protocol.md §20); tests pass slow or wrong ones
   */
  solve?(tasks: ChallengeTask[]): Uint8Array[] | Promise<Uint8Array[]>
}

/**
 * Runs the speed challenge at `issuer` and returns the encoded credential it
 * issued to us.
 *
 * @throws WrongAnswerError | TooSlowError | ChallengeRateLimitedError (`retryAfterMs`) | ChallengeRefusedError - the issuer refused
 * @throws IssuerUnavailableError - not reachable, not an issuer, or the exchange broke off
 * @throws ChallengeFrameError - the issuer broke the protocol
 */
export async function requestCredential (dial: DialProtocol, issuer: PeerId, options: RequestCredentialOptions): Promise<Uint8Array> {
  const signal = options.signal ?? AbortSignal.timeout(VERIFY_TIMEOUT)
  let stream: Stream
  try {
    stream = await dial(issuer, VERIFY_PROTOCOL, { signal: AbortSignal.any([signal, AbortSignal.timeout(VERIFY_DIAL_TIMEOUT)]) })
  } catch (err) {
    throw new IssuerUnavailableError(`cannot reach issuer ${issuer.toString()} on ${VERIFY_PROTOCOL}: ${(err as Error).message}`, { cause: err })
  }
  const send = async (frame: Partial<ChallengeFrame>): Promise<void> => {
    await writeFrame(stream, ChallengeFrame.encode({ version: CHALLENGE_FRAME_VERSION, ...frame }), { signal })
  }
  const receive = async (maxLength: number): Promise<ChallengeFrame> => {
    const bytes = await readFrame(stream, { maxLength, signal })
    let frame: ChallengeFrame
    try {
      frame = ChallengeFrame.decode(bytes, { limits: { challenge: { tasks: CHALLENGE_TASKS } } } as never)
    } catch (err) {
      throw new ChallengeFrameError(`challenge frame: ${(err as Error).message}`)
    }
    if (frame.version !== CHALLENGE_FRAME_VERSION) throw new ChallengeFrameError(`challenge frame: unknown version ${frame.version}`)
    if ([frame.request, frame.challenge, frame.answers, frame.result].filter(k => k != null).length !== 1) {
      throw new ChallengeFrameError('challenge frame: expected exactly one message')
    }
    return frame
  }
  try {
    await send({ request: { level: '' } })
    let frame = await receive(Math.max(MAX_CHALLENGE_FRAME_BYTES, MAX_RESULT_FRAME_BYTES))
    if (frame.challenge != null) {
      const tasks = frame.challenge.tasks.map(t => ({ seed: t.seed, iterations: t.iterations }))
      let answers: Uint8Array[]
      try {
        answers = await (options.solve ?? ((t) => solveTasks(options.primitives, t)))(tasks)
      } catch (err) {
        // tasks this protocol does not set: a hostile or broken issuer
        throw new ChallengeFrameError(`challenge: cannot solve: ${(err as Error).message}`, { cause: err })
      }
      await send({ answers: { answers: answers as Array<Uint8Array<ArrayBuffer>> } })
      frame = await receive(MAX_RESULT_FRAME_BYTES)
    }
    if (frame.result == null) throw new ChallengeFrameError('challenge frame: expected a challenge or a result')
    await stream.close({ signal }).catch(() => {})
    return credentialOf(frame.result)
  } catch (err) {
    stream.abort(err as Error)
    const name = (err as Error).name
    if (err instanceof ChallengeRefusedError || name === 'ChallengeFrameError' || name === 'FrameTooLargeError' || name === 'InvalidFrameError') throw err
    throw new IssuerUnavailableError(`challenge at ${issuer.toString()} broke off: ${(err as Error).message}`, { cause: err })
  }
}

function credentialOf (result: Result): Uint8Array {
  const detail = result.detail.slice(0, MAX_DETAIL_LENGTH)
  switch (result.refusal) {
    case Result.Refusal.NONE:
      if (result.credential.length === 0) throw new ChallengeFrameError('challenge result: neither a credential nor a refusal')
      return result.credential
    case Result.Refusal.WRONG_ANSWER: throw new WrongAnswerError(result.refusal, detail)
    case Result.Refusal.TOO_SLOW: throw new TooSlowError(result.refusal, detail)
    case Result.Refusal.RATE_LIMITED: throw new ChallengeRateLimitedError(result.refusal, detail, result.retryAfterMs)
    default: throw new ChallengeRefusedError(String(result.refusal), detail, result.retryAfterMs)
  }
}
