/**
 * The store's journal: a file in the level database's directory (LevelDB
 * leaves files it does not name alone) to which a small commit is
 * appended, with one synchronous write, before the commit resolves.
 * LevelDB gets the same operations in the background, in the journal's
 * order; a process that dies in between replays them from the journal
 * when the store opens again (`StoreContext`).
 *
 * Why: a LevelDB write is a round trip through libuv's thread pool, 0.1 –
 * 0.2 ms on a busy 2-core host, and one sat on the path of every message
 * twice (the sender's batch S before the envelope may leave, the
 * receiver's batch R before the message is handed over). An append is one
 * `write(2)` into the page cache, a few µs. The durability is LevelDB's
 * own default (its writes are not synced either): a process crash loses
 * nothing that was committed; a power loss may lose the last commits, as
 * it may in LevelDB.
 *
 * ```
 * record = u32 LE body length | u32 LE CRC-32 of body | body
 * body   = entry+
 * entry  = u8 1 (put) | u32 LE name length | name | u32 LE value length | value
 *        | u8 0 (del) | u32 LE name length | name
 * name   = UTF-8 of bucket \0 key
 * ```
 *
 * Values are the sealed values LevelDB gets (the journal holds nothing
 * LevelDB does not). Reading stops at the first record that is cut short
 * or does not check out, and keeps what came before: a crash can only
 * leave the last append half-written, and anything after a damaged record
 * is not trusted.
 */
import { closeSync, fchmodSync, ftruncateSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs'
import { crc32 } from 'node:zlib'

/** One operation of a commit, by bucket name; `value` null for a delete. */
export interface JournalEntry {
  bucket: string
  key: string
  value: Uint8Array | null
}

export interface JournalContents {
  /** the entries of every whole record, in order */
  entries: JournalEntry[]
  /** bytes after the last whole record (a torn append, or damage): not replayed */
  dropped: number
}

const HEADER = 8
const PUT = 1
const DEL = 0
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Most bytes one entry can take in a record (its name at 3 bytes a UTF-16 unit). */
export function entryBound (bucket: string, key: string, value: Uint8Array | null): number {
  return 9 + 3 * (bucket.length + 1 + key.length) + (value?.byteLength ?? 0)
}

/** Most bytes `entries` can take as one record: what a record is checked against before it is encoded. */
export function recordBound (entries: readonly JournalEntry[]): number {
  let size = HEADER
  for (const e of entries) size += entryBound(e.bucket, e.key, e.value)
  return size
}

/** Encode `entries` as one record into `into` (at least `recordBound(entries)` long); returns its length. */
export function encodeRecord (entries: readonly JournalEntry[], into: Buffer): number {
  let at = HEADER
  for (const { bucket, key, value } of entries) {
    into[at] = value === null ? DEL : PUT
    const n = into.write(bucket + '\0' + key, at + 5, 'utf8')
    into.writeUInt32LE(n, at + 1)
    at += 5 + n
    if (value !== null) {
      into.writeUInt32LE(value.byteLength, at)
      into.set(value, at + 4)
      at += 4 + value.byteLength
    }
  }
  into.writeUInt32LE(at - HEADER, 0)
  into.writeUInt32LE(crc32(into.subarray(HEADER, at)), 4)
  return at
}

/** The entries of one record's body; undefined if it is malformed. */
function decodeBody (body: Buffer): JournalEntry[] | undefined {
  const out: JournalEntry[] = []
  let at = 0
  while (at < body.length) {
    if (at + 5 > body.length) return undefined
    const kind = body[at]!
    const n = body.readUInt32LE(at + 1)
    at += 5
    if ((kind !== PUT && kind !== DEL) || at + n > body.length) return undefined
    let name: string
    try {
      name = decoder.decode(body.subarray(at, at + n))
    } catch {
      return undefined
    }
    at += n
    const split = name.indexOf('\0')
    if (split <= 0) return undefined
    let value: Uint8Array | null = null
    if (kind === PUT) {
      if (at + 4 > body.length) return undefined
      const length = body.readUInt32LE(at)
      at += 4
      if (at + length > body.length) return undefined
      value = new Uint8Array(body.subarray(at, at + length))
      at += length
    }
    out.push({ bucket: name.slice(0, split), key: name.slice(split + 1), value })
  }
  return out.length === 0 ? undefined : out
}

/** The whole records of `bytes`, up to the first that is cut short or damaged. */
export function decodeJournal (bytes: Buffer): JournalContents {
  const entries: JournalEntry[] = []
  let at = 0
  while (at + HEADER <= bytes.length) {
    const length = bytes.readUInt32LE(at)
    if (at + HEADER + length > bytes.length) break
    const body = bytes.subarray(at + HEADER, at + HEADER + length)
    if (crc32(body) !== bytes.readUInt32LE(at + 4)) break
    const decoded = decodeBody(body)
    if (decoded === undefined) break
    entries.push(...decoded)
    at += HEADER + length
  }
  return { entries, dropped: bytes.length - at }
}

/** What the journal at `file` holds; nothing if there is no file. */
export function readJournal (file: string): JournalContents {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], dropped: 0 }
    throw err
  }
  return decodeJournal(bytes)
}

/** The journal file, open for appending (mode 0600). */
export class Journal {
  readonly #fd: number
  #bytes: number
  /** holds the largest record this journal takes */
  readonly #scratch: Buffer
  /** an append failed and its bytes could not be cut off: what follows them would never be read back */
  #broken = false

  /** Open (or create) `file`, for records of at most `maxRecordBytes` (by `recordBound`). */
  constructor (file: string, maxRecordBytes: number) {
    this.#fd = openSync(file, 'a', 0o600)
    try {
      // an existing file keeps its mode on open
      fchmodSync(this.#fd, 0o600)
      this.#bytes = fstatSync(this.#fd).size
    } catch (err) {
      closeSync(this.#fd)
      throw err
    }
    this.#scratch = Buffer.allocUnsafe(maxRecordBytes)
  }

  /** The largest record (by `recordBound`) `append` takes. */
  get maxRecordBytes (): number {
    return this.#scratch.length
  }

  /** Bytes in the file. */
  get bytes (): number {
    return this.#bytes
  }

  /**
   * Append `entries` as one record; returns its length in bytes. Throws if
   * the write fails, after cutting the file back to where it was, so a
   * failed append leaves no record behind; throws a `RangeError`, writing
   * nothing, for a record that could pass `maxRecordBytes`.
   */
  append (entries: readonly JournalEntry[]): number {
    if (this.#broken) throw new Error('journal: an earlier append failed and could not be undone')
    const bound = recordBound(entries)
    if (bound > this.#scratch.length) throw new RangeError(`journal: a record of up to ${bound} bytes, past the ${this.#scratch.length} it takes`)
    const buffer = this.#scratch
    const length = encodeRecord(entries, buffer)
    try {
      let written = 0
      while (written < length) written += writeSync(this.#fd, buffer, written, length - written)
    } catch (err) {
      try {
        ftruncateSync(this.#fd, this.#bytes)
      } catch {
        this.#broken = true
      }
      throw err
    }
    this.#bytes += length
    return length
  }

  /** Empty the file: only once LevelDB holds everything in it. */
  truncate (): void {
    if (this.#bytes === 0) return
    ftruncateSync(this.#fd, 0)
    this.#bytes = 0
  }

  close (): void {
    closeSync(this.#fd)
  }
}
