/**
 * Sender keys for private and bounty dens (docs/protocol.md §18.4): one
 * symmetric hash chain per member and roster epoch. Message key i is
 * HMAC(CK_i, 0x01), CK_{i+1} = HMAC(CK_i, 0x02); a used key is gone. The
 * chain travels to every member over 1:1 sessions; a roster change starts
 * new chains, so a removed member holds nothing for what follows.
 */
import { MAX_DEN_SKIP, MAX_DEN_SKIPPED_KEYS } from './constants.js'
import { DenKeyError } from './errors.js'
import type { Primitives } from '../../crypto/index.js'

const MESSAGE = new Uint8Array([0x01])
const CHAIN = new Uint8Array([0x02])

/** One chain as stored (hex, so it is plain JSON in the encrypted store). */
export interface SenderKeyState {
  chainKey: string
  /** the iteration `chainKey` is at: the next key this chain gives */
  iteration: number
  /** message keys skipped over, by iteration (received chains only) */
  skipped: Record<string, string>
}

export function newSenderKey (prims: Primitives): SenderKeyState {
  return { chainKey: hex(prims.randomBytes(32)), iteration: 0, skipped: {} }
}

/** Our own next message key, and the state after it. */
export function nextMessageKey (prims: Primitives, state: SenderKeyState): { key: Uint8Array, iteration: number, state: SenderKeyState } {
  const ck = Buffer.from(state.chainKey, 'hex')
  return {
    key: prims.hmacSha256(ck, MESSAGE),
    iteration: state.iteration,
    state: { chainKey: hex(prims.hmacSha256(ck, CHAIN)), iteration: state.iteration + 1, skipped: {} }
  }
}

/**
 * The message key of a received post at `iteration`, and the state after
 * it (nothing changes until the caller stores the new state, so a post that
 * then fails to open changes nothing). Throws `DenKeyError` for a repeat, a
 * key already used, or a jump past the bounds.
 */
export function receiveMessageKey (prims: Primitives, state: SenderKeyState, iteration: number): { key: Uint8Array, state: SenderKeyState } {
  if (!Number.isSafeInteger(iteration) || iteration < 0) throw new DenKeyError('den post: bad iteration')
  if (iteration < state.iteration) {
    const skipped = state.skipped[String(iteration)]
    if (skipped == null) throw new DenKeyError('den post: a repeat, or a key already used')
    const rest = { ...state.skipped }
    delete rest[String(iteration)]
    return { key: new Uint8Array(Buffer.from(skipped, 'hex')), state: { ...state, skipped: rest } }
  }
  const jump = iteration - state.iteration
  if (jump > MAX_DEN_SKIP) throw new DenKeyError(`den post: ${jump} keys ahead, more than ${MAX_DEN_SKIP}`)
  if (Object.keys(state.skipped).length + jump > MAX_DEN_SKIPPED_KEYS) throw new DenKeyError('den post: too many skipped keys')
  const skipped = { ...state.skipped }
  let ck: Uint8Array = Buffer.from(state.chainKey, 'hex')
  for (let i = state.iteration; i < iteration; i++) {
    skipped[String(i)] = hex(prims.hmacSha256(ck, MESSAGE))
    ck = prims.hmacSha256(ck, CHAIN)
  }
  return {
    key: prims.hmacSha256(ck, MESSAGE),
    state: { chainKey: hex(prims.hmacSha256(ck, CHAIN)), iteration: iteration + 1, skipped }
  }
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
