/**
 * The Double Ratchet (Signal's specification), with three additions:
 *
 * 1. **Forced refresh.** The plain ratchet only steps when the peer replies. A
 *    sender that has sent `forceStepAfter` (100) messages on one chain starts
 *    a *refresh chain* i ≥ 1: a fresh X25519 key E_i, and
 *    `CK_i = HKDF(ikm = DH(E_i, DHr), salt = RK_i, info = "agentmsg/v1/leaf" || u32be(i))`,
 *    where RK_1 is a third output of the step's root KDF and
 *    `RK_{i+1} = HMAC(RK_i, 0x03)`; each RK_i is erased once its chain exists,
 *    so state read later cannot re-derive a past refresh chain (forward
 *    secrecy), while E_i gives it fresh DH secrecy (healing). Refreshes are
 *    leaves of their DH step: the root chain is untouched, so a refresh can
 *    neither race a concurrent reply nor desynchronise the root when a whole
 *    chain is lost. E_i's private key is wiped as soon as the chain key exists.
 * 2. **No chain finalisation.** Receiving chains stay open (bounded by
 *    MAX_RECEIVE_CHAINS) instead of being skipped to `pn`, so a late message of
 *    an older chain or refresh still opens; skipped keys are only derived for
 *    gaps inside a chain, at most MAX_SKIP per jump and MAX_SKIPPED_KEYS per
 *    session, each refused after SKIPPED_KEY_TTL and erased at the next purge.
 *    A refresh chain whose next index reached FORCE_STEP_AFTER is *complete*:
 *    a sender carries at most that many messages on a chain, so it is erased
 *    at once (in one-way traffic the state holds two chains, not 32).
 * 3. **Random nonces.** Each message gets a fresh 12-byte AES-GCM nonce in its
 *    header, so even a session restored from a stale snapshot never reuses a
 *    (key, nonce) pair.
 *
 * Every operation is failure-atomic: `decrypt` computes into a plan and
 * commits it only after the AEAD tag verified, so a failed decryption leaves
 * the state exactly as it was.
 */
import { equalBytes, toHex, utf8, wipe } from './bytes.js'
import { concatTransient } from './transient-bytes.js'
import {
  FORCE_STEP_AFTER, MAX_RECEIVE_CHAINS, MAX_RECEIVE_STEPS, MAX_REFRESH_SKIP, MAX_SKIP, MAX_SKIPPED_KEYS,
  SESSION_STATE_VERSION, SKIPPED_KEY_TTL
} from './constants.js'
import { DecryptError, EncodingError, InvalidInputError, ReplayError, SessionStateError, SkipLimitError } from './errors.js'
import { encodeSessionState } from './session-state-encode.js'
import { RatchetHeader, SessionState } from './session-state.pb.js'
import type { KeyPair, Primitives } from './primitives.js'
import type { X3dhHeader } from './x3dh.js'

const ROOT_INFO = utf8('agentmsg/v1/ratchet')
const LEAF_INFO = utf8('agentmsg/v1/leaf')
const MESSAGE_KEY_SEED = Uint8Array.of(0x01)
const CHAIN_KEY_SEED = Uint8Array.of(0x02)
const REFRESH_KEY_SEED = Uint8Array.of(0x03)
const NONCE_LENGTH = 12
const MAX_HEADER_LENGTH = 256

export interface RatchetOptions {
  /** Clock for skipped-key expiry. @default Date.now */
  now?: () => number
  /** Messages on one chain before the sender forces a fresh ratchet key. @default 100 */
  forceStepAfter?: number
  /** Receiving DH steps kept for late messages. @default 5 */
  maxReceiveSteps?: number
  /** Receiving chains kept open for late messages. @default 32 */
  maxReceiveChains?: number
  /**
   * Most messages the peer puts on one chain: a refresh chain whose next
   * index reaches it is complete and erased. Lower it only when the peer's
   * `forceStepAfter` is as low (tests). @default the larger of FORCE_STEP_AFTER and `forceStepAfter`
   */
  chainLength?: number
}

interface SendChain {
  chainKey: Uint8Array
  n: number
  leaf: number
  leafKey?: Uint8Array
  refreshKey: Uint8Array
}

/** What we keep of each receiving DH step, to derive its refresh chains. */
interface ReceiveStep {
  theirRatchet: Uint8Array
  /** RK_nextLeaf: the refresh key of the next refresh chain not yet derived */
  refreshKey: Uint8Array
  nextLeaf: number
  /** refresh keys of refresh chains skipped over, by leaf index; they expire like skipped message keys */
  skippedRefresh: Map<number, SkippedKey>
  ourPrivate: Uint8Array
}

interface ReceiveChain {
  theirRatchet: Uint8Array
  leaf: number
  chainKey: Uint8Array
  n: number
}

interface SkippedKey {
  key: Uint8Array
  storedAt: number
}

interface SkippedMessageKey extends SkippedKey {
  theirRatchet: Uint8Array
  leaf: number
  n: number
}

interface RatchetInit {
  rootKey: Uint8Array
  ours: KeyPair
  theirs?: Uint8Array
  send?: SendChain
  steps?: Map<string, ReceiveStep>
  chains?: Map<string, ReceiveChain>
  skipped?: Map<string, SkippedMessageKey>
  associatedData: Uint8Array
  pendingX3dh?: X3dhHeader
}

interface StepPlan {
  step: ReceiveStep
  chainKey: Uint8Array
  commit(): void
  discard(): void
}

interface RefreshPlan {
  /** RK_leaf, for deriving this refresh chain's key */
  refreshKey: Uint8Array
  commit(): void
  discard(): void
}

interface ReceivePlan {
  messageKey: Uint8Array
  /** receiving chains to store (most recently used last) */
  chains: Array<[string, ReceiveChain]>
  skipped: Array<[string, SkippedMessageKey]>
  commit(): void
  discard(): void
}

export interface EncryptResult {
  header: Uint8Array
  ciphertext: Uint8Array
}

/** Decoded message header, as the ratchet reads it. */
export type Header = RatchetHeader

function chainId (theirRatchet: Uint8Array, leaf: number): string {
  return `${toHex(theirRatchet)}/${leaf}`
}

/** Move `key` to the end of a Map's iteration order (most recently used). */
function touch<V> (map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
}

export function decodeHeader (bytes: Uint8Array): Header {
  if (bytes.length > MAX_HEADER_LENGTH) throw new EncodingError(`ratchet header: ${bytes.length} bytes exceeds ${MAX_HEADER_LENGTH}`)
  let header: Header
  try {
    header = RatchetHeader.decode(bytes)
  } catch (err) {
    throw new EncodingError(`ratchet header: ${(err as Error).message}`)
  }
  if (header.dh.length !== 32) throw new EncodingError('ratchet header: dh must be 32 bytes')
  if (header.nonce.length !== NONCE_LENGTH) throw new EncodingError('ratchet header: nonce must be 12 bytes')
  if (header.leaf > 0 && header.leafKey.length !== 32) throw new EncodingError('ratchet header: leafKey must be 32 bytes')
  if (header.leaf === 0 && header.leafKey.length !== 0) throw new EncodingError('ratchet header: leafKey without leaf')
  if (header.x3dh != null && header.x3dh.ephemeralKey.length !== 32) throw new EncodingError('ratchet header: x3dh ephemeral key must be 32 bytes')
  return header
}

export class Ratchet {
  readonly #prims: Primitives
  readonly #now: () => number
  readonly #forceStepAfter: number
  readonly #maxReceiveSteps: number
  readonly #maxReceiveChains: number
  /** a refresh chain whose next index reached this carries no further message */
  readonly #chainLength: number

  #rootKey: Uint8Array
  #ours: KeyPair
  #theirs?: Uint8Array
  #send?: SendChain
  readonly #steps: Map<string, ReceiveStep>
  readonly #chains: Map<string, ReceiveChain>
  readonly #skipped: Map<string, SkippedMessageKey>
  readonly associatedData: Uint8Array
  #pendingX3dh?: X3dhHeader

  private constructor (prims: Primitives, options: RatchetOptions, init: RatchetInit) {
    this.#prims = prims
    this.#now = options.now ?? Date.now
    this.#forceStepAfter = positive('forceStepAfter', options.forceStepAfter ?? FORCE_STEP_AFTER)
    this.#maxReceiveSteps = positive('maxReceiveSteps', options.maxReceiveSteps ?? MAX_RECEIVE_STEPS)
    this.#maxReceiveChains = positive('maxReceiveChains', options.maxReceiveChains ?? MAX_RECEIVE_CHAINS)
    // senders start a refresh after at most FORCE_STEP_AFTER messages; a session configured for longer chains keeps them
    this.#chainLength = positive('chainLength', options.chainLength ?? Math.max(FORCE_STEP_AFTER, this.#forceStepAfter))
    this.#rootKey = init.rootKey
    this.#ours = init.ours
    this.#theirs = init.theirs
    this.#send = init.send
    this.#steps = init.steps ?? new Map()
    this.#chains = init.chains ?? new Map()
    this.#skipped = init.skipped ?? new Map()
    this.associatedData = init.associatedData
    this.#pendingX3dh = init.pendingX3dh
  }

  /**
   * The initiator (Alice): X3DH gave `sharedKey`; the responder's signed
   * prekey is its first ratchet key. `x3dh` rides on every message until the
   * first reply arrives, so any of the first messages can start the session.
   */
  static initiate (prims: Primitives, init: {
    sharedKey: Uint8Array
    associatedData: Uint8Array
    theirRatchet: Uint8Array
    x3dh: X3dhHeader
  }, options: RatchetOptions = {}): Ratchet {
    const ours = prims.x25519KeyPair()
    const [rootKey, chainKey, refreshKey] = kdfRoot(prims, init.sharedKey, prims.x25519(ours.privateKey, init.theirRatchet))
    return new Ratchet(prims, options, {
      rootKey,
      ours,
      theirs: init.theirRatchet,
      send: { chainKey, n: 0, leaf: 0, refreshKey },
      associatedData: init.associatedData,
      pendingX3dh: init.x3dh
    })
  }

  /** The responder (Bob): its signed prekey pair is its first ratchet key. It sends only after it received. */
  static respond (prims: Primitives, init: {
    sharedKey: Uint8Array
    associatedData: Uint8Array
    signedPrekey: KeyPair
  }, options: RatchetOptions = {}): Ratchet {
    return new Ratchet(prims, options, {
      rootKey: init.sharedKey.slice(),
      ours: { publicKey: init.signedPrekey.publicKey.slice(), privateKey: init.signedPrekey.privateKey.slice() },
      associatedData: init.associatedData
    })
  }

  /** True once this side can send (the initiator at once, the responder after its first message in). */
  get canSend (): boolean {
    return this.#send != null
  }

  /** The X3DH header still attached to outgoing messages, if any. */
  get pendingX3dh (): X3dhHeader | undefined {
    return this.#pendingX3dh
  }

  /** The public key the next message will be sent under (the refresh key when one is active). */
  get sendingRatchetKey (): Uint8Array {
    return this.#send?.leafKey ?? this.#ours.publicKey
  }

  /** Skipped message keys currently stored. */
  get skippedKeyCount (): number {
    return this.#skipped.size
  }

  /**
   * Encrypt `plaintext`. `associate(header)` returns the associated data that
   * the caller binds for this header (the envelope's version, parties, header
   * and id); the session's X3DH AD is prepended to it.
   */
  encrypt (plaintext: Uint8Array, associate: (header: Uint8Array) => Uint8Array = () => new Uint8Array(0)): EncryptResult {
    const current = this.#send
    if (current == null || this.#theirs == null) {
      throw new SessionStateError('ratchet: the responder cannot send before it has received a message')
    }
    let send = current
    if (send.n >= this.#forceStepAfter) {
      const refresh = this.#prims.x25519KeyPair()
      const leaf = send.leaf + 1
      const chainKey = kdfLeaf(this.#prims, send.refreshKey, this.#prims.x25519(refresh.privateKey, this.#theirs), leaf)
      wipe(refresh.privateKey)
      send = { chainKey, n: 0, leaf, leafKey: refresh.publicKey, refreshKey: nextRefreshKey(this.#prims, send.refreshKey) }
    }
    const [messageKey, nextChainKey] = kdfChain(this.#prims, send.chainKey)
    const nonce = this.#prims.randomBytes(NONCE_LENGTH)
    const fields = { dh: this.#ours.publicKey, n: send.n, leaf: send.leaf, leafKey: send.leafKey ?? new Uint8Array(0), nonce }
    const header = RatchetHeader.encode((this.#pendingX3dh != null ? { ...fields, x3dh: this.#pendingX3dh } : fields) as Header)
    const ad = concatTransient(this.associatedData, associate(header))
    const ciphertext = this.#prims.aesGcmSeal(messageKey, nonce, plaintext, ad)
    wipe(messageKey)
    if (send !== current) wipe(current.chainKey, current.refreshKey)
    wipe(send.chainKey)
    this.#send = { ...send, chainKey: nextChainKey, n: send.n + 1 }
    return { header, ciphertext }
  }

  /**
   * Decrypt a message. `associatedData` is what the sender's `associate`
   * returned for this header. Throws `EncodingError`, `SkipLimitError`,
   * `ReplayError` (key already used) or `DecryptError`; on any throw the state
   * is unchanged. `decoded` is `decodeHeader(headerBytes)`, when the caller
   * has it already.
   */
  decrypt (headerBytes: Uint8Array, ciphertext: Uint8Array, associatedData: Uint8Array = new Uint8Array(0), decoded?: Header): Uint8Array {
    const header = decoded ?? decodeHeader(headerBytes)
    const ad = concatTransient(this.associatedData, associatedData)
    const id = chainId(header.dh, header.leaf)
    const skipKey = `${id}#${header.n}`

    const skipped = this.#skipped.get(skipKey)
    if (skipped != null) {
      const now = this.#now()
      if (now - skipped.storedAt >= SKIPPED_KEY_TTL) {
        throw new ReplayError('ratchet: that message key has expired')
      }
      const plaintext = this.#prims.aesGcmOpen(skipped.key, header.nonce, ciphertext, ad)
      this.#skipped.delete(skipKey)
      wipe(skipped.key)
      this.#enforceBounds(now)
      this.#afterReceive()
      return plaintext
    }

    const plan = this.#planReceive(header, id)
    let plaintext: Uint8Array
    try {
      plaintext = this.#prims.aesGcmOpen(plan.messageKey, header.nonce, ciphertext, ad)
    } catch (err) {
      plan.discard()
      throw err
    }
    wipe(plan.messageKey)
    plan.commit()
    for (const [key, chain] of plan.chains) {
      const replaced = this.#chains.get(key)
      if (replaced != null) wipe(replaced.chainKey)
      if (this.#complete(chain)) {
        // its last message: nothing can open on it again (its refresh key is spent, so a copy is a ReplayError)
        wipe(chain.chainKey)
        this.#chains.delete(key)
      } else {
        touch(this.#chains, key, chain)
      }
    }
    for (const [key, entry] of plan.skipped) this.#skipped.set(key, entry)
    this.#enforceBounds(this.#now())
    this.#afterReceive()
    return plaintext
  }

  /** Work out the keys for a message that is not a stored skipped key, without touching state. */
  #planReceive (header: Header, id: string): ReceivePlan {
    const chain = this.#chains.get(id)
    const from = chain?.n ?? 0
    if (header.n < from) {
      throw new ReplayError('ratchet: message key already used or expired')
    }
    if (header.n - from > MAX_SKIP) {
      throw new SkipLimitError(`ratchet: message ${header.n} would skip ${header.n - from} keys, more than ${MAX_SKIP}`)
    }
    const chains: Array<[string, ReceiveChain]> = []
    let stepPlan: StepPlan | undefined
    let refreshPlan: RefreshPlan | undefined
    let start = chain?.chainKey
    try {
      if (start == null) {
        let step = this.#steps.get(toHex(header.dh))
        if (step == null) {
          // A DH ratchet step: a ratchet key we have not seen from the peer.
          stepPlan = this.#planStep(header.dh)
          step = stepPlan.step
          if (header.leaf === 0) start = stepPlan.chainKey
          // the step's own chain, kept for its messages that arrive later
          else chains.push([chainId(header.dh, 0), { theirRatchet: step.theirRatchet, leaf: 0, chainKey: stepPlan.chainKey, n: 0 }])
        }
        if (start == null) {
          if (header.leaf === 0) throw new DecryptError('ratchet: that chain is no longer kept')
          const refresh = this.#planRefresh(step, header.leaf)
          refreshPlan = refresh
          start = kdfLeaf(this.#prims, refresh.refreshKey, this.#prims.x25519(step.ourPrivate, header.leafKey), header.leaf)
        }
      }
    } catch (err) {
      refreshPlan?.discard()
      stepPlan?.discard()
      throw err
    }

    const theirRatchet = chain?.theirRatchet ?? header.dh.slice()
    const skipped: Array<[string, SkippedMessageKey]> = []
    const storedAt = this.#now()
    let chainKey = start
    for (let i = from; i < header.n; i++) {
      const [mk, next] = kdfChain(this.#prims, chainKey)
      if (chainKey !== start) wipe(chainKey)
      skipped.push([`${id}#${i}`, { theirRatchet, leaf: header.leaf, n: i, key: mk, storedAt }])
      chainKey = next
    }
    const [messageKey, nextChainKey] = kdfChain(this.#prims, chainKey)
    if (chainKey !== start) wipe(chainKey)
    // a kept chain's key is erased when the commit replaces it; a fresh one is only a seed
    if (chain == null) wipe(start)
    chains.push([id, { theirRatchet, leaf: header.leaf, chainKey: nextChainKey, n: header.n + 1 }])
    return {
      messageKey,
      chains,
      skipped,
      commit: () => {
        stepPlan?.commit()
        refreshPlan?.commit()
      },
      discard: () => {
        wipe(messageKey, ...chains.map(([, c]) => c.chainKey), ...skipped.map(([, k]) => k.key))
        refreshPlan?.discard()
        stepPlan?.discard()
      }
    }
  }

  /**
   * Find RK_leaf for a refresh chain of `step`: a refresh key skipped over
   * earlier, or the hash chain advanced to `leaf` (keeping the ones passed
   * for their late chains). A refresh chain already derived cannot be again.
   */
  #planRefresh (step: ReceiveStep, leaf: number): RefreshPlan {
    const kept = step.skippedRefresh.get(leaf)
    if (kept != null) {
      if (this.#now() - kept.storedAt >= SKIPPED_KEY_TTL) throw new ReplayError('ratchet: that refresh key has expired')
      return {
        refreshKey: kept.key,
        commit: () => { step.skippedRefresh.delete(leaf); wipe(kept.key) },
        discard: () => {}
      }
    }
    if (leaf < step.nextLeaf) throw new ReplayError('ratchet: that refresh chain was already derived')
    if (leaf - step.nextLeaf > MAX_REFRESH_SKIP) {
      throw new SkipLimitError(`ratchet: refresh ${leaf} would skip ${leaf - step.nextLeaf} refresh chains, more than ${MAX_REFRESH_SKIP}`)
    }
    const passed: Array<[number, Uint8Array]> = []
    let refreshKey = step.refreshKey
    for (let i = step.nextLeaf; i < leaf; i++) {
      passed.push([i, refreshKey])
      refreshKey = nextRefreshKey(this.#prims, refreshKey)
    }
    const next = nextRefreshKey(this.#prims, refreshKey)
    return {
      refreshKey,
      commit: () => {
        // the passed keys (step.refreshKey among them) move into skippedRefresh
        const storedAt = this.#now()
        for (const [i, key] of passed) step.skippedRefresh.set(i, { key, storedAt })
        wipe(refreshKey)
        step.refreshKey = next
        step.nextLeaf = leaf + 1
        while (step.skippedRefresh.size > MAX_REFRESH_SKIP) {
          const [oldest, entry] = step.skippedRefresh.entries().next().value as [number, SkippedKey]
          wipe(entry.key)
          step.skippedRefresh.delete(oldest)
        }
      },
      discard: () => {
        for (const [, key] of passed) if (key !== step.refreshKey) wipe(key)
        if (refreshKey !== step.refreshKey) wipe(refreshKey)
        wipe(next)
      }
    }
  }

  /**
   * Plan a DH ratchet step for the peer's new ratchet key: derive its
   * receiving chain, then our next key pair and sending chain. Nothing is
   * applied until `commit()`.
   */
  #planStep (theirRatchet: Uint8Array): StepPlan {
    const prims = this.#prims
    const [rootKey1, chainKey, refreshKey] = kdfRoot(prims, this.#rootKey, prims.x25519(this.#ours.privateKey, theirRatchet))
    const ours = prims.x25519KeyPair()
    const [rootKey2, sendChainKey, sendRefreshKey] = kdfRoot(prims, rootKey1, prims.x25519(ours.privateKey, theirRatchet))
    wipe(rootKey1)
    const step: ReceiveStep = { theirRatchet: theirRatchet.slice(), refreshKey, nextLeaf: 1, skippedRefresh: new Map(), ourPrivate: this.#ours.privateKey }
    return {
      step,
      chainKey,
      commit: () => {
        this.#steps.set(toHex(theirRatchet), step)
        wipe(this.#rootKey)
        if (this.#send != null) wipe(this.#send.chainKey, this.#send.refreshKey)
        this.#rootKey = rootKey2
        this.#ours = ours
        this.#theirs = theirRatchet.slice()
        this.#send = { chainKey: sendChainKey, n: 0, leaf: 0, refreshKey: sendRefreshKey }
      },
      discard: () => {
        wipe(rootKey2, sendChainKey, sendRefreshKey, refreshKey, chainKey, ours.privateKey)
      }
    }
  }

  /** A message from the peer proves it has our ratchet key: stop attaching the X3DH header. */
  #afterReceive (): void {
    this.#pendingX3dh = undefined
  }

  /** A refresh chain that has reached the most messages a sender may put on one chain. */
  #complete (chain: ReceiveChain): boolean {
    return chain.leaf > 0 && chain.n >= this.#chainLength
  }

  #enforceBounds (now: number): void {
    for (const [key, entry] of this.#skipped) {
      if (now - entry.storedAt < SKIPPED_KEY_TTL && this.#skipped.size <= MAX_SKIPPED_KEYS) break
      wipe(entry.key)
      this.#skipped.delete(key)
    }
    while (this.#steps.size > this.#maxReceiveSteps) {
      // the oldest step goes with its receiving chains (libsignal keeps 5 receiver chains)
      const [key, step] = this.#steps.entries().next().value as [string, ReceiveStep]
      wipe(step.refreshKey, step.ourPrivate, ...[...step.skippedRefresh.values()].map(e => e.key))
      this.#steps.delete(key)
      for (const [id, chain] of this.#chains) {
        if (chain.theirRatchet === step.theirRatchet || equalBytes(chain.theirRatchet, step.theirRatchet)) {
          wipe(chain.chainKey)
          this.#chains.delete(id)
        }
      }
    }
    for (const step of this.#steps.values()) {
      for (const [leaf, entry] of step.skippedRefresh) {
        if (now - entry.storedAt < SKIPPED_KEY_TTL) break
        wipe(entry.key)
        step.skippedRefresh.delete(leaf)
      }
    }
    // complete refresh chains that a state written before they were erased at once still holds
    for (const [key, chain] of this.#chains) {
      if (!this.#complete(chain)) continue
      wipe(chain.chainKey)
      this.#chains.delete(key)
    }
    while (this.#chains.size > this.#maxReceiveChains) {
      const [key, chain] = this.#chains.entries().next().value as [string, ReceiveChain]
      wipe(chain.chainKey)
      this.#chains.delete(key)
    }
  }

  /** Serialise the whole state (secrets included) for the node's encrypted-at-rest store (short-lived memory: see Session.serialize). */
  serialize (): Uint8Array {
    const state = {
      version: SESSION_STATE_VERSION,
      rootKey: this.#rootKey,
      ourRatchetPublic: this.#ours.publicKey,
      ourRatchetPrivate: this.#ours.privateKey,
      theirRatchet: this.#theirs ?? new Uint8Array(0),
      steps: [...this.#steps.values()].map(s => ({
        theirRatchet: s.theirRatchet,
        refreshKey: s.refreshKey,
        nextLeaf: s.nextLeaf,
        skippedRefresh: [...s.skippedRefresh].map(([leaf, e]) => ({ leaf, refreshKey: e.key, storedAt: e.storedAt })),
        ourPrivate: s.ourPrivate
      })),
      chains: [...this.#chains.values()],
      skipped: [...this.#skipped.values()].map(k => ({ theirRatchet: k.theirRatchet, leaf: k.leaf, n: k.n, messageKey: k.key, storedAt: k.storedAt })),
      associatedData: this.associatedData
    }
    return encodeSessionState({
      ...state,
      send: this.#send != null ? { ...this.#send, leafKey: this.#send.leafKey ?? new Uint8Array(0) } : undefined,
      pendingX3dh: this.#pendingX3dh
    } as SessionState)
  }

  static deserialize (prims: Primitives, bytes: Uint8Array, options: RatchetOptions = {}): Ratchet {
    let s: SessionState
    try {
      s = SessionState.decode(bytes)
    } catch (err) {
      throw new EncodingError(`session state: ${(err as Error).message}`)
    }
    if (s.version !== SESSION_STATE_VERSION) {
      throw new EncodingError(`session state: unknown version ${s.version}`)
    }
    if (s.steps.some(st => st.nextLeaf < 1)) throw new EncodingError('session state: a receiving step has nextLeaf 0')
    const init: RatchetInit = {
      rootKey: s.rootKey,
      ours: { publicKey: s.ourRatchetPublic, privateKey: s.ourRatchetPrivate },
      steps: new Map(s.steps.map(st => [toHex(st.theirRatchet), {
        theirRatchet: st.theirRatchet,
        refreshKey: st.refreshKey,
        nextLeaf: st.nextLeaf,
        skippedRefresh: new Map(st.skippedRefresh.map(k => [k.leaf, { key: k.refreshKey, storedAt: k.storedAt }])),
        ourPrivate: st.ourPrivate
      }])),
      chains: new Map(s.chains.map(c => [chainId(c.theirRatchet, c.leaf), c])),
      skipped: new Map(s.skipped.map(k => [`${chainId(k.theirRatchet, k.leaf)}#${k.n}`, {
        theirRatchet: k.theirRatchet, leaf: k.leaf, n: k.n, key: k.messageKey, storedAt: k.storedAt
      }])),
      associatedData: s.associatedData
    }
    if (s.theirRatchet.length > 0) init.theirs = s.theirRatchet
    if (s.send != null) {
      const send: SendChain = { chainKey: s.send.chainKey, n: s.send.n, leaf: s.send.leaf, refreshKey: s.send.refreshKey }
      if (s.send.leafKey.length > 0) send.leafKey = s.send.leafKey
      init.send = send
    }
    if (s.pendingX3dh != null) init.pendingX3dh = s.pendingX3dh
    return new Ratchet(prims, options, init)
  }
}

function positive (what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidInputError(`${what} must be a positive integer, got ${value}`)
  return value
}

/** KDF_RK: HKDF(ikm = DH output, salt = root key) → root key, chain key, refresh key. */
function kdfRoot (prims: Primitives, rootKey: Uint8Array, dhOut: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const out = prims.hkdf(dhOut, rootKey, ROOT_INFO, 96)
  wipe(dhOut)
  return [out.slice(0, 32), out.slice(32, 64), out.slice(64, 96)]
}

/** KDF_CK: message key = HMAC(ck, 0x01), next chain key = HMAC(ck, 0x02). */
function kdfChain (prims: Primitives, chainKey: Uint8Array): [Uint8Array, Uint8Array] {
  return [prims.hmacSha256(chainKey, MESSAGE_KEY_SEED), prims.hmacSha256(chainKey, CHAIN_KEY_SEED)]
}

/** RK_{i+1} = HMAC(RK_i, 0x03): one-way, so a later refresh key never yields an earlier one. */
function nextRefreshKey (prims: Primitives, refreshKey: Uint8Array): Uint8Array {
  return prims.hmacSha256(refreshKey, REFRESH_KEY_SEED)
}

/** The chain key of the `leaf`-th forced refresh of a DH step. */
function kdfLeaf (prims: Primitives, refreshKey: Uint8Array, dhOut: Uint8Array, leaf: number): Uint8Array {
  const info = new Uint8Array(LEAF_INFO.length + 4)
  info.set(LEAF_INFO)
  new DataView(info.buffer).setUint32(LEAF_INFO.length, leaf)
  const ck = prims.hkdf(dhOut, refreshKey, info, 32)
  wipe(dhOut)
  return ck
}
