/** Bounds of query arguments, checked where they enter. */
import { DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT } from './constants.js'
import { StoreQueryError } from './errors.js'

/** A page size: an integer in 1..MAX_QUERY_LIMIT, DEFAULT_QUERY_LIMIT when absent. */
export function checkLimit (limit: unknown): number {
  if (limit === undefined) return DEFAULT_QUERY_LIMIT
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new StoreQueryError(`store: limit must be an integer in 1..${MAX_QUERY_LIMIT}, got ${String(limit)}`)
  }
  return limit
}

/** An offset: a non-negative safe integer, 0 when absent. */
export function checkOffset (offset: unknown): number {
  if (offset === undefined) return 0
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new StoreQueryError(`store: offset must be a non-negative integer, got ${String(offset)}`)
  }
  return offset
}

/** A time in ms since the epoch. */
export function checkTime (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new StoreQueryError(`store: ${what} must be a finite number (ms since the epoch), got ${typeof value}`)
  }
  return value
}

export function checkOptionalString (value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new StoreQueryError(`store: ${what} must be a string`)
  return value
}
