/**
 * One Double Ratchet session per peer, loaded from the store on first use and
 * kept in memory after. Sealing for a peer and opening from a peer are
 * serialised per peer, so the session state written with each message is the
 * state that message left behind.
 */
import { logger } from '@libp2p/logger'
import { Session, SessionStateError, decodeEnvelope, decodeHeader, verifyEnvelope } from '../crypto/index.js'
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
  session: Uint8Array
  /** the sender started a new session with this message */
  started: boolean
  /** the one-time prekey that session used: delete it with the message */
  consumedOneTimePrekey?: number
}



export class SessionManager {
  readonly #init: SessionManagerInit
  readonly #sessions = new Map<string, Session>()
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

  async #load (peer: string): Promise<Session | undefined> {
    let session = this.#sessions.get(peer)
    if (session == null) {
      const bytes = await this.#init.storage.get(peer)
      if (bytes != null) {
        session = Session.deserialize(this.#init.prims, this.#init.identity, bytes, this.#init.ratchet)
        this.#sessions.set(peer, session)
      }
    }
    return session
  }

  /**
   * Seal messages for `peer` in order, starting a session from its bundle when
   * there is none, under one lock: `persist` gets every envelope and the
   * session state they leave, to store in one write. If `persist` throws, the
   * in-memory session is dropped so it reloads from the store.
   */
  async sealMany<T> (peer: string, plaintexts: Array<{ plaintext: Uint8Array, sentAt: number }>, persist: (sealed: Array<{ envelope: Uint8Array, id: Uint8Array }>, session: Uint8Array) => Promise<T>): Promise<T> {
    return this.#exclusive(peer, async () => {
      let session = await this.#load(peer)
      if (session == null || !session.canSend) {
        session = Session.initiate(this.#init.prims, this.#init.identity, await this.#init.bundle(peer), this.#init.ratchet)
        this.x3dhInitiated++
        this.#sessions.set(peer, session)
      }
      const sealed = plaintexts.map(({ plaintext, sentAt }) => {
        const envelope = session.seal(plaintext, { sentAt })
        return { envelope, id: decodeEnvelope(envelope).id.slice() }
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
   */
  async open<T> (peer: string, verified: VerifiedEnvelope, persist: (opened: Opened) => Promise<T>): Promise<T> {
    return this.#exclusive(peer, async () => {
      const current = await this.#load(peer)
      let session: Session
      let plaintext: Uint8Array
      let started = false
      let consumedOneTimePrekey: number | undefined
      if (current != null && current.matches(verified)) {
        session = current
        plaintext = session.open(verified)
      } else {
        const x3dh = decodeHeader(verified.envelope.header).x3dh
        if (x3dh == null) throw new SessionStateError('session: no session with this peer and the message does not start one')
        const prekeys = await this.#init.prekeys(x3dh)
        const recording: PrekeyStore = {
          signedPrekey: id => prekeys.signedPrekey(id),
          oneTimePrekey: id => prekeys.oneTimePrekey(id),
          consumeOneTimePrekey: id => { consumedOneTimePrekey = id }
        }
        const accepted = Session.accept(this.#init.prims, this.#init.identity, recording, verified, this.#init.ratchet)
        session = accepted.session
        plaintext = accepted.plaintext
        started = true
        log('%s started a new session', peer)
      }
      this.#sessions.set(peer, session)
      try {
        const opened: Opened = { verified, plaintext, session: session.serialize(), started }
        if (consumedOneTimePrekey !== undefined) opened.consumedOneTimePrekey = consumedOneTimePrekey
        return await persist(opened)
      } catch (err) {
        this.#sessions.delete(peer)
        throw err
      }
    })
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
