/**
 * The tasks of the speed challenge, as pure functions: the issuer makes a
 * batch and its answers, a prover solves it the same way.
 *
 * ```
 * answer(seed, k) = first 8 bytes of SHA-256^k(seed)     (SHA-256 applied k times)
 * ```
 *
 * Each task is 32 fresh random bytes, so no answer can be looked up or
 * reused; SHA-256 has no shortcut, so the only way to an answer is to
 * compute k hashes. That takes software microseconds and a person, even one
 * who pastes each seed into a tool by hand, far more than the deadline for
 * 64 of them.
 */
import { InvalidInputError } from '../../crypto/index.js'
import { CHALLENGE_ANSWER_BYTES, CHALLENGE_ITERATIONS, CHALLENGE_SEED_BYTES, CHALLENGE_TASKS } from './constants.js'
import type { Primitives } from '../../crypto/index.js'

/** One task of a challenge. */
export interface ChallengeTask {
  seed: Uint8Array
  iterations: number
}

/** Largest `iterations` a prover agrees to compute (a hostile issuer could otherwise ask for years of work). */
export const MAX_TASK_ITERATIONS = 10_000

/** A fresh batch of tasks. */
export function makeTasks (prims: Primitives, count = CHALLENGE_TASKS, iterations = CHALLENGE_ITERATIONS): ChallengeTask[] {
  return Array.from({ length: count }, () => ({ seed: prims.randomBytes(CHALLENGE_SEED_BYTES), iterations }))
}

/** The answer to one task. @throws InvalidInputError - not a task this protocol sets */
export function solveTask (prims: Primitives, task: ChallengeTask): Uint8Array {
  if (!(task.seed instanceof Uint8Array) || task.seed.length !== CHALLENGE_SEED_BYTES) {
    throw new InvalidInputError(`task seed: expected ${CHALLENGE_SEED_BYTES} bytes, got ${task.seed?.length}`)
  }
  if (!Number.isSafeInteger(task.iterations) || task.iterations < 1 || task.iterations > MAX_TASK_ITERATIONS) {
    throw new InvalidInputError(`task iterations: expected 1 to ${MAX_TASK_ITERATIONS}, got ${task.iterations}`)
  }
  let digest = task.seed
  for (let i = 0; i < task.iterations; i++) digest = prims.sha256(digest)
  return digest.slice(0, CHALLENGE_ANSWER_BYTES)
}

/** Answers to every task, in order. */
export function solveTasks (prims: Primitives, tasks: readonly ChallengeTask[]): Uint8Array[] {
  return tasks.map(task => solveTask(prims, task))
}
