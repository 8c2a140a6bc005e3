/**
 * The history archive (DESIGN.md §6): every message record this agent
 * stores is copied, encrypted under a key only this identity can derive, to
 * its own relays, so a fresh data dir with the same identity can restore its
 * conversations and messages.
 *
 * Entry name: the first 16 bytes of HMAC-SHA256(nameKey, messageId), so the
 * relay cannot tell which message an entry is. Entry blob: nonce (12) ||
 * AES-256-GCM(encKey, nonce, JSON { record, seq }, aad = name). Both keys come from
 * the identity seed (`openDataDir`'s `archiveKey`, docs/protocol.md §17).
 * A record that changes (status, read) is uploaded again under the same
 * name, replacing the old blob.
 *
 * Uploads are batched, deferred while changes keep coming, and retried:
 * changed ids wait in memory (a crash loses
 * at most the last unsent batch of changes; `syncAll()` uploads everything).
 */
import { logger } from '@libp2p/logger'
import { MAX_ARCHIVE_ENTRIES } from '../protocols/relay/index.js'
import type { Primitives } from '../crypto/index.js'
import type { RelayClient, RelayRefusedError } from '../protocols/relay/index.js'
import type { MessageRecord, Store } from '../store/index.js'

const log = logger('agentmsg:archive')

/**
 * A backup is background work: changes are uploaded once none came for
 * QUIET_DELAY (so a burst of mail is delivered first), or at the latest
 * MAX_DELAY after the first one waiting.
 */
const QUIET_DELAY = 1_000
const MAX_DELAY = 10_000
/** Retry delay after a failed upload; doubles up to FLUSH_RETRY_MAX. */
const FLUSH_RETRY_MIN = 2_000
const FLUSH_RETRY_MAX = 5 * 60_000
/** Records restored per store write. */
const RESTORE_BATCH = 500
/** A restore waits out a relay's history-read limit at most this many times per page, each at most MAX_RATE_WAIT ms. */
const MAX_RATE_WAITS = 10
const MAX_RATE_WAIT = 60_000
const NAME_BYTES = 16
const NONCE_BYTES = 12

/** What one archive entry holds: the record, and its place in the archiving store's order. */
interface ArchivedRecord {
  record: MessageRecord
  seq: number
}

export interface ArchiveDeps {
  prims: Primitives
  store: Store
  /** 64 bytes: encryption key || naming key */
  archiveKey: Uint8Array
  /** our relays, now */
  relays(): RelayClient[]
}

export interface RestoreResult {
  /** records written to the store */
  restored: number
  /** already here, or unreadable under our key */
  skipped: number
  /** relays that answered */
  relays: number
}

export class HistoryArchive {
  readonly #deps: ArchiveDeps
  readonly #encKey: Uint8Array
  readonly #nameKey: Uint8Array
  readonly #dirty = new Set<string>()
  #timer?: ReturnType<typeof setTimeout>
  /** when the oldest change still waiting came */
  #waitingSince?: number
  #flushing?: Promise<void>
  #retry = FLUSH_RETRY_MIN
  #stopped = false

  constructor (deps: ArchiveDeps) {
    if (deps.archiveKey.length !== 64) throw new RangeError('archive key: expected 64 bytes')
    this.#deps = deps
    this.#encKey = deps.archiveKey.slice(0, 32)
    this.#nameKey = deps.archiveKey.slice(32)
  }

  /** A record was stored or changed: upload it with the next batch. */
  mark (messageId: string): void {
    if (this.#stopped || this.#deps.relays().length === 0) return
    this.#dirty.add(messageId)
    const now = Date.now()
    this.#waitingSince ??= now
    // quiet for a while, or waited long enough: whichever comes first
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#schedule(Math.max(0, Math.min(QUIET_DELAY, this.#waitingSince + MAX_DELAY - now)))
  }

  /** Upload every stored message (after enabling relays, or after a crash). */
  async syncAll (): Promise<void> {
    const { store } = this.#deps
    for (const conversation of await store.conversations.list({ limit: 500 })) {
      let before: string | undefined
      for (;;) {
        const page = await store.messages.history(conversation.conversationId, { limit: 500, ...(before == null ? {} : { before }) })
        for (const m of page.messages) this.#dirty.add(m.messageId)
        if (!page.hasMore || page.messages.length === 0) break
        before = page.messages[0]!.messageId
      }
    }
    await this.flush()
  }

  /** Upload what changed now; resolves when it is at every relay that answered. */
  async flush (): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#waitingSince = undefined
    while (this.#flushing != null) await this.#flushing
    if (this.#dirty.size === 0) return
    this.#flushing = this.#upload().finally(() => { this.#flushing = undefined })
    await this.#flushing
  }

  async stop (): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.flush().catch(() => {})
  }

  /**
   * Bring back the records archived at our relays that this store lacks,
   * oldest first, so conversations list and page as they did.
   */
  async restore (onProgress?: (restored: number) => void): Promise<RestoreResult> {
    const { store } = this.#deps
    const records = new Map<string, ArchivedRecord>()
    let skipped = 0
    let answered = 0
    for (const relay of this.#deps.relays()) {
      try {
        let after: Uint8Array | undefined
        for (;;) {
          const page = await this.#listPage(relay, after)
          for (const entry of page.entries) {
            const record = this.#open(entry.key, entry.blob)
            if (record == null) skipped++
            else if (!records.has(record.record.messageId)) records.set(record.record.messageId, record)
          }
          if (!page.hasMore || page.entries.length === 0) break
          after = page.entries.at(-1)!.key
        }
        answered++
      } catch (err) {
        log('archive at %p unavailable: %s', relay.relay, (err as Error).message)
      }
    }
    // in the order the archiving store had them: history pages the same afterwards; expired ones stay gone
    const now = Date.now()
    const live = [...records.values()].filter(r => !(r.record.expiresAt !== undefined && r.record.expiresAt <= now))
    skipped += records.size - live.length
    const ordered = live.sort((x, y) => x.seq - y.seq).map(r => r.record)
    let restored = 0
    for (let i = 0; i < ordered.length; i += RESTORE_BATCH) {
      const batch = ordered.slice(i, i + RESTORE_BATCH)
      let written = 0
      await store.write(async () => {
        const ops = []
        for (const record of batch) {
          const put = await store.messages.putOps(record)
          if (put.length > 0) written++
          ops.push(...put)
        }
        return ops
      })
      restored += written
      skipped += batch.length - written
      onProgress?.(restored)
    }
    return { restored, skipped, relays: answered }
  }

  #schedule (delay: number): void {
    if (this.#timer != null || this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.flush().catch(() => {})
    }, delay)
    this.#timer.unref?.()
  }

  /** Everything waiting, ≤ 256 entries per ArchivePut; on failure the rest waits for a retry with backoff. */
  async #upload (): Promise<void> {
    while (this.#dirty.size > 0 && !this.#deps.store.closed) {
      const ids = [...this.#dirty].slice(0, MAX_ARCHIVE_ENTRIES)
      for (const id of ids) this.#dirty.delete(id)
      const entries: Array<{ key: Uint8Array, blob: Uint8Array }> = []
      for (const id of ids) {
        const stored = await this.#deps.store.messages.getOrdered(id)
        if (stored != null) entries.push(this.#seal(stored))
      }
      const relays = this.#deps.relays()
      const results = await Promise.allSettled(relays.map(async relay => { await relay.archivePut(entries) }))
      const failed = results.filter(r => r.status === 'rejected')
      if (failed.length === relays.length && relays.length > 0) {
        // nowhere: keep them for the next attempt
        for (const id of ids) this.#dirty.add(id)
        log('archive upload failed: %s', (failed[0] as PromiseRejectedResult).reason)
        this.#schedule(this.#retry)
        this.#retry = Math.min(this.#retry * 2, FLUSH_RETRY_MAX)
        return
      }
      this.#retry = FLUSH_RETRY_MIN
    }
  }

  /**
   * One page of our archive at `relay`. A relay limits history reads per
   * agent (300 pages a minute): a refusal with a retry time is waited out,
   * up to MAX_RATE_WAITS times.
   */
  async #listPage (relay: RelayClient, after: Uint8Array | undefined): Promise<Awaited<ReturnType<RelayClient['archiveList']>>> {
    for (let waits = 0; ; waits++) {
      try {
        return await relay.archiveList(after, 1000)
      } catch (err) {
        const refused = err as Partial<RelayRefusedError>
        if (refused.refusal !== 'RATE_LIMITED' || waits >= MAX_RATE_WAITS || this.#deps.store.closed) throw err
        const wait = Math.min(Math.max(refused.retryAfterMs ?? 0, 100), MAX_RATE_WAIT)
        log('archive at %p is rate limited; waiting %d ms', relay.relay, wait)
        await new Promise(resolve => setTimeout(resolve, wait))
      }
    }
  }

  #name (messageId: string): Uint8Array {
    return this.#deps.prims.hmacSha256(this.#nameKey, new TextEncoder().encode(messageId)).slice(0, NAME_BYTES)
  }

  #seal (archived: ArchivedRecord): { key: Uint8Array, blob: Uint8Array } {
    const { prims } = this.#deps
    const key = this.#name(archived.record.messageId)
    const nonce = prims.randomBytes(NONCE_BYTES)
    const sealed = prims.aesGcmSeal(this.#encKey, nonce, new TextEncoder().encode(JSON.stringify(archived)), key)
    const blob = new Uint8Array(NONCE_BYTES + sealed.length)
    blob.set(nonce)
    blob.set(sealed, NONCE_BYTES)
    return { key, blob }
  }

  #open (key: Uint8Array, blob: Uint8Array): ArchivedRecord | undefined {
    if (blob.length <= NONCE_BYTES) return undefined
    try {
      const plaintext = this.#deps.prims.aesGcmOpen(this.#encKey, blob.subarray(0, NONCE_BYTES), blob.subarray(NONCE_BYTES), key)
      const archived = JSON.parse(new TextDecoder().decode(plaintext)) as ArchivedRecord
      if (typeof archived?.record?.messageId !== 'string' || !Number.isSafeInteger(archived.seq)) return undefined
      // the entry must sit under its own name: a relay cannot swap entries around
      const name = this.#name(archived.record.messageId)
      return name.length === key.length && name.every((b, i) => b === key[i]) ? archived : undefined
    } catch {
      return undefined
    }
  }
}
