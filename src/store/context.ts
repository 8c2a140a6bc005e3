/**
 * What every store shares: the level database, sealing and opening of
 * values, and the write lock with its transaction context.
 *
 * Writes are serialised: `transact` runs one builder at a time, under a
 * lock, inside an `AsyncLocalStorage` context (a `Tx`). Builders that read
 * before they write (a conversation's unread count, the outbox size) require
 * that context, so the state they read cannot change before their batch
 * commits, and they see the writes of builders earlier in the same batch
 * through the transaction's overlay. Plain reads outside a write see
 * committed state only.
 *
 * With a journal (`journal.ts`), a commit whose record is small is on disk
 * once it is appended there; LevelDB gets it in the background ("write
 * behind"). LevelDB takes one write at a time: commits made while it writes
 * wait in a queue, and the next write takes all of them, in commit order.
 * A commit waits only while `maxBehindBytes` of records are queued, until
 * LevelDB finishes its write and the queue moves into the next one: the
 * memory held is at most that, twice (the queue and the write in flight),
 * plus one record. Until LevelDB has a commit, point reads find it in its
 * bucket's `behind` map, and range reads (keys, iterators) wait for it. A
 * larger commit waits until LevelDB has every earlier one, empties the
 * journal, and goes to LevelDB directly: for a batch of hundreds of values
 * the round trip is small beside writing everything twice.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { logger } from '@libp2p/logger'
import type { BatchOperation, Level } from 'level'
import { transientUtf8 } from '../crypto/transient-bytes.js'
import { nativePrimitives } from '../crypto/native.js'
import { Lru } from '../lru.js'
import { JOURNAL_MAX_BEHIND_BYTES, JOURNAL_MAX_RECORD_BYTES, JOURNAL_TRUNCATE_BYTES, VALUE_NONCE_LENGTH } from './constants.js'
import { StoreClosedError, StoreCorruptionError, StoreQueryError, StoreTransactionError, StoreWriteError } from './errors.js'
import { Journal, entryBound, readJournal, recordBound } from './journal.js'
import { VALUE_TAG_LENGTH, valueCipher } from './value-cipher.js'
import type { KeyRange } from './keys.js'
import type { JournalEntry } from './journal.js'
import type { ValueCipher, ValueCipherName } from './value-cipher.js'

const log = logger('agentmsg:store')

export type Db = Level<string, Uint8Array>

function makeSublevel (db: Db, name: string) {
  return db.sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' })
}

export type Sublevel = ReturnType<typeof makeSublevel>

/**
 * One write of a batch: a level batch operation on one of the store's
 * sublevels. Built by the stores' `*Ops` methods, committed by
 * `store.write()`; treat it as opaque.
 */
export type StoreOp = BatchOperation<Db, string, Uint8Array>

/** Reads a stored value from its plaintext (`key` names it in errors); must not keep the plaintext. */
export type Decode<T> = (key: string, plaintext: Uint8Array) => T

/** What a builder that also has an answer returns: the writes, and the answer they stand for once committed. */
export interface Built<T> {
  ops: StoreOp[]
  result: T
}

export interface Tx {
  /** Plaintext written in this transaction, by `bucket\0key`; null once deleted. */
  readonly overlay: Map<string, Uint8Array | null>
  /** Overlay buffers a cache took over at commit (not wiped with the rest). */
  readonly adopted: Set<Uint8Array>
  /** `bucket\0key` written with `cache: false`: a cache drops them at commit instead of keeping them. */
  readonly uncached: Set<string>
  /** Puts of this transaction not sealed yet (sealed at commit, only the last one per key). */
  readonly unsealed: Map<StoreOp, { bucket: string, plaintext: Uint8Array }>
  /** Bookkeeping of in-memory state, applied only when the batch committed. */
  readonly afterCommit: Array<() => void>
  /** Scratch space of components (sequence reservations, counter deltas), by component. */
  readonly scratch: Map<object, unknown>
  done: boolean
}

/** A journaled commit LevelDB does not have yet. */
interface Behind {
  readonly ops: StoreOp[]
  readonly buckets: Bucket[]
  readonly entries: JournalEntry[]
  /** the size of its journal record */
  readonly bytes: number
}

const EMPTY = new Uint8Array(0)
/** The value of a put built inside a transaction until its commit seals it. */
const UNSEALED = new Uint8Array(0)
/** Nonces drawn from the CSPRNG per call. */
const NONCE_POOL = 512
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })
const prims = nativePrimitives

/**
 * `ops` as journal entries; undefined once their record could pass
 * `maxRecordBytes` (a large batch stops at its first few operations).
 */
function journalEntries (ops: StoreOp[], buckets: Bucket[], maxRecordBytes: number): JournalEntry[] | undefined {
  const entries: JournalEntry[] = []
  let bound = recordBound(entries)
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!
    const entry: JournalEntry = { bucket: buckets[i]!.name, key: op.key, value: op.type === 'put' ? op.value : null }
    bound += entryBound(entry.bucket, entry.key, entry.value)
    if (bound > maxRecordBytes) return undefined
    entries.push(entry)
  }
  return entries
}

function isNotOpen (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'LEVEL_DATABASE_NOT_OPEN' || code === 'LEVEL_DATABASE_NOT_CLOSED'
}

export interface BucketOptions {
  /** Keep this many decrypted values in memory (for values read on every write). */
  cacheSize?: number
}

/** The journal's bounds (`StoreOptions.journal`). */
export interface JournalBounds {
  /** @default JOURNAL_MAX_RECORD_BYTES */
  maxRecordBytes?: number
  /** @default JOURNAL_TRUNCATE_BYTES */
  truncateBytes?: number
  /** @default JOURNAL_MAX_BEHIND_BYTES */
  maxBehindBytes?: number
}

export interface JournalOptions extends JournalBounds {
  /** the journal file */
  path: string
}

export class StoreContext {
  readonly now: () => number
  readonly #db: Db
  readonly #journalOptions: Required<JournalOptions>
  /** open from `ready()` to `close()` */
  #journal: Journal | undefined
  /** journaled commits waiting for the LevelDB write in flight, in commit order */
  #queue: Behind[] = []
  /** the journal bytes of `#queue` */
  #queuedBytes = 0
  /** the loop writing `#queue` to LevelDB, while it runs (never rejects) */
  #writer: Promise<void> | undefined
  /** journaled commits so far, and how many of them LevelDB has (or will never get: a write failed) */
  #journaled = 0
  #written = 0
  /** resolved (and replaced) at each step of the writer: a batch taken from the queue, or written */
  #progress: { promise: Promise<void>, resolve: () => void } | undefined
  /** a write behind failed: no more writes until the store is opened again (and replays its journal) */
  #failed: StoreWriteError | undefined
  readonly #byName = new Map<string, Bucket>()
  readonly #storageKey: Uint8Array
  /** The AEAD of this database's format, under our copy of the storage key; released at close. */
  #cipher: ValueCipher | undefined
  readonly #als = new AsyncLocalStorage<Tx>()
  readonly #buckets = new Map<Sublevel, Bucket>()
  #tail: Promise<unknown> = Promise.resolve()
  #state: 'open' | 'closing' | 'closed' = 'open'
  #closing: Promise<void> | undefined
  #nonces: Uint8Array = new Uint8Array(0)
  #nonceOffset = 0

  constructor (db: Db, storageKey: Uint8Array, now: () => number, cipher: ValueCipherName, journal: JournalOptions) {
    this.#db = db
    this.#journalOptions = {
      path: journal.path,
      maxRecordBytes: journal.maxRecordBytes ?? JOURNAL_MAX_RECORD_BYTES,
      truncateBytes: journal.truncateBytes ?? JOURNAL_TRUNCATE_BYTES,
      maxBehindBytes: journal.maxBehindBytes ?? JOURNAL_MAX_BEHIND_BYTES
    }
    // our own copy, wiped at close
    this.#storageKey = storageKey.slice()
    this.#cipher = valueCipher(cipher, this.#storageKey)
    this.now = now
  }

  /** The cipher values are sealed with. */
  get cipher (): ValueCipherName {
    return this.#live().name
  }

  /** Seal and open with `cipher` from now on: for `openStore`, once it knows the database's format, before any other use. */
  useCipher (cipher: ValueCipherName): void {
    if (this.#live().name !== cipher) this.#cipher = valueCipher(cipher, this.#storageKey)
  }

  get closed (): boolean {
    return this.#state !== 'open'
  }

  bucket (name: string, options: BucketOptions = {}): Bucket {
    const bucket = new Bucket(this, name, makeSublevel(this.#db, name), options)
    this.#buckets.set(bucket.sublevel, bucket)
    this.#byName.set(name, bucket)
    return bucket
  }

  /**
   * Open the database and every sublevel made so far (synchronous reads need
   * them open, not opening), then replay the journal into LevelDB: what a
   * process that died had committed but not yet written there.
   */
  async ready (): Promise<void> {
    await this.#db.open()
    await Promise.all([...this.#buckets.keys()].map(async sublevel => { await sublevel.open() }))
    const options = this.#journalOptions
    await this.#replay(options.path)
    this.#journal = new Journal(options.path, options.maxRecordBytes)
    this.#journal.truncate()
  }

  async #replay (path: string): Promise<void> {
    const { entries, dropped } = readJournal(path)
    // only the last append can be cut short by a crash; anything else is damage
    if (dropped > 0) log.error('store journal %s: %d bytes after the last whole record were not replayed', path, dropped)
    if (entries.length === 0) return
    const ops: StoreOp[] = []
    for (const { bucket, key, value } of entries) {
      const sublevel = this.#byName.get(bucket)?.sublevel ?? makeSublevel(this.#db, bucket)
      ops.push(value === null ? { type: 'del', sublevel, key } : { type: 'put', sublevel, key, value })
    }
    // synced: the journal is emptied next
    await this.#db.batch(ops, { sync: true })
    log('store journal %s: replayed %d operations', path, ops.length)
  }

  /**
   * A fresh random nonce. Drawn from a pool filled NONCE_POOL nonces at a
   * time: one call into the CSPRNG costs as much as sealing a small value.
   * Each nonce is handed out once.
   */
  #nonce (): Uint8Array {
    if (this.#nonceOffset + VALUE_NONCE_LENGTH > this.#nonces.length) {
      this.#nonces = prims.randomBytes(NONCE_POOL * VALUE_NONCE_LENGTH)
      this.#nonceOffset = 0
    }
    const nonce = this.#nonces.subarray(this.#nonceOffset, this.#nonceOffset + VALUE_NONCE_LENGTH)
    this.#nonceOffset += VALUE_NONCE_LENGTH
    return nonce
  }

  #live (): ValueCipher {
    if (this.#cipher === undefined) throw new StoreClosedError()
    return this.#cipher
  }

  /** nonce || AEAD(storageKey, nonce, plaintext, aad = bucket \0 key) || tag, in one buffer (`value-cipher.ts`) */
  seal (bucket: string, key: string, plaintext: Uint8Array): Uint8Array {
    return this.#live().seal(this.#nonce(), plaintext, Buffer.from(bucket + '\0' + key, 'utf8'))
  }

  /** Throws `StoreCorruptionError` for a value that does not authenticate under this key; the plaintext is the caller's to keep or wipe. */
  open (bucket: string, key: string, value: Uint8Array): Uint8Array {
    if (value.length < VALUE_NONCE_LENGTH + VALUE_TAG_LENGTH) throw new StoreCorruptionError(bucket, key, 'too short')
    const plaintext = this.#live().open(value, Buffer.from(bucket + '\0' + key, 'utf8'))
    if (plaintext === undefined) throw new StoreCorruptionError(bucket, key, 'authentication failed')
    return plaintext
  }

  /** The write this call runs inside, if any. */
  currentTx (): Tx | undefined {
    const tx = this.#als.getStore()
    return tx === undefined || tx.done ? undefined : tx
  }

  /** For builders that read before they write: only correct inside `store.write(async () => ...)`. */
  requireTx (what: string): Tx {
    const tx = this.currentTx()
    if (tx === undefined) {
      throw new StoreTransactionError(`store: ${what} reads the store, so it must be called inside store.write(async () => ops)`)
    }
    return tx
  }

  assertReadable (): void {
    if (this.#state === 'closed') throw new StoreClosedError()
  }

  /**
   * Run `build` alone (no other write runs meanwhile), inside a transaction
   * context, and commit the operations it returns in one batch.
   */
  async transact<T> (build: () => Built<T> | Promise<Built<T>>): Promise<T> {
    if (this.#state !== 'open') throw new StoreClosedError()
    if (this.currentTx() !== undefined) {
      throw new StoreTransactionError('store: a write cannot start inside another write (it would wait for itself): compose the *Ops builders instead')
    }
    const run = async (): Promise<T> => {
      const tx: Tx = { overlay: new Map(), adopted: new Set(), uncached: new Set(), unsealed: new Map(), afterCommit: [], scratch: new Map(), done: false }
      try {
        const { ops, result } = await this.#als.run(tx, build)
        tx.done = true
        await this.commit(ops, tx)
        return result
      } finally {
        tx.done = true
        // plaintext copies of this write (prekeys, sessions) are not left behind, except what a cache adopted
        for (const plaintext of tx.overlay.values()) {
          if (plaintext !== null && !tx.adopted.has(plaintext)) plaintext.fill(0)
        }
        // and the earlier values of keys written more than once
        for (const { plaintext } of tx.unsealed.values()) {
          if (!tx.adopted.has(plaintext)) plaintext.fill(0)
        }
      }
    }
    const result = this.#tail.then(run)
    this.#tail = result.catch(() => {})
    return await result
  }

  /** Commit operations built outside a transaction (builders that do not read). */
  async write (ops: StoreOp[]): Promise<void> {
    await this.transact(() => ({ ops, result: undefined }))
  }

  /**
   * Commit a batch (journaled, or written to LevelDB) and update in-memory
   * state (caches, counters) once it is on disk.
   */
  private async commit (ops: StoreOp[], tx: Tx | undefined): Promise<void> {
    // a write of nothing may still move in-memory state (a `sent` held in memory only)
    if (ops.length > 0) await this.#write(ops, tx)
    if (tx !== undefined) for (const fn of tx.afterCommit) fn()
  }

  async #write (ops: StoreOp[], tx: Tx | undefined): Promise<void> {
    ops = this.#sealPending(ops, tx)
    const buckets = ops.map(op => this.#bucketOf(op))
    const journal = this.#journal
    // open from ready() until close(), which waits for every write
    if (journal === undefined) throw new StoreClosedError()
    const { truncateBytes, maxBehindBytes } = this.#journalOptions
    const entries = journalEntries(ops, buckets, journal.maxRecordBytes)
    const truncate = entries === undefined || journal.bytes >= truncateBytes
    // the journal is emptied only once LevelDB has all of it
    if (truncate) await this.caughtUp()
    else if (this.#queuedBytes >= maxBehindBytes) await this.#room(maxBehindBytes)
    if (this.#failed !== undefined) throw this.#failed
    let bytes = 0
    try {
      // emptied, a replay cannot put the journal's values back over a later direct write
      if (truncate) journal.truncate()
      if (entries === undefined) await this.#db.batch(ops)
      else bytes = journal.append(entries)
    } catch (err) {
      if (isNotOpen(err)) throw new StoreClosedError()
      throw err
    }
    ops.forEach((op, i) => {
      const bucket = buckets[i]!
      if (entries !== undefined) bucket.setBehind(op.key, entries[i]!.value)
      const name = bucket.name + '\0' + op.key
      const plaintext = tx?.overlay.get(name)
      if (bucket.committed(op.key, tx?.uncached.has(name) === true ? undefined : plaintext) && plaintext != null) tx?.adopted.add(plaintext)
    })
    if (entries !== undefined) this.#writeBehind({ ops, buckets, entries, bytes })
  }

  #bucketOf (op: StoreOp): Bucket {
    const bucket = this.#buckets.get(op.sublevel as Sublevel)
    if (bucket === undefined) throw new StoreTransactionError('store: an operation on a sublevel this store did not make')
    return bucket
  }

  /** Queue a journaled commit for LevelDB, and start the writer if it is not running. */
  #writeBehind (behind: Behind): void {
    this.#queue.push(behind)
    this.#queuedBytes += behind.bytes
    this.#journaled++
    if (this.#writer === undefined) this.#writer = this.#drain()
  }

  /**
   * Write the queue to LevelDB until it is empty: one write at a time, each
   * taking every commit queued by then. A failed write ends it: what is
   * queued stays in the journal (and the `behind` maps) for the next open.
   */
  async #drain (): Promise<void> {
    while (this.#queue.length > 0) {
      // the frames and events the commits released go out first
      await new Promise(resolve => setImmediate(resolve))
      const batch = this.#queue.splice(0)
      this.#queuedBytes = 0
      this.#stepped()
      try {
        await this.#db.batch(batch.length === 1 ? batch[0]!.ops : batch.flatMap(b => b.ops))
      } catch (err) {
        // not a close: close() waits for this loop before it closes LevelDB
        this.#failed = new StoreWriteError('store: a write to LevelDB failed; open the store again to replay its journal', { cause: err })
        log.error('%s: %e', this.#failed.message, err)
        // queued in the meantime: kept by the journal too; no commit is queued after this
        this.#queue.length = 0
        this.#queuedBytes = 0
        this.#advance(this.#journaled)
        break
      }
      for (const { buckets, entries } of batch) entries.forEach(({ key, value }, i) => { buckets[i]!.clearBehind(key, value) })
      this.#advance(this.#written + batch.length)
    }
    this.#writer = undefined
  }

  #advance (written: number): void {
    this.#written = written
    this.#stepped()
  }

  #stepped (): void {
    const progress = this.#progress
    this.#progress = undefined
    progress?.resolve()
  }

  /** Resolves at the writer's next step. */
  async #step (): Promise<void> {
    if (this.#progress === undefined) {
      let resolve!: () => void
      const promise = new Promise<void>(r => { resolve = r })
      this.#progress = { promise, resolve }
    }
    await this.#progress.promise
  }

  /**
   * Resolves once the queue holds less than `maxBehindBytes`: the writer
   * takes all of it when LevelDB finishes the write in flight, and drops it
   * when that write failed.
   */
  async #room (maxBehindBytes: number): Promise<void> {
    while (this.#queuedBytes >= maxBehindBytes) await this.#step()
  }

  /** Resolves once LevelDB has every commit journaled before this call, or a write failed. */
  async #levelWritten (): Promise<void> {
    const upTo = this.#journaled
    while (this.#written < upTo) await this.#step()
  }

  /**
   * Resolves once LevelDB has every commit so far; throws `StoreWriteError`
   * once a write failed. Range reads wait for this: LevelDB's iterators
   * cannot see the journal.
   */
  async caughtUp (): Promise<void> {
    await this.#levelWritten()
    if (this.#failed !== undefined) throw this.#failed
  }

  /**
   * Seal the puts built inside `tx`, keeping only the last operation on each
   * key (a batch applies in order, so the earlier ones would be overwritten
   * anyway): a value written several times in one batch (a session state, a
   * conversation record) is sealed once.
   */
  #sealPending (ops: StoreOp[], tx: Tx | undefined): StoreOp[] {
    if (tx === undefined || tx.unsealed.size === 0) {
      for (const op of ops) {
        if (op.type === 'put' && op.value === UNSEALED) throw new StoreTransactionError('store: operations built inside one write cannot be committed by another')
      }
      return ops
    }
    const last = new Map<unknown, Map<string, number>>()
    ops.forEach((op, i) => {
      let keys = last.get(op.sublevel)
      if (keys === undefined) {
        keys = new Map()
        last.set(op.sublevel, keys)
      }
      keys.set(op.key, i)
    })
    const out: StoreOp[] = []
    ops.forEach((op, i) => {
      if (last.get(op.sublevel)!.get(op.key) !== i) return
      if (op.type === 'put' && op.value === UNSEALED) {
        const pending = tx.unsealed.get(op)
        if (pending === undefined) throw new StoreTransactionError('store: operations built inside one write cannot be committed by another')
        op.value = this.seal(pending.bucket, op.key, pending.plaintext)
      }
      out.push(op)
    })
    return out
  }

  async close (): Promise<void> {
    if (this.#closing !== undefined) return await this.#closing
    this.#state = 'closing'
    this.#closing = (async () => {
      await this.#tail
      await this.#levelWritten()
      try {
        this.#closeJournal()
        await this.#db.close()
      } finally {
        this.#state = 'closed'
        this.#storageKey.fill(0)
        this.#cipher = undefined
        for (const bucket of this.#buckets.values()) bucket.clearCache()
      }
    })()
    return await this.#closing
  }

  #closeJournal (): void {
    const journal = this.#journal
    if (journal === undefined) return
    this.#journal = undefined
    try {
      // LevelDB has everything in it, unless a write failed: then it stays for the next open
      if (this.#failed === undefined) journal.truncate()
    } catch (err) {
      // harmless: replaying records LevelDB already has changes nothing
      log.error('store journal: not emptied at close: %e', err)
    } finally {
      journal.close()
    }
  }

  /** `guard` for level's synchronous reads. */
  guardSync<T> (op: () => T): T {
    this.assertReadable()
    try {
      return op()
    } catch (err) {
      if (isNotOpen(err)) throw new StoreClosedError()
      throw err
    }
  }

  /** Map level's "not open" errors, raised when a read races `close()`, to `StoreClosedError`. */
  async guard<T> (op: () => Promise<T>): Promise<T> {
    this.assertReadable()
    try {
      return await op()
    } catch (err) {
      if (isNotOpen(err)) throw new StoreClosedError()
      throw err
    }
  }
}

/**
 * One sublevel: values sealed under the storage key with the sublevel name
 * and key as associated data, or empty (index entries, whose key says it
 * all).
 */
export class Bucket {
  readonly name: string
  readonly sublevel: Sublevel
  readonly #ctx: StoreContext
  readonly #cache: Lru<Uint8Array> | undefined
  /** committed (journaled) values LevelDB does not have yet, sealed; null for a delete */
  readonly #behind = new Map<string, Uint8Array | null>()

  constructor (ctx: StoreContext, name: string, sublevel: Sublevel, options: BucketOptions) {
    this.#ctx = ctx
    this.name = name
    this.sublevel = sublevel
    this.#cache = options.cacheSize === undefined ? undefined : new Lru(options.cacheSize)
  }

  /**
   * Seal `plaintext` under `key`. `owned`: the caller hands the buffer over
   * (it is not copied for the overlay). `cache: false`: a bucket with a cache
   * does not keep this value once committed (and forgets an older one); it
   * is read from disk if it is ever read again.
   */
  put (key: string, plaintext: Uint8Array, owned = false, cache = true): StoreOp {
    const tx = this.#ctx.currentTx()
    if (tx === undefined) {
      const value = this.#ctx.seal(this.name, key, plaintext)
      if (owned) plaintext.fill(0)
      return { type: 'put', sublevel: this.sublevel, key, value }
    }
    const name = this.name + '\0' + key
    const copy = owned ? plaintext : plaintext.slice()
    tx.overlay.set(name, copy)
    if (cache) tx.uncached.delete(name)
    else tx.uncached.add(name)
    // sealed when the batch commits, and only if no later operation in it replaces this one
    const op: StoreOp = { type: 'put', sublevel: this.sublevel, key, value: UNSEALED }
    tx.unsealed.set(op, { bucket: this.name, plaintext: copy })
    return op
  }

  putJson (key: string, value: unknown, cache = true): StoreOp {
    let json: string | undefined
    try {
      json = JSON.stringify(value)
    } catch (err) {
      throw new StoreQueryError(`${this.name}: value is not JSON-serialisable`, { cause: err })
    }
    if (json === undefined) throw new StoreQueryError(`${this.name}: value is not JSON-serialisable`)
    // a value the cache will keep gets memory of its own; one that is sealed and dropped comes from the slab
    const plaintext = this.#cache === undefined || !cache ? transientUtf8(json) : encoder.encode(json)
    return this.put(key, plaintext, true, cache)
  }

  /**
   * An index entry: the key carries everything, the value is empty. Index
   * entries are only ever iterated, which sees committed state only, so they
   * stay out of the overlay.
   */
  index (key: string): StoreOp {
    return { type: 'put', sublevel: this.sublevel, key, value: EMPTY }
  }

  del (key: string): StoreOp {
    this.#ctx.currentTx()?.overlay.set(this.name + '\0' + key, null)
    return { type: 'del', sublevel: this.sublevel, key }
  }

  /**
   * The plaintext under `key`, as this write sees it (its own writes first).
   * `shared`: the buffer is also held by the overlay or the cache, so the
   * caller must neither change nor wipe it.
   */
  #lookup (key: string): { plaintext: Uint8Array, shared: boolean } | undefined {
    const pending = this.#ctx.currentTx()?.overlay.get(this.name + '\0' + key)
    if (pending !== undefined) return pending === null ? undefined : { plaintext: pending, shared: true }
    const cached = this.#cache?.get(key)
    if (cached !== undefined) return { plaintext: cached, shared: true }
    const value = this.#committed(key)
    if (value === undefined) return undefined
    const plaintext = this.#ctx.open(this.name, key, value)
    if (this.#cache === undefined) return { plaintext, shared: false }
    this.#cache.set(key, plaintext)
    return { plaintext, shared: true }
  }

  /** The sealed value committed under `key`: behind LevelDB, or in it. */
  #committed (key: string): Uint8Array | undefined {
    this.#ctx.assertReadable()
    const behind = this.#behind.get(key)
    if (behind !== undefined) return behind ?? undefined
    // a synchronous read: no thread-pool round trip on the write path (LevelDB answers from memory or its block cache)
    return this.#ctx.guardSync(() => this.sublevel.getSync(key))
  }

  /**
   * What this write has put under `key` (a buffer the caller must neither
   * change nor wipe), null if it deleted it, undefined if it did not touch
   * it (or outside a write).
   */
  pending (key: string): Uint8Array | null | undefined {
    return this.#ctx.currentTx()?.overlay.get(this.name + '\0' + key)
  }

  /** The plaintext under `key`: the caller's own copy, which it may wipe. */
  async get (key: string): Promise<Uint8Array | undefined> {
    const found = this.#lookup(key)
    if (found === undefined) return undefined
    return found.shared ? found.plaintext.slice() : found.plaintext
  }

  async getJson<T> (key: string): Promise<T | undefined> {
    return await this.getDecoded(key, (k, plaintext) => this.decodeJson<T>(k, plaintext))
  }

  /**
   * The value under `key` as `decode` reads it from the plaintext, which it
   * must not keep: the plaintext is wiped after, unless the cache holds it.
   */
  async getDecoded<T> (key: string, decode: Decode<T>): Promise<T | undefined> {
    const found = this.#lookup(key)
    if (found === undefined) return undefined
    const value = decode(key, found.plaintext)
    // the decrypted bytes are ours alone: do not leave them behind (prekeys, for one, are secrets)
    if (!found.shared) found.plaintext.fill(0)
    return value
  }

  /** Several JSON values at once (one round trip to level for the ones this write did not touch). */
  async getManyJson<T> (keys: string[]): Promise<Array<T | undefined>> {
    return await this.getManyDecoded(keys, (k, plaintext) => this.decodeJson<T>(k, plaintext))
  }

  /** Several values at once, as `decode` reads them (see `getDecoded`). */
  async getManyDecoded<T> (keys: string[], decode: Decode<T>): Promise<Array<T | undefined>> {
    const tx = this.#ctx.currentTx()
    const out: Array<T | undefined> = new Array(keys.length)
    const missing: number[] = []
    keys.forEach((key, i) => {
      const pending = tx?.overlay.get(this.name + '\0' + key)
      const known = pending !== undefined ? pending : this.#cache?.get(key)
      if (known !== undefined) {
        out[i] = known === null ? undefined : decode(key, known)
        return
      }
      const behind = this.#behind.get(key)
      if (behind === undefined) missing.push(i)
      else if (behind !== null) out[i] = this.#openDecoded(key, behind, decode)
    })
    if (missing.length > 0) {
      const values = await this.#ctx.guard(async () => await this.sublevel.getMany(missing.map(i => keys[i]!)))
      missing.forEach((i, j) => {
        const value = values[j]
        if (value === undefined) return
        out[i] = this.#openDecoded(keys[i]!, value, decode)
      })
    }
    return out
  }

  #openDecoded<T> (key: string, value: Uint8Array, decode: Decode<T>): T {
    const plaintext = this.#ctx.open(this.name, key, value)
    try {
      return decode(key, plaintext)
    } finally {
      plaintext.fill(0)
    }
  }

  /** Whether a key exists (values are not opened). */
  /** Throws `StoreClosedError` once the store is closing: what an answer given without a read checks. */
  assertReadable (): void {
    this.#ctx.assertReadable()
  }

  async has (key: string): Promise<boolean> {
    const pending = this.#ctx.currentTx()?.overlay.get(this.name + '\0' + key)
    if (pending !== undefined) return pending !== null
    return this.#committed(key) !== undefined
  }

  /** Committed keys in a range (this write's own index entries are not seen). */
  async keys (range: KeyRange & { reverse?: boolean, limit?: number }): Promise<string[]> {
    await this.#ctx.caughtUp()
    return await this.#ctx.guard(async () => await this.sublevel.keys(range).all())
  }

  /** Committed keys and sealed values in a range. */
  async rows (range: KeyRange & { reverse?: boolean, limit?: number }): Promise<Array<[string, Uint8Array]>> {
    await this.#ctx.caughtUp()
    return await this.#ctx.guard(async () => await this.sublevel.iterator(range).all())
  }

  /** Iterate committed keys in a range; `seek` skips ahead. */
  async iterate (range: KeyRange & { reverse?: boolean, limit?: number }) {
    await this.#ctx.caughtUp()
    this.#ctx.assertReadable()
    return this.sublevel.keys<string>(range)
  }

  /** Iterate committed keys and sealed values in a range. */
  async iterateRows (range: KeyRange) {
    await this.#ctx.caughtUp()
    this.#ctx.assertReadable()
    return this.sublevel.iterator<string, Uint8Array>(range)
  }

  async count (range: KeyRange): Promise<number> {
    await this.#ctx.caughtUp()
    return await this.#ctx.guard(async () => {
      let n = 0
      for await (const _ of this.sublevel.keys(range)) n++
      return n
    })
  }

  /** A journaled commit put `value` (sealed; null: deleted) under `key`, which LevelDB gets later. */
  setBehind (key: string, value: Uint8Array | null): void {
    this.#behind.set(key, value)
  }

  /** LevelDB has what a journaled commit wrote under `key`, unless a later one changed it again. */
  clearBehind (key: string, value: Uint8Array | null): void {
    if (this.#behind.get(key) === value) this.#behind.delete(key)
  }

  /** After a commit: keep the cache in step with disk. true when the cache took `plaintext` over. */
  committed (key: string, plaintext: Uint8Array | null | undefined): boolean {
    if (this.#cache === undefined) return false
    if (plaintext === undefined || plaintext === null) {
      this.#cache.delete(key)
      return false
    }
    this.#cache.set(key, plaintext)
    return true
  }

  clearCache (): void {
    this.#cache?.clear()
  }

  decodeJson<T> (key: string, plaintext: Uint8Array): T {
    try {
      return JSON.parse(decoder.decode(plaintext)) as T
    } catch (err) {
      throw new StoreCorruptionError(this.name, key, 'not JSON', { cause: err })
    }
  }
}
