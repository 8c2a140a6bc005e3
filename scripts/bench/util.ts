/** What every bench script shares: flags, percentiles, rounding and a cross-process clock. */

/** `--name N`: a positive number (an integer unless `integer` is false), or `fallback` when absent. */
export function flag (args: string[], name: string, fallback: number, integer = true): number {
  const i = args.indexOf(`--${name}`)
  if (i < 0) return fallback
  const value = Number(args[i + 1])
  if (!(integer ? Number.isInteger(value) : Number.isFinite(value)) || value <= 0) {
    throw new Error(`--${name} needs a positive ${integer ? 'integer' : 'number'}`)
  }
  return value
}

/** `--name value`, or undefined when absent. */
export function stringFlag (args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`)
  if (i < 0) return undefined
  const value = args[i + 1]
  if (value == null || value.startsWith('--')) throw new Error(`--${name} needs a value`)
  return value
}

/** The p-th percentile (0..1) of ascending `sorted`. */
export function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

/** ms to three decimals (µs). */
export const ms = (x: number): number => Math.round(x * 1000) / 1000

/** ms since the epoch at sub-microsecond resolution; comparable across processes (the system clock). */
export const wall = (): number => performance.timeOrigin + performance.now()
