import { describe, expect, it } from 'vitest'
import { equalBytes, expectBytes, fromHex, isBytes, startsWith, toHex } from '../../../src/crypto/bytes.js'
import { thrownName } from './fixtures.js'

describe('byte helpers', () => {
  it('startsWith is false for input shorter than the prefix', () => {
    expect(startsWith(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2))).toBe(true)
    expect(startsWith(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false)
    expect(startsWith(Uint8Array.of(1, 3), Uint8Array.of(1, 2))).toBe(false)
    expect(startsWith(new Uint8Array(0), new Uint8Array(0))).toBe(true)
  })

  it('equalBytes and isBytes check lengths', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true)
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false)
    expect(isBytes(new Uint8Array(32), 32)).toBe(true)
    expect(isBytes(new Uint8Array(31), 32)).toBe(false)
    expect(isBytes('x'.repeat(32), 32)).toBe(false)
  })

  it('expectBytes and fromHex refuse bad input with InvalidInputError', () => {
    expect(thrownName(() => expectBytes(new Uint8Array(31), 32, 'key'))).toBe('InvalidInputError')
    expect(thrownName(() => expectBytes([1, 2], 2, 'key'))).toBe('InvalidInputError')
    expect(thrownName(() => fromHex('abc'))).toBe('InvalidInputError')
    expect(thrownName(() => fromHex('zz'))).toBe('InvalidInputError')
    expect(toHex(fromHex('00ff'))).toBe('00ff')
  })
})
