/**
 * Conversations: one record per conversation, kept up to date by every
 * message put (`touchOps`), and a time index for listing the most recent
 * first without reading every record.
 *
 * Keys (sublevel `conversations`):
 * - `r \0 conversationId` → sealed `ConversationRecord`
 * - `t \0 lastMessageAt \0 conversationId` → empty (list order)
 */
import { CONVERSATION_CACHE_SIZE } from './constants.js'
import { StoreQueryError } from './errors.js'
import { joinKey, keyPart, lastPart, padTime, under } from './keys.js'
import { checkLimit, checkOptionalString, checkTime } from './query.js'
import type { Bucket, Built, StoreContext, StoreOp } from './context.js'

export type ConversationStatus = 'active' | 'archived'

export interface ConversationRecord {
  conversationId: string
  /** the other agent's peer id */
  peer: string
  name?: string
  /** ms since the epoch */
  lastMessageAt: number
  unreadCount: number
  status: ConversationStatus
}

export type ConversationSort = 'lastMessageAt' | 'unread'

export interface ConversationListOptions {
  /** only conversations with this status; all when absent */
  status?: ConversationStatus
  /**
   * `lastMessageAt`: most recent first. `unread`: most unread first, then most recent.
   * @default 'lastMessageAt'
   */
  sort?: ConversationSort
  /**
   * 1..500
   * @default 50
   */
  limit?: number
}

/** What a message put tells its conversation. */
export interface ConversationTouch {
  conversationId: string
  /** the other agent; used when the conversation is new */
  peer: string
  /** when the message was received (incoming) or sent (outgoing), ms */
  at: number
  incoming: boolean
  /** an incoming message not read yet: counts towards `unreadCount` */
  unread: boolean
}

export interface ConversationStore {
  get(conversationId: string): Promise<ConversationRecord | undefined>
  list(options?: ConversationListOptions): Promise<ConversationRecord[]>
  /**
   * Create the conversation if missing, move `lastMessageAt` forward, count an
   * unread incoming message, and make an archived conversation active again
   * on an incoming message. Reads the record: call inside `store.write(async () => ...)`.
   * (`messages.putOps` already does this for every message.)
   */
  touchOps(touch: ConversationTouch): Promise<StoreOp[]>
  /** false for an unknown conversation */
  archive(conversationId: string): Promise<boolean>
  archiveOps(conversationId: string): Promise<Built<boolean>>
  /** Set, or with `undefined` clear, the display name; false for an unknown conversation. */
  setName(conversationId: string, name: string | undefined): Promise<boolean>
  setNameOps(conversationId: string, name: string | undefined): Promise<Built<boolean>>
}

const RECORD = 'r'
const BY_TIME = 't'
/** Records read per round trip while listing. */
const LIST_CHUNK = 100

const STATUSES: ReadonlySet<string> = new Set<ConversationStatus>(['active', 'archived'])
const SORTS: ReadonlySet<string> = new Set<ConversationSort>(['lastMessageAt', 'unread'])

function recordKey (conversationId: string): string {
  return joinKey(RECORD, conversationId)
}

function timeKey (record: ConversationRecord): string {
  return joinKey(BY_TIME, padTime(record.lastMessageAt), record.conversationId)
}

export class LevelConversationStore implements ConversationStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket

  constructor (ctx: StoreContext) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('conversations', { cacheSize: CONVERSATION_CACHE_SIZE })
  }

  async get (conversationId: string): Promise<ConversationRecord | undefined> {
    return await this.#bucket.getJson<ConversationRecord>(recordKey(keyPart(conversationId, 'conversationId')))
  }

  async list (options: ConversationListOptions = {}): Promise<ConversationRecord[]> {
    const limit = checkLimit(options.limit)
    const sort = options.sort ?? 'lastMessageAt'
    if (!SORTS.has(sort)) throw new StoreQueryError('conversations: sort must be lastMessageAt or unread')
    const status = options.status
    if (status !== undefined && !STATUSES.has(status)) throw new StoreQueryError('conversations: status must be active or archived')
    const wanted = (c: ConversationRecord): boolean => status === undefined || c.status === status

    if (sort === 'unread') {
      // unread counts change with every message: not worth an index, read them all
      const ids = (await this.#bucket.keys(under(RECORD))).map(lastPart)
      const all = await this.#records(ids)
      return all.filter(wanted)
        .sort((a, b) => b.unreadCount - a.unreadCount || b.lastMessageAt - a.lastMessageAt)
        .slice(0, limit)
    }

    const out: ConversationRecord[] = []
    const iterator = await this.#bucket.iterate({ ...under(BY_TIME), reverse: true })
    try {
      while (out.length < limit) {
        const keys = await iterator.nextv(LIST_CHUNK)
        if (keys.length === 0) break
        for (const record of await this.#records(keys.map(lastPart))) {
          if (wanted(record) && out.length < limit) out.push(record)
        }
      }
    } finally {
      await iterator.close()
    }
    return out
  }

  async touchOps (touch: ConversationTouch): Promise<StoreOp[]> {
    this.#ctx.requireTx('conversations.touchOps')
    const conversationId = keyPart(touch.conversationId, 'conversationId')
    const peer = keyPart(touch.peer, 'peer')
    const at = checkTime(touch.at, 'at')
    const unread = touch.incoming && touch.unread
    const existing = await this.#read(conversationId)
    const next: ConversationRecord = existing === undefined
      ? { conversationId, peer, lastMessageAt: at, unreadCount: unread ? 1 : 0, status: 'active' }
      : {
          ...existing,
          lastMessageAt: Math.max(existing.lastMessageAt, at),
          unreadCount: existing.unreadCount + (unread ? 1 : 0),
          status: touch.incoming ? 'active' : existing.status
        }
    return this.#replaceOps(existing, next)
  }

  async archive (conversationId: string): Promise<boolean> {
    return await this.#ctx.transact(async () => await this.archiveOps(conversationId))
  }

  async archiveOps (conversationId: string): Promise<Built<boolean>> {
    return await this.#updateOps('conversations.archiveOps', conversationId, c => ({ ...c, status: 'archived' }))
  }

  async setName (conversationId: string, name: string | undefined): Promise<boolean> {
    return await this.#ctx.transact(async () => await this.setNameOps(conversationId, name))
  }

  async setNameOps (conversationId: string, name: string | undefined): Promise<Built<boolean>> {
    checkOptionalString(name, 'name')
    return await this.#updateOps('conversations.setNameOps', conversationId, c => {
      const { name: _, ...rest } = c
      return name === undefined ? rest : { ...rest, name }
    })
  }

  /** @internal add `delta` to the unread count (never below 0); used by `messages.markReadOps` */
  async unreadOps (conversationId: string, delta: number): Promise<StoreOp[]> {
    const { ops } = await this.#updateOps('conversations.unreadOps', conversationId, c => ({
      ...c,
      unreadCount: Math.max(0, c.unreadCount + delta)
    }))
    return ops
  }

  /** @internal remove the record; used by `messages.deleteConversationOps` */
  async deleteOps (conversationId: string): Promise<StoreOp[]> {
    this.#ctx.requireTx('conversations.deleteOps')
    const existing = await this.#read(keyPart(conversationId, 'conversationId'))
    if (existing === undefined) return []
    return [this.#bucket.del(recordKey(conversationId)), this.#bucket.del(timeKey(existing))]
  }

  async #read (conversationId: string): Promise<ConversationRecord | undefined> {
    return await this.#bucket.getJson<ConversationRecord>(recordKey(conversationId))
  }

  async #records (ids: string[]): Promise<ConversationRecord[]> {
    const records = await this.#bucket.getManyJson<ConversationRecord>(ids.map(recordKey))
    // an index entry whose record a concurrent write just removed
    return records.filter((r): r is ConversationRecord => r !== undefined)
  }

  async #updateOps (what: string, conversationId: string, change: (c: ConversationRecord) => ConversationRecord): Promise<Built<boolean>> {
    this.#ctx.requireTx(what)
    const existing = await this.#read(keyPart(conversationId, 'conversationId'))
    if (existing === undefined) return { ops: [], result: false }
    return { ops: this.#replaceOps(existing, change(existing)), result: true }
  }

  #replaceOps (existing: ConversationRecord | undefined, next: ConversationRecord): StoreOp[] {
    const ops = [this.#bucket.putJson(recordKey(next.conversationId), next)]
    if (existing === undefined || existing.lastMessageAt !== next.lastMessageAt) {
      if (existing !== undefined) ops.push(this.#bucket.del(timeKey(existing)))
      ops.push(this.#bucket.index(timeKey(next)))
    }
    return ops
  }
}
