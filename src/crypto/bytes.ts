import { InvalidInputError } from './errors.js'

/** Throws `InvalidInputError` unless `value` is a Uint8Array (of any length). */
export function expectUint8Array (value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidInputError(`${what}: expected Uint8Array, got ${typeof value}`)
  }
}

/** Throws `InvalidInputError` unless `length` is a byte count: a non-negative safe integer. */
export function expectByteCount (length: unknown, what: string): asserts length is number {
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw new InvalidInputError(`${what}: expected a non-negative integer, got ${String(length)}`)
  }
}

/** Throws `InvalidInputError` unless `value` is a Uint8Array of exactly `length` bytes. */
export function expectBytes (value: unknown, length: number, what: string): asserts value is Uint8Array {
  expectUint8Array(value, what)
  if (value.length !== length) {
    throw new InvalidInputError(`${what}: expected ${length} bytes, got ${value.length}`)
  }
}

export function concatBytes (...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

export function isBytes (value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === length
}

export function startsWith (bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[i] !== prefix[i]) return false
  }
  return true
}

/** Constant-time comparison of two byte strings (length is not secret). */
export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

export function isAllZero (a: Uint8Array): boolean {
  let acc = 0
  for (let i = 0; i < a.length; i++) acc |= a[i]!
  return acc === 0
}

export function toHex (a: Uint8Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex')
}

export function fromHex (hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new InvalidInputError('fromHex: not a hex string')
  }
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

/** Overwrite a secret we own. */
export function wipe (...buffers: Array<Uint8Array | undefined>): void {
  for (const b of buffers) b?.fill(0)
}

const encoder = new TextEncoder()
export function utf8 (s: string): Uint8Array {
  return encoder.encode(s)
}
