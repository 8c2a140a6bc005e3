/**
 * `SessionState` and `StoredSession` (session-state.proto) encoded by hand,
 * to the bytes protons' generated encoders write (a test checks that on
 * random states): the size first, then one buffer.
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

/** Bytes of one field: tag, length when delimited, value. Zero when protons would leave it out. */
const size = {
  bytes (b: Uint8Array | undefined): number {
    return b == null || b.byteLength === 0 ? 0 : 1 + varintLength(b.byteLength) + b.byteLength
  },
  uint32 (v: number | undefined): number {
    return v == null || v === 0 ? 0 : 1 + varintLength(v >>> 0)
  },
  /** an `optional uint32`: written when present, 0 included */
  optionalUint32 (v: number | undefined): number {
    return v == null ? 0 : 1 + varintLength(v >>> 0)
  },
  uint64 (what: string, v: number | undefined): number {
    return v == null || v === 0 ? 0 : 1 + varintLength(checkUint64(what, v))
  },
  message (length: number): number {
    return 1 + varintLength(length) + length
  }
}

function x3dhHeaderLength (h: X3dhHeader): number {
  return size.bytes(h.ephemeralKey) + size.uint32(h.signedPrekeyId) + size.optionalUint32(h.oneTimePrekeyId)
}

function sendChainLength (s: SendChain): number {
  return size.bytes(s.chainKey) + size.uint32(s.n) + size.uint32(s.leaf) + size.bytes(s.leafKey) + size.bytes(s.refreshKey)
}

function skippedRefreshLength (r: SkippedRefresh): number {
  return size.uint32(r.leaf) + size.bytes(r.refreshKey) + size.uint64('storedAt', r.storedAt)
}

function receiveStepLength (s: ReceiveStep): number {
  let length = size.bytes(s.theirRatchet) + size.bytes(s.refreshKey) + size.bytes(s.ourPrivate) + size.uint32(s.nextLeaf)
  for (const r of s.skippedRefresh ?? []) length += size.message(skippedRefreshLength(r))
  return length
}

function receiveChainLength (c: ReceiveChain): number {
  return size.bytes(c.theirRatchet) + size.uint32(c.leaf) + size.bytes(c.chainKey) + size.uint32(c.n)
}

function skippedKeyLength (k: SkippedKey): number {
  return size.bytes(k.theirRatchet) + size.uint32(k.leaf) + size.uint32(k.n) + size.bytes(k.messageKey) + size.uint64('storedAt', k.storedAt)
}

function sessionStateLength (s: SessionState): number {
  let length = size.uint32(s.version) + size.bytes(s.rootKey) + size.bytes(s.ourRatchetPublic) +
    size.bytes(s.ourRatchetPrivate) + size.bytes(s.theirRatchet)
  if (s.send != null) length += size.message(sendChainLength(s.send))
  for (const step of s.steps ?? []) length += size.message(receiveStepLength(step))
  for (const chain of s.chains ?? []) length += size.message(receiveChainLength(chain))
  for (const key of s.skipped ?? []) length += size.message(skippedKeyLength(key))
  length += size.bytes(s.associatedData)
  if (s.pendingX3dh != null) length += size.message(x3dhHeaderLength(s.pendingX3dh))
  return length
}

function storedSessionLength (s: StoredSession): number {
  return size.uint32(s.version) + size.bytes(s.peerIdentityKey) + size.bytes(s.baseKey) +
    (s.initiator === true ? 2 : 0) + size.bytes(s.ratchet)
}

/** Writes fields into a buffer sized by the functions above. */
class FieldWriter {
  readonly buffer: Uint8Array
  #pos = 0

  constructor (length: number) {
    this.buffer = transientBytes(length)
  }

  get written (): number {
    return this.#pos
  }

  varint (value: number): void {
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
    this.varint(value.byteLength)
    this.buffer.set(value, this.#pos)
    this.#pos += value.byteLength
  }

  uint32 (field: number, value: number | undefined): void {
    if (value == null || value === 0) return
    this.buffer[this.#pos++] = tag(field, VARINT)
    this.varint(value >>> 0)
  }

  optionalUint32 (field: number, value: number | undefined): void {
    if (value == null) return
    this.buffer[this.#pos++] = tag(field, VARINT)
    this.varint(value >>> 0)
  }

  /** checked while sizing */
  uint64 (field: number, value: number | undefined): void {
    if (value == null || value === 0) return
    this.buffer[this.#pos++] = tag(field, VARINT)
    this.varint(value)
  }

  bool (field: number, value: boolean | undefined): void {
    if (value !== true) return
    this.buffer[this.#pos++] = tag(field, VARINT)
    this.buffer[this.#pos++] = 1
  }

  /** a message field's tag and length; its fields follow */
  message (field: number, length: number): void {
    this.buffer[this.#pos++] = tag(field, LENGTH_DELIMITED)
    this.varint(length)
  }
}

function writeX3dhHeader (w: FieldWriter, h: X3dhHeader): void {
  w.bytes(1, h.ephemeralKey)
  w.uint32(2, h.signedPrekeyId)
  w.optionalUint32(3, h.oneTimePrekeyId)
}

function writeSendChain (w: FieldWriter, s: SendChain): void {
  w.bytes(1, s.chainKey)
  w.uint32(2, s.n)
  w.uint32(3, s.leaf)
  w.bytes(4, s.leafKey)
  w.bytes(5, s.refreshKey)
}

function writeReceiveStep (w: FieldWriter, s: ReceiveStep): void {
  w.bytes(1, s.theirRatchet)
  w.bytes(2, s.refreshKey)
  w.bytes(3, s.ourPrivate)
  w.uint32(4, s.nextLeaf)
  for (const r of s.skippedRefresh ?? []) {
    w.message(5, skippedRefreshLength(r))
    w.uint32(1, r.leaf)
    w.bytes(2, r.refreshKey)
    w.uint64(3, r.storedAt)
  }
}

function writeReceiveChain (w: FieldWriter, c: ReceiveChain): void {
  w.bytes(1, c.theirRatchet)
  w.uint32(2, c.leaf)
  w.bytes(3, c.chainKey)
  w.uint32(4, c.n)
}

function writeSkippedKey (w: FieldWriter, k: SkippedKey): void {
  w.bytes(1, k.theirRatchet)
  w.uint32(2, k.leaf)
  w.uint32(3, k.n)
  w.bytes(4, k.messageKey)
  w.uint64(5, k.storedAt)
}

/** Checks that the sizing and the writing agreed: a mismatch is a bug here, never silently short bytes. */
function done (w: FieldWriter): Uint8Array {
  if (w.written !== w.buffer.byteLength) throw new Error(`session state encoder: wrote ${w.written} of ${w.buffer.byteLength} bytes`)
  return w.buffer
}

/** The same bytes as `SessionState.encode(state)`. */
export function encodeSessionState (state: SessionState): Uint8Array {
  const w = new FieldWriter(sessionStateLength(state))
  w.uint32(1, state.version)
  w.bytes(2, state.rootKey)
  w.bytes(3, state.ourRatchetPublic)
  w.bytes(4, state.ourRatchetPrivate)
  w.bytes(5, state.theirRatchet)
  if (state.send != null) {
    w.message(6, sendChainLength(state.send))
    writeSendChain(w, state.send)
  }
  for (const step of state.steps ?? []) {
    w.message(7, receiveStepLength(step))
    writeReceiveStep(w, step)
  }
  for (const chain of state.chains ?? []) {
    w.message(8, receiveChainLength(chain))
    writeReceiveChain(w, chain)
  }
  for (const key of state.skipped ?? []) {
    w.message(9, skippedKeyLength(key))
    writeSkippedKey(w, key)
  }
  w.bytes(10, state.associatedData)
  if (state.pendingX3dh != null) {
    w.message(11, x3dhHeaderLength(state.pendingX3dh))
    writeX3dhHeader(w, state.pendingX3dh)
  }
  return done(w)
}

/** The same bytes as `StoredSession.encode(stored)`. */
export function encodeStoredSession (stored: StoredSession): Uint8Array {
  const w = new FieldWriter(storedSessionLength(stored))
  w.uint32(1, stored.version)
  w.bytes(2, stored.peerIdentityKey)
  w.bytes(3, stored.baseKey)
  w.bool(4, stored.initiator)
  w.bytes(5, stored.ratchet)
  return done(w)
}
