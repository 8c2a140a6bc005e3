/**
 * The store's journal: its record format, and a store that commits through
 * it while LevelDB lags behind, fails, or never got a commit at all.
 */
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Journal, decodeJournal, encodeRecord, readJournal, recordBound } from '../../../src/store/journal.js'
import { openStore } from '../../../src/store/index.js'
import { ALICE, BOB, incoming, storeFixture } from './helpers.js'
import type { JournalEntry } from '../../../src/store/journal.js'
import type { MessageRecord, Store } from '../../../src/store/index.js'
import type { StoreFixture } from './helpers.js'

let fx: StoreFixture

beforeEach(async () => { fx = await storeFixture() })
afterEach(async () => {
  vi.restoreAllMocks()
  await fx.cleanup()
})

const journalFile = (dir: string): string => join(dir, 'db', 'journal')

function record (entries: JournalEntry[]): Buffer {
  const out = Buffer.alloc(recordBound(entries))
  return out.subarray(0, encodeRecord(entries, out))
}

const FIRST: JournalEntry[] = [
  { bucket: 'messages', key: 'r\0abc', value: new Uint8Array([1, 2, 3]) },
  { bucket: 'messages', key: 'c\0conv\x001\0abc', value: new Uint8Array(0) },
  { bucket: 'outbox', key: 'p\0peer\0x', value: null }
]
const SECOND: JournalEntry[] = [{ bucket: 'meta', key: 'ключ\0é', value: new Uint8Array(300).fill(7) }]

/**
 * LevelDB's writes, held until released or failed: what a commit does
 * while LevelDB lags behind it. Only the writes started after this call.
 */
/** classic-level's batch (not in `level`'s types): what every LevelDB write of a store ends in */
const leveldb = Level.prototype as unknown as { _batch: (operations: unknown[], options: unknown) => Promise<void> }

function holdLevelWrites () {
  const original = leveldb._batch
  const held: Array<{ run: () => void, fail: (err: Error) => void }> = []
  const waiting: Array<() => void> = []
  const writes: Array<Array<{ type: string, key: unknown }>> = []
  const spy = vi.spyOn(leveldb, '_batch').mockImplementation(async function (this: unknown, ...args: Parameters<typeof original>) {
    writes.push((args[0] as Array<{ type: string, key: unknown }>).map(({ type, key }) => ({ type, key })))
    await new Promise<void>((resolve, reject) => {
      held.push({ run: resolve, fail: reject })
      waiting.splice(0).forEach(wake => { wake() })
    })
    return await original.apply(this, args)
  })
  return {
    get count () { return held.length },
    /** each write's operations (type and encoded key), in the order LevelDB got them */
    writes,
    /** resolves once a write is held */
    async next (): Promise<void> {
      if (held.length > 0) return
      await new Promise<void>(resolve => { waiting.push(resolve) })
    },
    release () { held.splice(0).forEach(h => { h.run() }) },
    fail (err: Error) { held.splice(0).forEach(h => { h.fail(err) }) },
    stop () { spy.mockRestore() }
  }
}

/** A message put while LevelDB's writes are held: once this resolves, it is in the journal alone. */
async function putHeld (store: Store): Promise<{ hold: ReturnType<typeof holdLevelWrites>, msg: MessageRecord }> {
  const hold = holdLevelWrites()
  const msg = incoming('conv-1', { from: BOB })
  await store.messages.put(msg)
  await hold.next()
  return { hold, msg }
}

/** The journal bytes of one `meta.put` of a one-digit number (its record, as the tests below repeat it). */
async function metaRecordBytes (): Promise<number> {
  const probe = await fx.open()
  const empty = (await stat(journalFile(fx.dir))).size
  await probe.meta.put('k', 0)
  const size = (await stat(journalFile(fx.dir))).size - empty
  await probe.close()
  return size
}

async function settles<T> (promise: Promise<T>): Promise<boolean> {
  let done = false
  promise.then(() => { done = true }, () => { done = true })
  for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
  return done
}

describe('journal records', () => {
  it('decode to the entries they were made of, in order', () => {
    const bytes = Buffer.concat([record(FIRST), record(SECOND)])
    expect(decodeJournal(bytes)).toEqual({ entries: [...FIRST, ...SECOND], dropped: 0 })
    expect(decodeJournal(Buffer.alloc(0))).toEqual({ entries: [], dropped: 0 })
  })

  it('stop before a record cut short at any byte, keeping the ones before it', () => {
    const first = record(FIRST)
    const second = record(SECOND)
    const bytes = Buffer.concat([first, second])
    for (let cut = first.length; cut < bytes.length; cut++) {
      expect(decodeJournal(bytes.subarray(0, cut))).toEqual({ entries: FIRST, dropped: cut - first.length })
    }
    for (let cut = 0; cut < first.length; cut++) {
      expect(decodeJournal(bytes.subarray(0, cut))).toEqual({ entries: [], dropped: cut })
    }
  })

  it('stop at a damaged record: nothing from it or after it', () => {
    const first = record(FIRST)
    const bytes = Buffer.concat([first, record(SECOND), record(FIRST)])
    // any flipped bit of the second record (its length, checksum or body) stops the reading there
    for (let at = first.length; at < first.length + 8 + 40; at++) {
      const damaged = Buffer.from(bytes)
      damaged[at]! ^= 0x10
      expect(decodeJournal(damaged).entries).toEqual(FIRST)
    }
  })

  it('refuse a body that checks out but does not parse', () => {
    const body = Buffer.from([2, 1, 0, 0, 0, 0x41]) // kind 2
    const header = Buffer.alloc(8)
    header.writeUInt32LE(body.length, 0)
    header.writeUInt32LE(crc32(body), 4)
    expect(decodeJournal(Buffer.concat([record(FIRST), header, body]))).toEqual({ entries: FIRST, dropped: 14 })
  })
})

describe('the journal file', () => {
  it('refuses a record that could pass maxRecordBytes, writing nothing; takes one at the bound', () => {
    const file = join(fx.dir, 'journal')
    const bound = recordBound(SECOND)
    const small = new Journal(file, bound - 1)
    expect(() => { small.append(SECOND) }).toThrow(/past the \d+ it takes/)
    expect(small.bytes).toBe(0)
    small.close()
    const exact = new Journal(file, bound)
    const length = exact.append(SECOND)
    expect(length).toBe(exact.bytes)
    expect(length).toBe(record(SECOND).length)
    exact.close()
    expect(readJournal(file)).toEqual({ entries: SECOND, dropped: 0 })
  })
})

describe('a store with a journal', () => {
  it('resolves a small commit once journaled; reads see it before LevelDB has it, and range reads wait for LevelDB', async () => {
    const store = await fx.open()
    const { hold, msg } = await putHeld(store)
    expect((await stat(journalFile(fx.dir))).size).toBeGreaterThan(0)
    // point reads: from the journaled commit
    expect(await store.messages.get(msg.messageId)).toEqual(msg)
    expect(await store.messages.has(msg.messageId)).toBe(true)
    expect((await store.conversations.get('conv-1'))?.unreadCount).toBe(1)
    // a range read waits for LevelDB
    const history = store.messages.history('conv-1')
    expect(await settles(history)).toBe(false)
    hold.release()
    expect((await history).messages).toEqual([msg])
    hold.stop()
  })

  it('runs one LevelDB write at a time: commits made meanwhile do not wait for it, and the next write takes them all, in commit order', async () => {
    const store = await fx.open()
    const hold = holdLevelWrites()
    await store.meta.put('a', 1)
    await hold.next()
    // resolved while LevelDB still writes the first
    await store.meta.put('a', 2)
    await store.meta.put('b', 3)
    await store.meta.put('a', 4)
    expect(hold.count).toBe(1)
    expect(await store.meta.get('a')).toBe(4)
    hold.release()
    await hold.next()
    const keyOf = (op: { key: unknown }): string => Buffer.from(op.key as Uint8Array).toString().replace(/^!meta!/, '')
    expect(hold.writes.map(write => write.map(keyOf))).toEqual([['a'], ['a', 'b', 'a']])
    // the key written three times reads as the last commit left it, before and after LevelDB has it
    expect(await store.meta.get('a')).toBe(4)
    hold.release()
    hold.stop()
    await store.close()
    const again = await fx.open()
    expect(await again.meta.get('a')).toBe(4)
    expect(await again.meta.get('b')).toBe(3)
  })

  it('a commit waits while maxBehindBytes of records are queued, until LevelDB finishes its write and takes the queue; not at one byte less', async () => {
    const size = await metaRecordBytes()

    for (const [maxBehindBytes, waits] of [[2 * size, true], [2 * size + 1, false]] as const) {
      const store = await fx.open({ journal: { maxBehindBytes } })
      const hold = holdLevelWrites()
      await store.meta.put('k', 0)
      await hold.next()
      // queued behind the held write: 2 records
      await store.meta.put('k', 1)
      await store.meta.put('k', 2)
      const third = store.meta.put('k', 3)
      expect(await settles(third)).toBe(!waits)
      if (waits) {
        // the held write ends, the next one takes the two queued (and is held): room for the third
        hold.release()
        await hold.next()
        await third
        expect(hold.writes.map(write => write.length)).toEqual([1, 2])
      }
      hold.stop()
      hold.release()
      expect(await store.meta.get('k')).toBe(3)
      await store.close()
      const again = await fx.open()
      expect(await again.meta.get('k')).toBe(3)
      await again.close()
    }
  })

  it('replays at the next open what a process that died had journaled but LevelDB never got', async () => {
    const store = await fx.open()
    const before = incoming('conv-1', { from: BOB, content: 'before' })
    await store.messages.put(before)
    // a range read: LevelDB has caught up
    expect((await store.messages.history('conv-1')).messages).toEqual([before])
    const hold = holdLevelWrites()
    const msg = incoming('conv-1', { from: BOB, content: 'journaled only' })
    await store.messages.put(msg)
    await hold.next()
    // the files as a crash would leave them now: LevelDB without the commit, the journal with it
    const crashed = join(fx.dir, 'crashed')
    await cp(join(fx.dir, 'db'), join(crashed, 'db'), { recursive: true })
    hold.release()
    hold.stop()

    const reopened = await openStore({ path: join(crashed, 'db'), storageKey: fx.storageKey })
    try {
      expect(await reopened.messages.get(msg.messageId)).toEqual(msg)
      expect((await reopened.messages.history('conv-1')).messages).toEqual([before, msg])
      expect((await reopened.conversations.get('conv-1'))?.unreadCount).toBe(2)
      // LevelDB has it now: the journal is empty
      expect((await stat(journalFile(crashed))).size).toBe(0)
    } finally {
      await reopened.close()
    }
  })

  it('refuses to open when the journal cannot be read, and replays it once it can', async () => {
    const store = await fx.open()
    await store.meta.put('kept', 1)
    await store.close()
    // unreadable for root too: a directory where the file should be
    await rm(journalFile(fx.dir))
    await mkdir(journalFile(fx.dir))
    await expect(fx.open()).rejects.toMatchObject({ code: 'EISDIR' })
    await rm(journalFile(fx.dir), { recursive: true })
    await writeFile(journalFile(fx.dir), record([{ bucket: 'meta', key: 'k', value: new Uint8Array([7]) }]))
    const again = await fx.open()
    expect(await again.meta.get('kept')).toBe(1)
    // replayed as it was (not a sealed value: the read says so)
    await expect(again.meta.get('k')).rejects.toMatchObject({ name: 'StoreCorruptionError' })
  })

  it('drops a record cut short at the end of the journal and keeps the ones before it', async () => {
    const store = await fx.open()
    await store.close()
    const kept = record([{ bucket: 'meta', key: 'never-sealed', value: new Uint8Array([1]) }])
    const torn = record(SECOND)
    await writeFile(journalFile(fx.dir), Buffer.concat([kept, torn.subarray(0, torn.length - 3)]))
    const again = await fx.open()
    // replayed as it was (not a sealed value: the read says so)
    await expect(again.meta.get('never-sealed')).rejects.toMatchObject({ name: 'StoreCorruptionError' })
    expect((await stat(journalFile(fx.dir))).size).toBe(0)
  })

  it('replays an entry of a bucket this version does not have under that bucket\'s prefix, touching nothing else', async () => {
    const store = await fx.open()
    await store.meta.put('kept', 1)
    await store.close()
    await writeFile(journalFile(fx.dir), record([{ bucket: 'future', key: 'k', value: new Uint8Array([7]) }]))
    const again = await fx.open()
    expect(await again.meta.get('kept')).toBe(1)
    await again.close()
    const raw = new Level<string, Uint8Array>(join(fx.dir, 'db'), { keyEncoding: 'utf8', valueEncoding: 'view' })
    try {
      expect([...(await raw.sublevel<string, Uint8Array>('future', { valueEncoding: 'view' }).get('k'))!]).toEqual([7])
    } finally {
      await raw.close()
    }
  })

  it('a commit whose record could pass maxRecordBytes goes to LevelDB directly and empties the journal first', async () => {
    const max = 1000
    const store = await fx.open({ journal: { maxRecordBytes: max } })
    // a meta value is sealed JSON: 12 bytes of nonce, 16 of tag
    const valueOf = (chars: number): string => 'x'.repeat(chars)
    const boundOf = (chars: number): number => recordBound([{ bucket: 'meta', key: 'k', value: new Uint8Array(12 + JSON.stringify(valueOf(chars)).length + 16) }])
    let chars = 0
    while (boundOf(chars + 1) <= max) chars++
    expect(boundOf(chars)).toBe(max)

    await store.meta.put('k', valueOf(chars))
    const journaled = (await stat(journalFile(fx.dir))).size
    expect(journaled).toBeGreaterThan(0)
    const hold = holdLevelWrites()
    const direct = store.meta.put('k', valueOf(chars + 1))
    // written directly: the commit waits for its own LevelDB write, and nothing was appended
    await hold.next()
    expect(await settles(direct)).toBe(false)
    expect((await stat(journalFile(fx.dir))).size).toBe(0)
    hold.release()
    await direct
    hold.stop()
    expect((await stat(journalFile(fx.dir))).size).toBe(0)
    expect(await store.meta.get('k')).toBe(valueOf(chars + 1))
    await store.close()
    const again = await fx.open()
    expect(await again.meta.get('k')).toBe(valueOf(chars + 1))
  })

  it('empties the journal before an append once it holds truncateBytes, not before', async () => {
    const size = await metaRecordBytes()

    for (const [truncateBytes, after] of [[3 * size, size], [3 * size + 1, 4 * size]] as const) {
      const store = await fx.open({ journal: { truncateBytes } })
      for (let i = 0; i < 3; i++) await store.meta.put('k', i)
      expect((await stat(journalFile(fx.dir))).size).toBe(3 * size)
      await store.meta.put('k', 3)
      expect((await stat(journalFile(fx.dir))).size).toBe(after)
      await store.close()
    }
  })

  it('after a failed LevelDB write: the commit stands, later writes and range reads fail, and the next open replays it', async () => {
    const store = await fx.open()
    const { hold, msg } = await putHeld(store)
    // made while the write that fails is in flight: journaled, so it stands too
    await store.meta.put('during', 1)
    hold.fail(Object.assign(new Error('IO error: No space left on device'), { code: 'LEVEL_IO_ERROR' }))
    await expect(store.messages.history('conv-1')).rejects.toMatchObject({ name: 'StoreWriteError' })
    await expect(store.meta.put('next', 1)).rejects.toMatchObject({ name: 'StoreWriteError' })
    expect(await store.messages.get(msg.messageId)).toEqual(msg)
    expect(await store.meta.get('during')).toBe(1)
    // the queued commit never reached LevelDB: the write failed first
    expect(hold.writes).toHaveLength(1)
    hold.stop()
    await store.close()
    // a closed store answers nothing, not even what only its memory still holds
    await expect(store.messages.has(msg.messageId)).rejects.toMatchObject({ name: 'StoreClosedError' })
    // kept for the next open
    expect((await stat(journalFile(fx.dir))).size).toBeGreaterThan(0)

    const again = await fx.open()
    expect((await again.messages.history('conv-1')).messages).toEqual([msg])
    expect(await again.meta.get('during')).toBe(1)
    expect(await again.meta.get('next')).toBeUndefined()
    expect((await stat(journalFile(fx.dir))).size).toBe(0)
  })

  it('a commit waiting for room in the queue fails when the write in flight fails; the queued one stands', async () => {
    const store = await fx.open({ journal: { maxBehindBytes: await metaRecordBytes() } })
    const hold = holdLevelWrites()
    await store.meta.put('k', 0)
    await hold.next()
    await store.meta.put('queued', 1)
    const waiting = store.meta.put('waiting', 2)
    expect(await settles(waiting)).toBe(false)
    hold.fail(Object.assign(new Error('IO error: No space left on device'), { code: 'LEVEL_IO_ERROR' }))
    await expect(waiting).rejects.toMatchObject({ name: 'StoreWriteError' })
    expect(await store.meta.get('queued')).toBe(1)
    expect(await store.meta.get('waiting')).toBeUndefined()
    hold.stop()
    await store.close()
    const again = await fx.open()
    expect(await again.meta.get('k')).toBe(0)
    expect(await again.meta.get('queued')).toBe(1)
    expect(await again.meta.get('waiting')).toBeUndefined()
  })

  it('keeps the journal to its owner (mode 0600) and refuses bad bounds', async () => {
    const store = await fx.open()
    await store.sessions.put(ALICE, new Uint8Array([1]))
    expect((await stat(journalFile(fx.dir))).mode & 0o777).toBe(0o600)
    await store.close()
    await expect(fx.open({ journal: { maxRecordBytes: 0 } })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(fx.open({ journal: { truncateBytes: 1.5 } })).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(fx.open({ journal: { maxBehindBytes: -1 } })).rejects.toMatchObject({ name: 'StoreQueryError' })
    // a misspelt bound is refused, not ignored
    await expect(fx.open({ journal: { maxBehindByte: 1024 } as never })).rejects.toThrow(/journal.maxBehindByte is not a journal bound/)
    // no stored value reaches the journal unsealed
    const again = await fx.open()
    await again.meta.put('secret', 'the launch code is 0000-swordfish')
    expect((await readFile(journalFile(fx.dir))).includes('swordfish')).toBe(false)
  })
})
