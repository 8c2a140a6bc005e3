import { describe, expect, it } from 'vitest'
import { Lru } from '../../src/lru.js'

describe('Lru', () => {
  it('keeps at most its size, forgetting the least recently used first', () => {
    const lru = new Lru<number>(3)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.set('c', 3)
    expect(lru.size).toBe(3)
    // a hit makes 'a' the most recent: 'b' is now the oldest
    expect(lru.get('a')).toBe(1)
    lru.set('d', 4)
    expect(lru.size).toBe(3)
    expect(lru.get('b')).toBeUndefined()
    expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual([1, 3, 4])
    // setting a key again refreshes it without growing
    lru.set('c', 30)
    lru.set('e', 5)
    expect(lru.size).toBe(3)
    expect(lru.get('a')).toBeUndefined()
    expect([lru.get('c'), lru.get('d'), lru.get('e')]).toEqual([30, 4, 5])
  })

  it('size 1 keeps the last; delete and clear forget', () => {
    const lru = new Lru<string>(1)
    lru.set('a', 'x')
    lru.set('b', 'y')
    expect([lru.get('a'), lru.get('b')]).toEqual([undefined, 'y'])
    lru.delete('b')
    expect(lru.size).toBe(0)
    lru.set('c', 'z')
    lru.clear()
    expect(lru.get('c')).toBeUndefined()
  })

  it('refuses a size that is not a whole number ≥ 1', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => new Lru(size)).toThrow(RangeError)
  })
})
