/** Bytes inside sealed JSON values: base64 strings, checked when read back. */
import { StoreCorruptionError, StoreQueryError } from './errors.js'

export function toBase64 (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** A fresh Uint8Array that owns its memory (Buffer.from may hand out a slice of the shared pool). */
export function fromBase64 (value: unknown, bucket: string, key: string): Uint8Array {
  if (typeof value !== 'string') throw new StoreCorruptionError(bucket, key, 'bytes field is not a string')
  return new Uint8Array(Buffer.from(value, 'base64'))
}

/** Throws `StoreQueryError` unless `value` is a Uint8Array (of `length` bytes when given). */
export function checkBytes (value: unknown, what: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new StoreQueryError(`store: ${what} must be a Uint8Array`)
  if (length !== undefined && value.length !== length) {
    throw new StoreQueryError(`store: ${what}: expected ${length} bytes, got ${value.length}`)
  }
  return value
}
