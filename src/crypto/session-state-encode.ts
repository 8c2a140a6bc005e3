/**
 * `SessionState` and `StoredSession` (session-state.proto) encoded by hand,
 * to the bytes protons' generated encoders write (a test checks that on
 * random states): the size first, then one buffer. Each message's fields
 * are listed once (`sessionState`, `sendChain`, ...), and run twice: on a
 * `Measure`, which adds up their encoded length, then on a `FieldWriter`,
 * which writes them (measuring each nested message again for its length).
 *
 * Both sides of a 1:1 conversation store their session after every message.
 * protons' writer keeps a list of operation objects, one per field, and
 * joins them at the end: ~6 KB of short-lived objects for a session of one
 * receiving chain, the receiver's largest source of garbage, and ~4 µs. This
 * takes no intermediate object beyond the state itself. Decoding stays with
 * protons (session-state.pb.ts), which also bounds the repeated fields.
 *
 * Field rules as protons applies them (proto3): a `bytes` field is written
 * when it is non-empty, a `uint32` when it is not 0 (as `value >>> 0`), an
 * `optional` field and a message field when present, a `bool` when true,
 * each repeated message once per element. Every tag here fits one byte
 * (field numbers ≤ 15).
 */
import { InvalidInputError } from './errors.js'
import { transientBytes } from './transient-bytes.js'
import type { ReceiveChain, ReceiveStep, SendChain, SessionState, SkippedKey, SkippedRefresh, StoredSession, X3dhHeader } from './session-state.pb.js'

/** wire types */
const VARINT = 0
const LENGTH_DELIMITED = 2

function tag (field: number, wireType: number): number {
  return (field << 3) | wireType
}

function varintLength (value: number): number {
  if (value < 0x80) return 1
  if (value < 0x4000) return 2
  if (value < 0x20_0000) return 3
  if (value < 0x1000_0000) return 4
  let length = 4
  for (let v = Math.floor(value / 0x1000_0000); v > 0; v = Math.floor(v / 0x80)) length++
  return length
}

/** A `uint64` held as a number: storedAt times, which are whole ms since the epoch. */
function checkUint64 (what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidInputError(`session state: ${what} must be a whole number in [0, 2^53), got ${value}`)
  return value
}

/** Where a message's fields go: measured, or written. Every tag here fits one byte (field numbers ≤ 15). */
interface Fields {
  bytes(field: number, value: Uint8Array | undefined): void
  uint32(field: number, value: number | undefined): void
  /** an `optional uint32`: present, 0 included */
  optionalUint32(field: number, value: number | undefined): void
  uint64(field: number, value: number | undefined): void
  bool(field: number, value: boolean | undefined): void
  message<T>(field: number, value: T, fields: (f: Fields, value: T) => void): void
}

/** The encoded length of what is given, field by field: zero for what protons leaves out. */
class Measure implements Fields {
  length = 0

  bytes (_field: number, value: Uint8Array | undefined): void {
    if (value != null && value.byteLength > 0) this.length += 1 + varintLength(value.byteLength) + value.byteLength
  }

  uint32 (_field: number, value: number | undefined): void {
    if (value != null && value !== 0) this.length += 1 + varintLength(value >>> 0)
  }

  optionalUint32 (_field: number, value: number | undefined): void {
    if (value != null) this.length += 1 + varintLength(value >>> 0)
  }

  uint64 (_field: number, value: number | undefined): void {
    if (value != null && value !== 0) this.length += 1 + varintLength(checkUint64('storedAt', value))
  }

  bool (_field: number, value: boolean | undefined): void {
    if (value === true) this.length += 2
  }

  message<T>(_field: number, value: T, fields: (f: Fields, value: T) => void): void {
    const inner = lengthOf(value, fields)
    this.length += 1 + varintLength(inner) + inner
  }
}

/** One for every measurement: each runs to its end, and a nested one puts back the count it interrupted. */
const measure = new Measure()

function lengthOf<T> (value: T, fields: (f: Fields, value: T) => void): number {
  const outer = measure.length
  measure.length = 0
  try {
    fields(measure, value)
    return measure.length
  } finally {
    measure.length = outer
  }
}

/** Writes fields into a buffer of the length `Measure` found (uint64s were checked there). */
class FieldWriter implements Fields {
  readonly buffer: Uint8Array
  #pos = 0

  constructor (length: number) {
    this.buffer = transientBytes(length)
  }

  get written (): number {
    return this.#pos
  }

  #varint (value: number): void {
    const b = this.buffer
    let pos = this.#pos
    let v = value
    while (v >= 0x80) {
      b[pos++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    b[pos++] = v
    this.#pos = pos
  }

  bytes (field: number, value: Uint8Array | undefined): void {
    if (value == null || value.byteLength === 0) return
    this.buffer[this.#pos++] = tag(field, LENGTH_DELIMITED)
    this.#varint(value.byteLength)
    this.buffer.set(value, this.#pos)
    this.#pos += value.byteLength
  }

  uint32 (field: number, value: number | undefined): void {
    if (value == null || value === 0) return
    this.buffer[this.#pos++] = tag(field, VARINT)
    this.#varint(value >>> 0)
  }

  optionalUint32 (field: number, value: number | undefined): void {
    if (value == null) return
    this.buffer[this.#pos++] = tag(field, VARINT)
    this.#varint(value >>> 0)
  }

  uint64 (field: number, value: number | undefined): void {
    if (value == null || value === 0) return
    this.buffer[this.#pos++] = tag(field, VARINT)
    this.#varint(value)
  }

  bool (field: number, value: boolean | undefined): void {
    if (value !== true) return
    this.buffer[this.#pos++] = tag(field, VARINT)
    this.buffer[this.#pos++] = 1
  }

  message<T>(field: number, value: T, fields: (f: Fields, value: T) => void): void {
    this.buffer[this.#pos++] = tag(field, LENGTH_DELIMITED)
    this.#varint(lengthOf(value, fields))
    fields(this, value)
  }
}

function x3dhHeader (f: Fields, h: X3dhHeader): void {
  f.bytes(1, h.ephemeralKey)
  f.uint32(2, h.signedPrekeyId)
  f.optionalUint32(3, h.oneTimePrekeyId)
}

function sendChain (f: Fields, s: SendChain): void {
  f.bytes(1, s.chainKey)
  f.uint32(2, s.n)
  f.uint32(3, s.leaf)
  f.bytes(4, s.leafKey)
  f.bytes(5, s.refreshKey)
}

function skippedRefresh (f: Fields, r: SkippedRefresh): void {
  f.uint32(1, r.leaf)
  f.bytes(2, r.refreshKey)
  f.uint64(3, r.storedAt)
}

function receiveStep (f: Fields, s: ReceiveStep): void {
  f.bytes(1, s.theirRatchet)
  f.bytes(2, s.refreshKey)
  f.bytes(3, s.ourPrivate)
  f.uint32(4, s.nextLeaf)
  for (const r of s.skippedRefresh ?? []) f.message(5, r, skippedRefresh)
}

function receiveChain (f: Fields, c: ReceiveChain): void {
  f.bytes(1, c.theirRatchet)
  f.uint32(2, c.leaf)
  f.bytes(3, c.chainKey)
  f.uint32(4, c.n)
}

function skippedKey (f: Fields, k: SkippedKey): void {
  f.bytes(1, k.theirRatchet)
  f.uint32(2, k.leaf)
  f.uint32(3, k.n)
  f.bytes(4, k.messageKey)
  f.uint64(5, k.storedAt)
}

function sessionState (f: Fields, s: SessionState): void {
  f.uint32(1, s.version)
  f.bytes(2, s.rootKey)
  f.bytes(3, s.ourRatchetPublic)
  f.bytes(4, s.ourRatchetPrivate)
  f.bytes(5, s.theirRatchet)
  if (s.send != null) f.message(6, s.send, sendChain)
  for (const step of s.steps ?? []) f.message(7, step, receiveStep)
  for (const chain of s.chains ?? []) f.message(8, chain, receiveChain)
  for (const key of s.skipped ?? []) f.message(9, key, skippedKey)
  f.bytes(10, s.associatedData)
  if (s.pendingX3dh != null) f.message(11, s.pendingX3dh, x3dhHeader)
}

function storedSession (f: Fields, s: StoredSession): void {
  f.uint32(1, s.version)
  f.bytes(2, s.peerIdentityKey)
  f.bytes(3, s.baseKey)
  f.bool(4, s.initiator)
  f.bytes(5, s.ratchet)
}

/** Measured, then written; a mismatch between the two is a bug here, never silently short bytes. */
function encode<T> (value: T, fields: (f: Fields, value: T) => void): Uint8Array {
  const w = new FieldWriter(lengthOf(value, fields))
  fields(w, value)
  if (w.written !== w.buffer.byteLength) throw new Error(`session state encoder: wrote ${w.written} of ${w.buffer.byteLength} bytes`)
  return w.buffer
}

/** The same bytes as `SessionState.encode(state)`. */
export function encodeSessionState (state: SessionState): Uint8Array {
  return encode(state, sessionState)
}

/** The same bytes as `StoredSession.encode(stored)`. */
export function encodeStoredSession (stored: StoredSession): Uint8Array {
  return encode(stored, storedSession)
}
