/**
 * Dens this node knows: their records, posts (with the signed envelopes, to
 * serve catch-up), sender keys, posts waiting for a key, and tombstones of
 * destroyed dens.
 *
 * Keys (sublevel `dens`):
 * - `d \0 denId` → sealed DenRecord
 * - `p \0 denId \0 seq` → sealed DenPostRecord (arrival order)
 * - `r \0 denId \0 seq` → sealed signed envelope of that post
 * - `i \0 denId \0 postId` → sealed `{ seq }` (duplicates)
 * - `t \0 denId \0 sentAt \0 seq` → empty (catch-up by time)
 * - `k \0 denId \0 epoch \0 author` → sealed sender-key state (secret)
 * - `q \0 denId \0 postId` → sealed envelope waiting for its author's key
 * - `x \0 denId` → sealed `{ destroyedAt }`: the den was destroyed; nothing else of it is kept
 * - `n` → the sequence reservation
 */
import { joinKey, keyPart, padNumber, padTime, splitKey, under } from './keys.js'
import { checkLimit, checkTime } from './query.js'
import { Sequence } from './sequence.js'
import { StoreCorruptionError, StoreQueryError } from './errors.js'
import type { Bucket, Built, StoreContext, StoreOp } from './context.js'

export interface DenRecord {
  denId: string
  kind: string
  slug: string
  title: string
  owner: string
  /** base64 of the signed descriptor */
  descriptor: string
  /** base64 of the latest signed roster; absent at epoch 0 */
  roster?: string
  epoch: number
  members: string[]
  /** subscribed here (a directory entry is known but not joined) */
  joined: boolean
  /** kept for its members by this node (a relay), which is not one of them */
  hosted?: boolean
  unreadCount: number
  lastPostAt?: number
  createdAt: number
  expiresAt?: number
}

export interface DenPostRecord {
  /** 32 hex characters: the den envelope id */
  messageId: string
  denId: string
  from: string
  type: string
  content?: string
  payload?: unknown
  metadata?: Record<string, unknown>
  replyTo?: string
  sentAt: number
  receivedAt: number
  read: boolean
}

export interface DenFeedOptions {
  /** posts sent after this time (ms) */
  since?: number
  /** 1..500, @default 50 */
  limit?: number
  /** only replies to this post */
  replyTo?: string
}

export interface DenFeedPage {
  /** oldest first */
  posts: DenPostRecord[]
  hasMore: boolean
}

export interface DenStore {
  get(denId: string): Promise<DenRecord | undefined>
  list(): Promise<DenRecord[]>
  putOps(record: DenRecord): StoreOp[]
  /** A den this node keeps for others (a relay's den store): the envelope only, which it cannot read. Inside a write only. */
  addHostedOps(denId: string, postId: string, sentAt: number, envelope: Uint8Array): Promise<Built<boolean>>
  /** Forget hosted envelopes sent before `olderThan`. Returns how many went. */
  purgeHosted(denId: string, olderThan: number): Promise<number>
  /** Store a post and its envelope; false (nothing written) when the den already has it. Inside a write only. */
  addPostOps(post: DenPostRecord, envelope: Uint8Array): Promise<Built<boolean>>
  hasPost(denId: string, postId: string): Promise<boolean>
  feed(denId: string, options?: DenFeedOptions): Promise<DenFeedPage>
  /** Signed envelopes of posts sent after `since`, oldest first, for catch-up. */
  envelopesSince(denId: string, since: number, limit: number): Promise<{ envelopes: Uint8Array[], hasMore: boolean }>
  /** Mark every post of a den read. */
  markRead(denId: string): Promise<void>
  getKey<T>(denId: string, epoch: number, author: string): Promise<T | undefined>
  putKeyOps(denId: string, epoch: number, author: string, state: unknown): StoreOp[]
  addPendingOps(denId: string, postId: string, envelope: Uint8Array): StoreOp[]
  pending(denId: string): Promise<Array<{ postId: string, envelope: Uint8Array }>>
  removePendingOps(denId: string, postId: string): StoreOp[]
  /**
   * A control (our sender key and the den it belongs to) owed to a member
   * until it is queued for it: written with the key, removed once queued, so
   * a restart in between sends it again. One per den, epoch and member.
   */
  owedOps(denId: string, epoch: number, member: string, control: Uint8Array): StoreOp[]
  settleOwedOps(denId: string, epoch: number, member: string): StoreOp[]
  /** Every owed control, of every den. */
  owed(): Promise<Array<{ denId: string, epoch: number, member: string, control: Uint8Array }>>
  /** The tombstone of a destroyed den, with nothing else of it left once `erase` ran. */
  destroyedAt(denId: string): Promise<number | undefined>
  /** Write the tombstone and drop the record (atomic), then erase posts, keys, pending posts and owed controls. */
  destroy(denId: string, at?: number): Promise<void>
  /** Erase what is left of destroyed dens (after a crash between `destroy`'s two steps). */
  eraseDestroyed(): Promise<number>
}

const RECORD = 'd'
const POST = 'p'
const RAW = 'r'
const BY_ID = 'i'
const BY_TIME = 't'
const KEY = 'k'
const PENDING = 'q'
const OWED = 'o'
const TOMBSTONE = 'x'
const SEQUENCE = 'n'
const ID = /^[0-9a-f]{32}$/

function checkDen (denId: unknown): string {
  if (typeof denId !== 'string' || !ID.test(denId)) throw new StoreQueryError('dens: a den id is 32 lowercase hex characters')
  return denId
}

function checkPost (postId: unknown): string {
  if (typeof postId !== 'string' || !ID.test(postId)) throw new StoreQueryError('dens: a post id is 32 lowercase hex characters')
  return postId
}

export class LevelDenStore implements DenStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket
  readonly #sequence: Sequence

  constructor (ctx: StoreContext) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('dens')
    this.#sequence = new Sequence(ctx, this.#bucket, SEQUENCE)
  }

  async load (): Promise<void> {
    await this.#sequence.load()
  }

  async get (denId: string): Promise<DenRecord | undefined> {
    return await this.#bucket.getJson<DenRecord>(joinKey(RECORD, checkDen(denId)))
  }

  async list (): Promise<DenRecord[]> {
    const keys = await this.#bucket.keys(under(RECORD))
    const records = await this.#bucket.getManyJson<DenRecord>(keys)
    return records.filter((r): r is DenRecord => r !== undefined)
  }

  putOps (record: DenRecord): StoreOp[] {
    return [this.#bucket.putJson(joinKey(RECORD, checkDen(record.denId)), record)]
  }

  async addPostOps (post: DenPostRecord, envelope: Uint8Array): Promise<Built<boolean>> {
    this.#ctx.requireTx('dens.addPostOps')
    const denId = checkDen(post.denId)
    const id = checkPost(post.messageId)
    checkTime(post.sentAt, 'sentAt')
    if (await this.#bucket.has(joinKey(BY_ID, denId, id))) return { ops: [], result: false }
    const { seq, ops } = this.#sequence.take('dens.addPostOps')
    const padded = padNumber(seq)
    ops.push(
      this.#bucket.putJson(joinKey(POST, denId, padded), post),
      this.#bucket.put(joinKey(RAW, denId, padded), envelope),
      this.#bucket.putJson(joinKey(BY_ID, denId, id), { seq }),
      this.#bucket.index(joinKey(BY_TIME, denId, padTime(post.sentAt), padded))
    )
    const record = await this.get(denId)
    if (record !== undefined) {
      ops.push(...this.putOps({
        ...record,
        unreadCount: record.unreadCount + (post.read ? 0 : 1),
        lastPostAt: Math.max(record.lastPostAt ?? 0, post.receivedAt)
      }))
    }
    return { ops, result: true }
  }

  async addHostedOps (denId: string, postId: string, sentAt: number, envelope: Uint8Array): Promise<Built<boolean>> {
    this.#ctx.requireTx('dens.addHostedOps')
    checkDen(denId)
    checkPost(postId)
    checkTime(sentAt, 'sentAt')
    if (await this.#bucket.has(joinKey(BY_ID, denId, postId))) return { ops: [], result: false }
    const { seq, ops } = this.#sequence.take('dens.addHostedOps')
    const padded = padNumber(seq)
    ops.push(
      this.#bucket.put(joinKey(RAW, denId, padded), envelope),
      this.#bucket.putJson(joinKey(BY_ID, denId, postId), { seq }),
      this.#bucket.index(joinKey(BY_TIME, denId, padTime(sentAt), padded))
    )
    return { ops, result: true }
  }

  async purgeHosted (denId: string, olderThan: number): Promise<number> {
    checkDen(denId)
    const range = { gte: under(BY_TIME, denId).gte, lt: joinKey(BY_TIME, denId, padTime(Math.ceil(checkTime(olderThan, 'olderThan')))) }
    let purged = 0
    for (;;) {
      const keys = await this.#bucket.keys({ ...range, limit: 500 })
      if (keys.length === 0) return purged
      // the id index is not keyed by time: a purged id may come back (it is then re-validated and kept again)
      await this.#ctx.write(keys.flatMap(key => [this.#bucket.del(key), this.#bucket.del(joinKey(RAW, denId, splitKey(key)[3]!))]))
      purged += keys.length
    }
  }

  async hasPost (denId: string, postId: string): Promise<boolean> {
    return await this.#bucket.has(joinKey(BY_ID, checkDen(denId), checkPost(postId)))
  }

  async feed (denId: string, options: DenFeedOptions = {}): Promise<DenFeedPage> {
    checkDen(denId)
    const limit = checkLimit(options.limit)
    const since = options.since === undefined ? undefined : checkTime(options.since, 'since')
    if (options.replyTo !== undefined) checkPost(options.replyTo)
    const posts: DenPostRecord[] = []
    let hasMore = false
    // oldest first; filters are applied while paging so a page is always full when more exist
    for await (const [key, value] of await this.#bucket.iterateRows(under(POST, denId))) {
      const post = this.#open<DenPostRecord>(key, value)
      if (since !== undefined && post.sentAt <= since) continue
      if (options.replyTo !== undefined && post.replyTo !== options.replyTo) continue
      if (posts.length === limit) {
        hasMore = true
        break
      }
      posts.push(post)
    }
    return { posts, hasMore }
  }

  async envelopesSince (denId: string, since: number, limit: number): Promise<{ envelopes: Uint8Array[], hasMore: boolean }> {
    checkDen(denId)
    checkLimit(limit)
    const from = joinKey(BY_TIME, denId, padTime(Math.floor(checkTime(since, 'since')) + 1))
    const keys = await this.#bucket.keys({ gte: from, lt: under(BY_TIME, denId).lt, limit: limit + 1 })
    const envelopes: Uint8Array[] = []
    for (const key of keys.slice(0, limit)) {
      const seq = splitKey(key)[3]!
      const raw = await this.#bucket.get(joinKey(RAW, denId, seq))
      if (raw !== undefined) envelopes.push(raw)
    }
    return { envelopes, hasMore: keys.length > limit }
  }

  async markRead (denId: string): Promise<void> {
    checkDen(denId)
    await this.#ctx.transact(async () => {
      const ops: StoreOp[] = []
      for await (const [key, value] of await this.#bucket.iterateRows(under(POST, denId))) {
        const post = this.#open<DenPostRecord>(key, value)
        if (!post.read) ops.push(this.#bucket.putJson(key, { ...post, read: true }))
      }
      const record = await this.get(denId)
      if (record !== undefined && record.unreadCount !== 0) ops.push(...this.putOps({ ...record, unreadCount: 0 }))
      return { ops, result: undefined }
    })
  }

  async getKey<T>(denId: string, epoch: number, author: string): Promise<T | undefined> {
    return await this.#bucket.getJson<T>(this.#keyKey(denId, epoch, author))
  }

  putKeyOps (denId: string, epoch: number, author: string, state: unknown): StoreOp[] {
    return [this.#bucket.putJson(this.#keyKey(denId, epoch, author), state)]
  }

  addPendingOps (denId: string, postId: string, envelope: Uint8Array): StoreOp[] {
    return [this.#bucket.put(joinKey(PENDING, checkDen(denId), checkPost(postId)), envelope)]
  }

  async pending (denId: string): Promise<Array<{ postId: string, envelope: Uint8Array }>> {
    checkDen(denId)
    const rows = await this.#bucket.rows(under(PENDING, denId))
    return rows.map(([key, value]) => ({ postId: splitKey(key)[2]!, envelope: this.#ctx.open(this.#bucket.name, key, value) }))
  }

  removePendingOps (denId: string, postId: string): StoreOp[] {
    return [this.#bucket.del(joinKey(PENDING, checkDen(denId), checkPost(postId)))]
  }

  owedOps (denId: string, epoch: number, member: string, control: Uint8Array): StoreOp[] {
    return [this.#bucket.put(this.#owedKey(denId, epoch, member), control)]
  }

  settleOwedOps (denId: string, epoch: number, member: string): StoreOp[] {
    return [this.#bucket.del(this.#owedKey(denId, epoch, member))]
  }

  async owed (): Promise<Array<{ denId: string, epoch: number, member: string, control: Uint8Array }>> {
    const rows = await this.#bucket.rows(under(OWED))
    return rows.map(([key, value]) => {
      const [, denId, epoch, member] = splitKey(key)
      return { denId: denId!, epoch: Number(epoch), member: member!, control: this.#ctx.open(this.#bucket.name, key, value) }
    })
  }

  #owedKey (denId: string, epoch: number, member: string): string {
    return joinKey(OWED, checkDen(denId), padNumber(epoch), keyPart(member, 'member'))
  }

  async destroyedAt (denId: string): Promise<number | undefined> {
    return (await this.#bucket.getJson<{ destroyedAt: number }>(joinKey(TOMBSTONE, checkDen(denId))))?.destroyedAt
  }

  async destroy (denId: string, at: number = this.#ctx.now()): Promise<void> {
    checkDen(denId)
    await this.#ctx.write([
      this.#bucket.putJson(joinKey(TOMBSTONE, denId), { destroyedAt: at }),
      this.#bucket.del(joinKey(RECORD, denId))
    ])
    await this.#erase(denId)
  }

  async eraseDestroyed (): Promise<number> {
    let erased = 0
    for (const key of await this.#bucket.keys(under(TOMBSTONE))) {
      const denId = splitKey(key)[1]!
      if (await this.#erase(denId)) erased++
    }
    return erased
  }

  /** Delete everything of a den but its tombstone; true when something was left. */
  async #erase (denId: string): Promise<boolean> {
    let found = false
    for (const prefix of [POST, RAW, BY_ID, BY_TIME, KEY, PENDING, OWED]) {
      const range = under(prefix, denId)
      for (;;) {
        const keys = await this.#bucket.keys({ ...range, limit: 1000 })
        if (keys.length === 0) break
        found = true
        await this.#ctx.write(keys.map(key => this.#bucket.del(key)))
      }
    }
    return found
  }

  #keyKey (denId: string, epoch: number, author: string): string {
    return joinKey(KEY, checkDen(denId), padNumber(epoch), keyPart(author, 'author'))
  }

  #open<T>(key: string, value: Uint8Array): T {
    const plaintext = this.#ctx.open(this.#bucket.name, key, value)
    try {
      return JSON.parse(new TextDecoder().decode(plaintext)) as T
    } catch (err) {
      throw new StoreCorruptionError(this.#bucket.name, key, 'not JSON', { cause: err })
    }
  }
}
