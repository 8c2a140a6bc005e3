import { describe, expect, it } from 'vitest'
import { MAX_SLAB_ALLOCATION, SLAB_BYTES, concatTransient, transientBytes, transientUtf8 } from '../../../src/crypto/transient-bytes.js'

const encoder = new TextEncoder()

describe('transient bytes', () => {
  it('hands out zeroed, 8-aligned plain Uint8Arrays whose slice() copies', () => {
    for (const length of [0, 1, 7, 65, 500, MAX_SLAB_ALLOCATION]) {
      const bytes = transientBytes(length)
      expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype)
      expect(bytes.length).toBe(length)
      expect(bytes.byteOffset % 8).toBe(0)
      expect(bytes.every(b => b === 0)).toBe(true)
      bytes.fill(0xaa)
      const copy = bytes.slice()
      expect(copy.buffer.byteLength).toBe(length)
      copy.fill(1)
      expect(bytes.every(b => b === 0xaa)).toBe(true)
    }
  })

  it('never hands out the same bytes twice, across slabs', () => {
    const taken: Uint8Array[] = []
    let total = 0
    // three slabs' worth of odd sizes: regions roll over into new slabs
    for (let i = 0; total < 3 * SLAB_BYTES; i++) {
      const bytes = transientBytes(97 + (i % 13) * 37)
      expect(bytes.every(b => b === 0)).toBe(true)
      bytes.fill(i % 255 + 1)
      taken.push(bytes)
      total += bytes.length
    }
    const slabs = new Set(taken.map(b => b.buffer))
    expect(slabs.size).toBeGreaterThanOrEqual(3)
    for (const [i, bytes] of taken.entries()) expect(bytes.every(b => b === i % 255 + 1)).toBe(true)
    for (const bytes of taken) expect(bytes.byteOffset + bytes.length).toBeLessThanOrEqual(SLAB_BYTES)
  })

  it('gives a request past the bound memory of its own', () => {
    const big = transientBytes(MAX_SLAB_ALLOCATION + 1)
    expect(big.byteOffset).toBe(0)
    expect(big.buffer.byteLength).toBe(MAX_SLAB_ALLOCATION + 1)
    const edge = transientBytes(MAX_SLAB_ALLOCATION)
    expect(edge.buffer.byteLength).toBe(SLAB_BYTES)
  })

  it('encodes UTF-8 as TextEncoder does, keeping only the bytes written', () => {
    const strings = [
      '', 'a', '{"status":"queued","n":1}', 'é', 'ü'.repeat(100), '日本語のテキスト', '🦊 fox', '\ud800 lone', 'x\udc00',
      'a'.repeat(MAX_SLAB_ALLOCATION / 3), '日'.repeat(MAX_SLAB_ALLOCATION / 3), 'a'.repeat(MAX_SLAB_ALLOCATION / 3 + 1)
    ]
    for (const s of strings) {
      const before = transientBytes(8)
      const bytes = transientUtf8(s)
      expect(Buffer.from(bytes).equals(Buffer.from(encoder.encode(s)))).toBe(true)
      // the next region starts right after what was written, not after the worst case
      const after = transientBytes(8)
      if (after.buffer === bytes.buffer && bytes.buffer === before.buffer) {
        expect(after.byteOffset).toBe(bytes.byteOffset + Math.ceil(bytes.length / 8) * 8)
      }
    }
    // at the bound (3 bytes a code unit, at worst): the slab; past it, its own memory
    expect(transientUtf8('a'.repeat(MAX_SLAB_ALLOCATION / 3)).buffer.byteLength).toBe(SLAB_BYTES)
    expect(transientUtf8('a'.repeat(MAX_SLAB_ALLOCATION / 3 + 1)).byteOffset).toBe(0)
  })

  it('concatenates', () => {
    const out = concatTransient(Uint8Array.of(1, 2), Uint8Array.of(3))
    expect([...out]).toEqual([1, 2, 3])
    expect([...concatTransient(Uint8Array.of(4), new Uint8Array(0), Uint8Array.of(5, 6))]).toEqual([4, 5, 6])
    expect(concatTransient(new Uint8Array(0), new Uint8Array(0)).length).toBe(0)
    expect(concatTransient().length).toBe(0)
  })
})
