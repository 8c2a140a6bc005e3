import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { fingerprint, safetyNumber } from '../../../src/crypto/index.js'

async function agent (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

describe('safety number', () => {
  it('is the same on both sides, and changes when either identity does', async () => {
    const [alice, bob, mallory] = [await agent(), await agent(), await agent()]
    expect(safetyNumber(alice, bob)).toBe(safetyNumber(bob, alice))
    expect(safetyNumber(alice, bob)).toMatch(/^(\d{5} ){11}\d{5}$/)
    expect(safetyNumber(alice, mallory)).not.toBe(safetyNumber(alice, bob))
    expect(fingerprint(alice)).toMatch(/^(\d{5} ){5}\d{5}$/)
    expect(safetyNumber(alice, bob).split(' ')).toEqual(expect.arrayContaining(fingerprint(bob).split(' ')))
  })
})
