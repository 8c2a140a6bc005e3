/**
 * Sessions between two agents through the node's session manager, with
 * storage in memory: simultaneous starts, re-initiation and late messages.
 */
import { describe, expect, it } from 'vitest'
import { Identity, generateSignedPrekey, nativePrimitives as prims } from '../../../src/crypto/index.js'
import { SessionManager } from '../../../src/node/session-manager.js'
import type { PrekeyBundle } from '../../../src/crypto/index.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

interface Agent {
  name: string
  identity: Identity
  manager: SessionManager
  storage: Map<string, Uint8Array>
  bundle: PrekeyBundle
}

function agent (name: string, bundles: Map<string, PrekeyBundle>): Agent {
  const identity = Identity.generate(prims)
  const spk = generateSignedPrekey(prims, identity, 1)
  const storage = new Map<string, Uint8Array>()
  const manager = new SessionManager({
    prims,
    identity,
    storage: { get: async (key) => storage.get(key) },
    bundle: async (peer) => bundles.get(peer)!,
    prekeys: async () => ({ signedPrekey: id => id === spk.id ? spk : undefined, oneTimePrekey: () => undefined, consumeOneTimePrekey: () => {} })
  })
  const bundle = { identityKey: identity.publicKey, signedPrekey: spk }
  bundles.set(name, bundle)
  return { name, identity, manager, storage, bundle }
}

async function seal (from: Agent, to: Agent, content: string): Promise<Uint8Array> {
  return await from.manager.sealMany(to.name, [{ plaintext: text(content), sentAt: Date.now() }], async (sealed, session) => {
    from.storage.set(to.name, session)
    return sealed[0]!.envelope
  })
}

async function open (at: Agent, from: Agent, wire: Uint8Array): Promise<string> {
  return await at.manager.open(from.name, at.manager.verify(wire), async (opened) => {
    for (const [key, bytes] of opened.writes) {
      if (bytes == null) at.storage.delete(key)
      else at.storage.set(key, bytes)
    }
    return str(opened.plaintext)
  })
}

function pair (): { a: Agent, b: Agent } {
  const bundles = new Map<string, PrekeyBundle>()
  return { a: agent('a', bundles), b: agent('b', bundles) }
}

describe('session manager', () => {
  it('two agents that start a session at the same time end up on one, and nothing is lost', async () => {
    for (const order of ['a-first', 'b-first'] as const) {
      const { a, b } = pair()
      const fromA = [await seal(a, b, 'a1'), await seal(a, b, 'a2')]
      const fromB = [await seal(b, a, 'b1'), await seal(b, a, 'b2')]
      if (order === 'a-first') {
        for (const [i, w] of fromA.entries()) expect(await open(b, a, w)).toBe(`a${i + 1}`)
        for (const [i, w] of fromB.entries()) expect(await open(a, b, w)).toBe(`b${i + 1}`)
      } else {
        for (const [i, w] of fromB.entries()) expect(await open(a, b, w)).toBe(`b${i + 1}`)
        for (const [i, w] of fromA.entries()) expect(await open(b, a, w)).toBe(`a${i + 1}`)
      }
      // and the conversation goes on, both ways, many times
      for (let i = 0; i < 5; i++) {
        expect(await open(b, a, await seal(a, b, `x${i}`))).toBe(`x${i}`)
        expect(await open(a, b, await seal(b, a, `y${i}`))).toBe(`y${i}`)
      }
      expect(a.manager.x3dhInitiated + b.manager.x3dhInitiated).toBe(2)
    }
  })

  it('late first messages of the losing session still open after the winner is chosen', async () => {
    const { a, b } = pair()
    const fromA = await seal(a, b, 'a1')
    const fromB = await seal(b, a, 'b1')
    expect(await open(a, b, fromB)).toBe('b1')
    const replyA = await seal(a, b, 'a-reply')
    expect(await open(b, a, replyA)).toBe('a-reply')
    expect(await open(b, a, fromA)).toBe('a1')
    expect(await open(a, b, await seal(b, a, 'b2'))).toBe('b2')
    expect(await open(b, a, await seal(a, b, 'a2'))).toBe('a2')
  })

  it('a peer that lost its state starts again and its new session wins', async () => {
    const { a, b } = pair()
    expect(await open(b, a, await seal(a, b, 'hello'))).toBe('hello')
    expect(await open(a, b, await seal(b, a, 'hi'))).toBe('hi')
    // A loses everything and starts a new session with B
    const bundles = new Map([['b', b.bundle]])
    const reborn: Agent = { ...agent('a', bundles), identity: a.identity }
    const fresh = new SessionManager({
      prims,
      identity: a.identity,
      storage: { get: async () => undefined },
      bundle: async () => b.bundle,
      prekeys: async () => { throw new Error('unused') }
    })
    reborn.manager = fresh
    reborn.storage = new Map()
    expect(await open(b, reborn, await seal(reborn, b, 'again'))).toBe('again')
    expect(await open(reborn, b, await seal(b, reborn, 'welcome back'))).toBe('welcome back')
  })

  it('survives a restart between the two starts (sessions come back from storage)', async () => {
    const { a, b } = pair()
    const fromA = await seal(a, b, 'a1')
    const fromB = await seal(b, a, 'b1')
    expect(await open(a, b, fromB)).toBe('b1')
    a.manager.clear()
    b.manager.clear()
    expect(await open(b, a, fromA)).toBe('a1')
    expect(await open(a, b, await seal(b, a, 'b2'))).toBe('b2')
    expect(await open(b, a, await seal(a, b, 'a2'))).toBe('a2')
  })
})
