/**
 * Helpers for plaintext keys. Parts of a key are joined with `\0`, which no
 * id may contain, so the keys of one id never fall inside the range of
 * another (`a` and `a/b` would, with `/`). Numbers are zero-padded so that
 * byte order is numeric order.
 */
import { MAX_KEY_PART_LENGTH } from './constants.js'
import { StoreQueryError } from './errors.js'

export const SEP = '\0'
/** The first string after every key that starts with `prefix + SEP`. */
const AFTER_SEP = '\x01'

/** Width of a padded sequence number or millisecond time: Number.MAX_SAFE_INTEGER has 16 digits. */
const NUMBER_WIDTH = 16

export interface KeyRange {
  gt?: string
  gte?: string
  lt?: string
  lte?: string
}

export function joinKey (...parts: string[]): string {
  return parts.join(SEP)
}

/** Every key that starts with `parts.join(SEP) + SEP`. */
export function under (...parts: string[]): { gte: string, lt: string } {
  const prefix = joinKey(...parts)
  return { gte: prefix + SEP, lt: prefix + AFTER_SEP }
}

/** A non-negative safe integer as a fixed-width decimal that sorts as a number. */
export function padNumber (n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new StoreQueryError(`store: expected a non-negative safe integer, got ${String(n)}`)
  return n.toString().padStart(NUMBER_WIDTH, '0')
}

/** A time as a key part; times before the epoch sort as the epoch. */
export function padTime (ms: number): string {
  return padNumber(Math.max(0, Math.floor(ms)))
}

/** Throws `StoreQueryError` unless `value` can be part of a key: a non-empty string without `\0`. */
export function keyPart (value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_PART_LENGTH || value.includes(SEP)) {
    throw new StoreQueryError(`store: ${what} must be a non-empty string of at most ${MAX_KEY_PART_LENGTH} characters without NUL`)
  }
  return value
}

/** The last part of a joined key. */
export function lastPart (key: string): string {
  return key.slice(key.lastIndexOf(SEP) + 1)
}

/** The parts of a joined key. */
export function splitKey (key: string): string[] {
  return key.split(SEP)
}
