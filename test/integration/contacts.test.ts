/**
 * Trust levels kept by the node, and blocking: a blocked agent is refused by
 * the connection gater before any stream opens, across restarts too.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DM_PROTOCOL } from '../../src/protocols/dm/constants.js'
import { Agents, cardFound } from './agents.js'
import { tempDir } from './helpers.js'

const agents = new Agents()
afterEach(async () => { await agents.stopAll() })

describe('contacts and blocking', () => {
  it('keeps trust levels and aliases; a blocked agent cannot open a stream at all, after a restart too', async () => {
    const { bootstrap } = await agents.network()
    const aliceDir = await tempDir()
    let alice = await agents.start({ bootstrap, dataDir: aliceDir, discoverRelays: 0 })
    const bob = await agents.start({ bootstrap, discoverRelays: 0 })
    const carol = await agents.start({ bootstrap, discoverRelays: 0 })
    await cardFound(bob, alice)
    await bob.send(alice.peerId, { type: 'text', content: 'hello' })
    expect(alice.libp2p.getConnections(bob.libp2p.peerId).length).toBeGreaterThan(0)

    expect(alice.safetyNumber(bob.peerId)).toBe(bob.safetyNumber(alice.peerId))
    await alice.setContact(carol.peerId, { trust: 'trusted', alias: 'carol' })
    await alice.setContact(bob.peerId, { trust: 'blocked' })
    // the open connection is closed at once, and no new one is let in
    expect(alice.libp2p.getConnections(bob.libp2p.peerId)).toEqual([])
    await expect(bob.libp2p.dialProtocol(alice.libp2p.peerId, DM_PROTOCOL, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
    await expect(alice.libp2p.dialProtocol(bob.libp2p.peerId, DM_PROTOCOL, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
    expect(await alice.contacts()).toEqual(expect.arrayContaining([
      expect.objectContaining({ peerId: carol.peerId, trust: 'trusted', alias: 'carol' }),
      expect.objectContaining({ peerId: bob.peerId, trust: 'blocked' })
    ]))

    await agents.stop(alice)
    alice = await agents.start({ bootstrap, dataDir: aliceDir, discoverRelays: 0 })
    expect((await alice.contact(bob.peerId))?.trust).toBe('blocked')
    await expect(bob.libp2p.dialProtocol(alice.libp2p.peerId, DM_PROTOCOL, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
    // let in again
    expect(await alice.removeContact(bob.peerId)).toBe(true)
    const stream = await bob.libp2p.dialProtocol(alice.libp2p.peerId, DM_PROTOCOL, { signal: AbortSignal.timeout(5_000) })
    stream.abort(new Error('test done'))
    await expect(alice.setContact(alice.peerId, { trust: 'trusted' })).rejects.toMatchObject({ name: 'InvalidPeerError' })
  })
})
