/**
 * Message requests (DESIGN §5): messages from agents the inbox policy does
 * not admit, held until the agent accepts or declines them.
 *
 * Keys (sublevel `requests`):
 * - `pending \0 peerId` → sealed `RequestRecord` with the held messages
 * - `declined \0 peerId` → sealed `{ declinedAt }`: later messages from it are refused
 */
import { keyPart, lastPart, under, joinKey } from './keys.js'
import type { Bucket, StoreContext, StoreOp } from './context.js'
import type { MessageRecord } from './messages.js'

export interface RequestRecord {
  peer: string
  /** ms since the epoch: the first and the latest message */
  firstAt: number
  lastAt: number
  /** in arrival order, not in the inbox until accepted */
  held: MessageRecord[]
  /** messages refused because the request already held its most */
  refused: number
}

export interface RequestStore {
  get(peer: string): Promise<RequestRecord | undefined>
  /** Pending requests, oldest first. */
  list(): Promise<RequestRecord[]>
  /** Peers with a pending request. */
  peers(): Promise<string[]>
  putOps(record: RequestRecord): StoreOp[]
  removeOps(peer: string): StoreOp[]
  /** when we declined this peer, if we did */
  declinedAt(peer: string): Promise<number | undefined>
  declineOps(peer: string, at: number): StoreOp[]
  /** forget a refusal (the peer became a contact) */
  undeclineOps(peer: string): StoreOp[]
}

const PENDING = 'pending'
const DECLINED = 'declined'

export class LevelRequestStore implements RequestStore {
  readonly #bucket: Bucket

  constructor (ctx: StoreContext) {
    this.#bucket = ctx.bucket('requests')
  }

  async get (peer: string): Promise<RequestRecord | undefined> {
    return await this.#bucket.getJson<RequestRecord>(joinKey(PENDING, keyPart(peer, 'peer')))
  }

  async list (): Promise<RequestRecord[]> {
    const keys = await this.#bucket.keys(under(PENDING))
    const records = (await this.#bucket.getManyJson<RequestRecord>(keys)).filter((r): r is RequestRecord => r !== undefined)
    return records.sort((a, b) => a.firstAt - b.firstAt)
  }

  async peers (): Promise<string[]> {
    return (await this.#bucket.keys(under(PENDING))).map(lastPart)
  }

  putOps (record: RequestRecord): StoreOp[] {
    return [this.#bucket.putJson(joinKey(PENDING, keyPart(record.peer, 'peer')), record)]
  }

  removeOps (peer: string): StoreOp[] {
    return [this.#bucket.del(joinKey(PENDING, keyPart(peer, 'peer')))]
  }

  async declinedAt (peer: string): Promise<number | undefined> {
    return (await this.#bucket.getJson<{ declinedAt: number }>(joinKey(DECLINED, keyPart(peer, 'peer'))))?.declinedAt
  }

  declineOps (peer: string, at: number): StoreOp[] {
    return [...this.removeOps(peer), this.#bucket.putJson(joinKey(DECLINED, keyPart(peer, 'peer')), { declinedAt: at })]
  }

  undeclineOps (peer: string): StoreOp[] {
    return [this.#bucket.del(joinKey(DECLINED, keyPart(peer, 'peer')))]
  }
}
