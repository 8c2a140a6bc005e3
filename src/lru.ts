/**
 * A bounded map that forgets the least recently used entry first (a `Map`
 * iterates in insertion order: a hit moves its entry to the end).
 */
export class Lru<V> {
  readonly #entries = new Map<string, V>()
  readonly #size: number

  /** `size`: the most entries kept (at least 1). */
  constructor (size: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`Lru size must be a whole number ≥ 1, got ${size}`)
    this.#size = size
  }

  get (key: string): V | undefined {
    const value = this.#entries.get(key)
    if (value !== undefined) {
      this.#entries.delete(key)
      this.#entries.set(key, value)
    }
    return value
  }

  set (key: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.#size) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
  }

  delete (key: string): void {
    this.#entries.delete(key)
  }

  clear (): void {
    this.#entries.clear()
  }

  get size (): number {
    return this.#entries.size
  }
}
