/**
 * Property: over any schedule of sends, deliveries (in any order), drops,
 * duplicates and tampered copies, every delivered message opens exactly once
 * with its own plaintext, and nothing else opens. Retention bounds are raised
 * so they never bite here; ratchet-bounds.test.ts tests them at their edges.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { verifyEnvelope } from '../../../src/crypto/envelope.js'
import { nativePrimitives as prims } from '../../../src/crypto/native.js'
import { Session } from '../../../src/crypto/session.js'
import { makeAgent, str, text } from './fixtures.js'

type Side = 'a' | 'b'
type Command =
  | { op: 'send', from: Side }
  | { op: 'deliver', to: Side, pick: number }
  | { op: 'drop', to: Side, pick: number }
  | { op: 'duplicate', to: Side, pick: number }
  | { op: 'tamper', to: Side, pick: number, byte: number }

/** Commands where `from` sends and `to` receives. */
function commands (from: fc.Arbitrary<Side>, to: fc.Arbitrary<Side>): fc.Arbitrary<Command> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('send' as const), from }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('deliver' as const), to, pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), to, pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate' as const), to, pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('tamper' as const), to, pick: fc.nat(), byte: fc.nat() }) }
  )
}
const side = fc.constantFrom<Side>('a', 'b')
const runs = Number(process.env.PROPERTY_RUNS ?? 150)

interface Wire { label: string, bytes: Uint8Array }

describe('ratchet property', () => {
  it('every delivered message opens exactly once and nothing else opens', () => {
    fc.assert(fc.property(fc.array(commands(side, side), { maxLength: 120 }), fc.integer({ min: 1, max: 6 }), check), { numRuns: runs })
  })

  // one way, so refresh chains fill up and complete (chainLength) under reordering, drops and copies
  it('the same when only Alice sends', () => {
    fc.assert(fc.property(fc.array(commands(fc.constant('a'), fc.constant('b')), { maxLength: 120 }), fc.integer({ min: 1, max: 6 }), check), { numRuns: runs })
  })
})

function check (commands: Command[], forceStepAfter: number): void {
  // chainLength: both sides erase a refresh chain once forceStepAfter messages opened on it
  const options = { forceStepAfter, chainLength: forceStepAfter, maxReceiveSteps: 1000, maxReceiveChains: 1000 }
  const alice = makeAgent(prims)
  const bob = makeAgent(prims)
  const sessions: Record<Side, Session | undefined> = { a: Session.initiate(prims, alice.identity, bob.bundle(), options), b: undefined }
  const ids = { a: alice.identity, b: bob.identity }
  const inFlight: Record<Side, Wire[]> = { a: [], b: [] }
  const delivered: Record<Side, Wire[]> = { a: [], b: [] }
  const opened = new Set<string>()
  let counter = 0

  const receive = (to: Side, bytes: Uint8Array): string => {
    const verified = verifyEnvelope(prims, ids[to], bytes)
    const s = sessions[to]
    if (s == null) {
      const { session, plaintext } = Session.accept(prims, bob.identity, bob.prekeys, verified, options)
      sessions.b = session
      return str(plaintext)
    }
    return str(s.open(verified))
  }

  for (const c of commands) {
    if (c.op === 'send') {
      const s = sessions[c.from]
      if (s == null || !s.canSend) continue
      const label = `${c.from}${counter++}`
      inFlight[c.from === 'a' ? 'b' : 'a'].push({ label, bytes: s.seal(text(label)) })
      continue
    }
    const queue = c.op === 'duplicate' ? delivered[c.to] : inFlight[c.to]
    if (queue.length === 0) continue
    const i = c.pick % queue.length
    const wire = queue[i]!
    if (c.op === 'drop') {
      queue.splice(i, 1)
    } else if (c.op === 'deliver') {
      queue.splice(i, 1)
      expect(receive(c.to, wire.bytes)).toBe(wire.label)
      expect(opened.has(wire.label)).toBe(false)
      opened.add(wire.label)
      delivered[c.to].push(wire)
    } else if (c.op === 'duplicate') {
      expect(() => receive(c.to, wire.bytes)).toThrow()
    } else {
      const bytes = wire.bytes.slice()
      bytes[c.byte % bytes.length]! ^= 0x20
      expect(() => receive(c.to, bytes)).toThrow()
    }
  }
  // whatever is still in flight opens now, in any order, exactly once
  for (const to of ['b', 'a'] as const) {
    for (const wire of inFlight[to].reverse()) {
      expect(receive(to, wire.bytes)).toBe(wire.label)
      expect(opened.has(wire.label)).toBe(false)
      opened.add(wire.label)
    }
  }
}
