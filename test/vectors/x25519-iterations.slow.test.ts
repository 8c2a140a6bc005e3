/**
 * RFC 7748 §5.2 iterated X25519 test, 1 000 000 iterations (the 1 and 1 000 iteration cases run
 * in x25519.test.ts). Source: rfc/rfc7748_x25519.json (RFC 7748 §5.2; the 1 000 000 result
 * recomputed locally, see the vectors README).
 *
 * Slow project only (`npm run test:slow`). Measured on the dev box: native ~130 s (every
 * iteration imports a new private key). The noble path (~1 030 s here) is not run: it is
 * held byte-identical to native by test/unit/crypto/primitives.test.ts and passes the 1 and
 * 1 000 iteration cases.
 */
import { describe, expect, it } from 'vitest'
import { nativePrimitives } from '../../src/crypto/native.js'
import { hex, iterateX25519, loadVectors } from './vectors.js'

interface Rfc7748 {
  iterated: Array<{ iterations: number, output: string }>
}

const million = loadVectors<Rfc7748>('rfc/rfc7748_x25519.json').iterated.find(t => t.iterations === 1_000_000)
const minute = 60_000

describe('X25519, RFC 7748 §5.2 after 1 000 000 iterations', () => {
  it('has the case', () => {
    expect(million).toBeDefined()
  })

  it('native', { timeout: 10 * minute }, () => {
    expect(iterateX25519(nativePrimitives.x25519, 1_000_000)).toEqual(hex(million!.output))
  })
})
