/**
 * Loads the known-answer fixtures of `../shared/vectors/` (see its README for
 * sources and licences). Found from this file first, then from the working
 * directory, so it works from the project root (CI) and from elsewhere;
 * `AGENTMSG_VECTORS` overrides both.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fromHex } from '../../src/crypto/bytes.js'
import { nativePrimitives } from '../../src/crypto/native.js'
import { noblePrimitives } from '../../src/crypto/noble.js'
import { sodiumPrimitives } from '../../src/crypto/sodium.js'
import type { Primitives } from '../../src/crypto/primitives.js'

/**
 * libsodium's Ed25519 (sodium-native is an optional dependency, but this
 * repository's install has it): a missing addon fails the tests instead of
 * leaving the fast path untested.
 */
export function requireSodium (): Primitives {
  const sodium = sodiumPrimitives()
  if (sodium === undefined) throw new Error('sodium-native does not load here: run npm ci')
  return sodium
}

/** Every implementation runs every vector. */
export const implementations: Primitives[] = [nativePrimitives, noblePrimitives, requireSodium()]

function findVectorsDir (): string {
  const candidates = [
    process.env.AGENTMSG_VECTORS,
    fileURLToPath(new URL('../../../shared/vectors/', import.meta.url)),
    resolve(process.cwd(), '../shared/vectors')
  ]
  for (const dir of candidates) {
    if (dir !== undefined && dir !== '' && existsSync(join(dir, 'README.md'))) return dir
  }
  throw new Error(`test vectors not found; looked in ${candidates.filter(Boolean).join(', ')} (set AGENTMSG_VECTORS)`)
}

export const VECTORS_DIR = findVectorsDir()

export function loadVectors<T> (relativePath: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, relativePath), 'utf8')) as T
}

export const hex = fromHex

/** Fields shared by every Wycheproof v1 test case. */
export interface WycheproofCase {
  tcId: number
  comment: string
  flags: string[]
  result: 'valid' | 'invalid' | 'acceptable'
}

export interface WycheproofFile<G> {
  algorithm: string
  numberOfTests: number
  testGroups: G[]
}

/** Cases flattened with their group, for `it.each`. */
export function flatten<G extends { tests: unknown[] }> (file: WycheproofFile<G>): Array<{ group: G, test: G['tests'][number] }> {
  return file.testGroups.flatMap(group => group.tests.map(test => ({ group, test })))
}

/** RFC 7748 §5.2 iterated test: k = u = 9; repeat { r = X25519(k, u); u = k; k = r }; returns k. */
export function iterateX25519 (x25519: (k: Uint8Array, u: Uint8Array) => Uint8Array, iterations: number): Uint8Array {
  let k: Uint8Array = new Uint8Array(32)
  k[0] = 9
  let u: Uint8Array = k.slice()
  for (let i = 0; i < iterations; i++) {
    const r = x25519(k, u)
    u = k
    k = r
  }
  return k
}
