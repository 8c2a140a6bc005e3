/**
 * The inbox policy (DESIGN §5): which agents' messages reach the inbox, and
 * message requests for the rest.
 *
 * - `open`: everyone (blocked agents never get this far).
 * - `verified`: agents whose card shows a valid credential from one of our
 *   trusted issuers.
 * - `contacts`: agents we gave `contact` or `trusted`.
 *
 * Under every policy an agent we already have a conversation with (we wrote
 * to it first, or accepted its request) and a contact is admitted. A first
 * message from anyone else becomes a request (`connection.request`); the
 * request holds that message and up to `maxHeld - 1` more, in order, out of
 * the inbox. Accepting delivers them and makes the peer a contact;
 * declining drops them, and the node tells the sender in a signed
 * `consent` body. A declined agent's later messages are refused until it is
 * made a contact. At most `maxPending` requests wait at once; past that a
 * new stranger is refused (its sender's copy turns `failed`), so a crowd of
 * new identities cannot grow the store without bound.
 */
import type { MessageRecord, RequestRecord, Store, StoreOp } from '../store/index.js'

export type InboxPolicy = 'open' | 'verified' | 'contacts'

export const INBOX_POLICIES: readonly InboxPolicy[] = ['open', 'verified', 'contacts']

/** Messages one request holds: the first and 5 more (DESIGN §5). */
export const MAX_HELD_PER_REQUEST = 6
/** Requests waiting at once. */
export const MAX_PENDING_REQUESTS = 1000

/** How long what a peer's card said about its credential is believed. */
const CREDENTIAL_TTL = 10 * 60_000
const CREDENTIAL_CACHE = 10_000

/** Why a message from a stranger was refused (the `reason` its sender's copy fails with). */
export const REFUSAL = {
  declined: 'RequestDeclined',
  full: 'RequestHoldFull',
  tooMany: 'TooManyRequests'
} as const

export type Admission =
  | { decision: 'deliver' }
  | { decision: 'hold', ops: StoreOp[], request: RequestRecord, first: boolean }
  | { decision: 'refuse', reason: string, ops?: StoreOp[] }

export interface InboxGateDeps {
  store: Store
  policy(): InboxPolicy
  /** Whether the peer's card shows a valid credential from a trusted issuer (may look the card up). */
  hasCredential(peer: string): Promise<boolean>
  /** @default MAX_PENDING_REQUESTS */
  maxPending?: number
  /** @default MAX_HELD_PER_REQUEST */
  maxHeld?: number
  now?(): number
}

export class InboxGate {
  readonly #deps: InboxGateDeps
  readonly #maxPending: number
  readonly #maxHeld: number
  /** peer → [has a credential, checked at] */
  readonly #credentials = new Map<string, [boolean, number]>()
  /** peers with a pending request, loaded once */
  #pending?: Promise<Set<string>>

  constructor (deps: InboxGateDeps) {
    this.#deps = deps
    this.#maxPending = deps.maxPending ?? MAX_PENDING_REQUESTS
    this.#maxHeld = deps.maxHeld ?? MAX_HELD_PER_REQUEST
  }

  #now (): number {
    return this.#deps.now?.() ?? Date.now()
  }

  /**
   * Before a message from `peer` is opened: under the `verified` policy,
   * look up its credential (network) so that `admitOps`, which runs inside
   * a store write, only reads what is known. Undefined when there is
   * nothing to look up (no await on the common path).
   */
  prepare (peer: string): Promise<void> | undefined {
    if (this.#deps.policy() !== 'verified') return undefined
    const known = this.#credentials.get(peer)
    if (known != null && this.#now() - known[1] < CREDENTIAL_TTL) return undefined
    return this.#lookUp(peer)
  }

  async #lookUp (peer: string): Promise<void> {
    let has = false
    try {
      has = await this.#deps.hasCredential(peer)
    } catch {
      // no card found: no credential shown
    }
    this.#credentials.delete(peer)
    this.#credentials.set(peer, [has, this.#now()])
    if (this.#credentials.size > CREDENTIAL_CACHE) this.#credentials.delete(this.#credentials.keys().next().value!)
  }

  /**
   * Inside a store write: does `record` (a message from `peer`, opened)
   * reach the inbox, wait in a request, or get refused? A hold returns the
   * writes that keep it.
   */
  async admitOps (record: MessageRecord): Promise<Admission> {
    const { store } = this.#deps
    const peer = record.from
    if (await this.admits(peer, record.conversationId)) return { decision: 'deliver' }
    if (await store.requests.declinedAt(peer) != null) return { decision: 'refuse', reason: REFUSAL.declined }
    const pending = await this.#pendingPeers()
    const existing = await store.requests.get(peer)
    if (existing == null && pending.size >= this.#maxPending) return { decision: 'refuse', reason: REFUSAL.tooMany }
    if (existing != null && existing.held.length >= this.#maxHeld) {
      const request = { ...existing, refused: existing.refused + 1 }
      return { decision: 'refuse', reason: REFUSAL.full, ops: store.requests.putOps(request) }
    }
    const now = this.#now()
    const request: RequestRecord = existing == null
      ? { peer, firstAt: now, lastAt: now, held: [record], refused: 0 }
      : { ...existing, lastAt: now, held: [...existing.held, record] }
    pending.add(peer)
    return { decision: 'hold', ops: store.requests.putOps(request), request, first: existing == null }
  }

  /** Whether the inbox policy lets `peer`'s messages in now (contacts and conversations always). */
  async admits (peer: string, conversationId: string): Promise<boolean> {
    const { store } = this.#deps
    const policy = this.#deps.policy()
    if (policy === 'open') return true
    const trust = (await store.contacts.get(peer))?.trust
    if (trust === 'contact' || trust === 'trusted') return true
    // a conversation exists: we wrote to it first, or accepted it before
    if (await store.conversations.get(conversationId) != null) return true
    if (policy === 'verified') return trust === 'verified' || this.#credentials.get(peer)?.[0] === true
    return false
  }

  /**
   * Inside a store write: the pending request of `peer` leaves, the peer
   * becomes a contact (a `trusted` one stays trusted, an alias is kept).
   * Returns the held messages, in order, for the caller to deliver;
   * undefined when no request waits.
   */
  async acceptOps (peer: string): Promise<{ ops: StoreOp[], held: MessageRecord[] } | undefined> {
    const { store } = this.#deps
    const request = await store.requests.get(peer)
    if (request == null) return undefined
    const contact = await store.contacts.get(peer)
    const trust = contact?.trust === 'trusted' ? 'trusted' : 'contact'
    const ops = [
      ...store.requests.removeOps(peer),
      ...(await store.contacts.putOps({ peerId: peer, trust, ...(contact?.alias == null ? {} : { alias: contact.alias }) })).ops
    ]
    const pending = await this.#pendingPeers()
    pending.delete(peer)
    return { ops, held: request.held }
  }

  /**
   * Inside a store write: drop the held messages and refuse the peer's later
   * ones. Returns what was held; undefined when no request waits.
   */
  async declineOps (peer: string): Promise<{ ops: StoreOp[], held: MessageRecord[] } | undefined> {
    const { store } = this.#deps
    const request = await store.requests.get(peer)
    if (request == null) return undefined
    const pending = await this.#pendingPeers()
    pending.delete(peer)
    return { ops: store.requests.declineOps(peer, this.#now()), held: request.held }
  }

  /** Inside a store write: forget the request of `peer` without an answer (it was blocked). */
  async dropOps (peer: string): Promise<StoreOp[]> {
    const pending = await this.#pendingPeers()
    pending.delete(peer)
    return this.#deps.store.requests.removeOps(peer)
  }

  /** Whether a request from `peer` waits (kept in memory: no store read). */
  async hasPending (peer: string): Promise<boolean> {
    return (await this.#pendingPeers()).has(peer)
  }

  async #pendingPeers (): Promise<Set<string>> {
    // one load shared by every caller: a second load could drop a peer added meanwhile
    this.#pending ??= this.#deps.store.requests.peers().then(peers => new Set(peers))
    return await this.#pending
  }
}
