/**
 * The schedule on which a den control that could not be queued for a member
 * is tried again (DenManager's #sendControl): its doubling, its cap and its
 * last attempt.
 */
import { describe, expect, it } from 'vitest'
import { CONTROL_ATTEMPTS, controlRetryDelay } from '../../../src/node/dens.js'

describe('den control retries', () => {
  it('double from 1 s, capped at 60 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(controlRetryDelay)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000])
    expect(controlRetryDelay(CONTROL_ATTEMPTS - 1)).toBe(60_000)
  })

  it(`stop after attempt ${CONTROL_ATTEMPTS}, the last one 363 s after the first`, () => {
    expect(CONTROL_ATTEMPTS).toBe(12)
    expect(controlRetryDelay(CONTROL_ATTEMPTS)).toBeUndefined()
    expect(controlRetryDelay(CONTROL_ATTEMPTS + 1)).toBeUndefined()
    const total = Array.from({ length: CONTROL_ATTEMPTS - 1 }, (_, i) => controlRetryDelay(i + 1)!).reduce((a, b) => a + b, 0)
    expect(total).toBe(363_000)
  })

  it('schedule nothing for a nonsense attempt number', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) expect(controlRetryDelay(bad)).toBeUndefined()
  })
})
