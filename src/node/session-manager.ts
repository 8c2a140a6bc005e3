/**
 * One Double Ratchet session per peer, loaded from the store on first use and
 * kept in memory after. Sealing for a peer and opening from a peer are
 * serialised per peer, so the session state written with each message is the
 * state that message left behind.
 */
import { logger } from '@libp2p/logger'
import { Session, SessionStateError, envelopeHeader, verifyEnvelope } from '../crypto/index.js'
import type { Identity, PrekeyBundle, PrekeyStore, Primitives, RatchetOptions, VerifiedEnvelope, X3dhHeader } from '../crypto/index.js'

const log = logger('agentmsg:sessions')

export interface SessionStorage {
  get(peer: string): Promise<Uint8Array | undefined>
}

export interface SessionManagerInit {
  prims: Primitives
  identity: Identity
  storage: SessionStorage
  /** The peer's prekey bundle (its card in the DHT, plus a one-time prekey when it hands one out). */
  bundle(peer: string): Promise<PrekeyBundle>
  /** Our prekeys for a session a peer starts with us: the signed prekey and one-time prekey its X3DH header names. */
  prekeys(x3dh: X3dhHeader): Promise<PrekeyStore>
  ratchet?: RatchetOptions
}

export interface Opened {
  verified: VerifiedEnvelope
  plaintext: Uint8Array
  /** session states to store with the message, by storage key (undefined: delete) */
  writes: Array<[string, Uint8Array | undefined]>
  /** the sender started a new session with this message */
  started: boolean
  /** the one-time prekey that session used: delete it with the message */
  consumedOneTimePrekey?: number
}



/** Where a peer's receive-only previous session is stored, next to its current one. */
export const PREVIOUS_SESSION_SUFFIX = '/previous'

interface PeerSessions {
  /** the session we send on */
  current?: Session
  /** a session the peer may still be sending on (simultaneous start, re-initiation): receive only */
  previous?: Session
}

export class SessionManager {
  readonly #init: SessionManagerInit
  readonly #sessions = new Map<string, PeerSessions>()
  readonly #locks = new Map<string, Promise<unknown>>()
  /** X3DH handshakes this node started: a restarted node resumes its sessions instead. */
  x3dhInitiated = 0

  constructor (init: SessionManagerInit) {
    this.#init = init
  }

  /** Run `fn` after every earlier call for the same peer has finished. */
  async #exclusive<T> (peer: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(peer) ?? Promise.resolve()
    const run = previous.then(fn, fn)
    const tail = run.catch(() => {})
    this.#locks.set(peer, tail)
    try {
      return await run
    } finally {
      if (this.#locks.get(peer) === tail) this.#locks.delete(peer)
    }
  }

  async #load (peer: string): Promise<PeerSessions> {
    let slots = this.#sessions.get(peer)
    if (slots == null) {
      slots = {}
      const current = await this.#init.storage.get(peer)
      const previous = await this.#init.storage.get(peer + PREVIOUS_SESSION_SUFFIX)
      if (current != null) slots.current = Session.deserialize(this.#init.prims, this.#init.identity, current, this.#init.ratchet)
      if (previous != null) slots.previous = Session.deserialize(this.#init.prims, this.#init.identity, previous, this.#init.ratchet)
      this.#sessions.set(peer, slots)
    }
    return slots
  }

  /**
   * Seal messages for `peer` in order, starting a session from its bundle when
   * there is none, under one lock: `persist` gets every envelope and the
   * session state they leave, to store in one write. If `persist` throws, the
   * in-memory session is dropped so it reloads from the store.
   */
  async sealMany<T> (peer: string, plaintexts: Array<{ plaintext: Uint8Array, sentAt: number }>, persist: (sealed: Array<{ envelope: Uint8Array, id: Uint8Array }>, session: Uint8Array) => Promise<T>): Promise<T> {
    return this.#exclusive(peer, async () => {
      const slots = await this.#load(peer)
      let session = slots.current
      if (session == null || !session.canSend) {
        session = Session.initiate(this.#init.prims, this.#init.identity, await this.#init.bundle(peer), this.#init.ratchet)
        this.x3dhInitiated++
        slots.current = session
      }
      const sealed = plaintexts.map(({ plaintext, sentAt }) => {
        const { bytes, id } = session.sealEnvelope(plaintext, { sentAt })
        return { envelope: bytes, id }
      })
      try {
        return await persist(sealed, session.serialize())
      } catch (err) {
        this.#sessions.delete(peer)
        throw err
      }
    })
  }

  /**
   * Verify and open an envelope from `peer`; `persist` stores the result
   * inside the per-peer lock. Throws the crypto core's typed errors.
   *
   * Which session: one the message names by its X3DH base key, else the
   * current one, then the previous one (decryption failure changes nothing,
   * so trying is safe), else a new session the message starts. A new session
   * replaces the current one, except when both agents started a session at
   * once (our current one is still waiting for its first reply): then both
   * keep the one with the lower base key, and the other stays receive-only.
   * A message on the previous session without an X3DH header shows the peer
   * sends on it: it becomes current again. Every path converges.
   */
  async open<T> (peer: string, verified: VerifiedEnvelope, persist: (opened: Opened) => Promise<T>): Promise<T> {
    return this.#exclusive(peer, async () => {
      const slots = await this.#load(peer)
      const x3dh = envelopeHeader(verified).x3dh
      const candidates: Array<'current' | 'previous'> = (['current', 'previous'] as const).filter(slot => slots[slot]?.matches(verified) === true)
      let firstError: unknown
      for (const slot of candidates) {
        const session = slots[slot]!
        let plaintext: Uint8Array
        try {
          plaintext = session.open(verified)
        } catch (err) {
          firstError ??= err
          continue
        }
        const changed: Array<'current' | 'previous'> = [slot]
        if (slot === 'previous' && x3dh == null && session.canSend) {
          // the peer is sending on it: send on it too
          slots.previous = slots.current
          slots.current = session
          changed.push('current')
        }
        return await this.#persist(peer, slots, changed, { verified, plaintext, started: false }, persist)
      }
      if (x3dh == null) {
        throw firstError ?? new SessionStateError('session: no session with this peer and the message does not start one')
      }
      let consumedOneTimePrekey: number | undefined
      const prekeys = await this.#init.prekeys(x3dh)
      const recording: PrekeyStore = {
        signedPrekey: id => prekeys.signedPrekey(id),
        oneTimePrekey: id => prekeys.oneTimePrekey(id),
        consumeOneTimePrekey: id => { consumedOneTimePrekey = id }
      }
      const { session, plaintext } = Session.accept(this.#init.prims, this.#init.identity, recording, verified, this.#init.ratchet)
      const current = slots.current
      if (current != null && current.initiator && current.awaitingReply && Buffer.compare(current.baseKey, session.baseKey) < 0) {
        // both started at once and ours has the lower base key: keep sending on ours
        slots.previous = session
      } else {
        slots.previous = current
        slots.current = session
      }
      log('%s started a new session', peer)
      const opened: Omit<Opened, 'writes'> = { verified, plaintext, started: true }
      if (consumedOneTimePrekey !== undefined) opened.consumedOneTimePrekey = consumedOneTimePrekey
      return await this.#persist(peer, slots, ['current', 'previous'], opened, persist)
    })
  }

  async #persist<T> (peer: string, slots: PeerSessions, changed: Array<'current' | 'previous'>, opened: Omit<Opened, 'writes'>, persist: (opened: Opened) => Promise<T>): Promise<T> {
    const writes: Array<[string, Uint8Array | undefined]> = []
    if (changed.includes('current')) writes.push([peer, slots.current?.serialize()])
    if (changed.includes('previous')) writes.push([peer + PREVIOUS_SESSION_SUFFIX, slots.previous?.serialize()])
    try {
      return await persist({ ...opened, writes })
    } catch (err) {
      // memory moved past what is stored: reload from the store next time
      this.#sessions.delete(peer)
      throw err
    }
  }

  /** Check an envelope addressed to us (decode, recipient, id, signature) without a session. */
  verify (bytes: Uint8Array): VerifiedEnvelope {
    return verifyEnvelope(this.#init.prims, this.#init.identity, bytes)
  }

  /** Forget in-memory sessions (on stop). */
  clear (): void {
    this.#sessions.clear()
  }
}
