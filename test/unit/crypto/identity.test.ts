import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { Identity, peerIdBytesFromPublicKey, publicKeyFromPeerIdBytes } from '../../../src/crypto/identity.js'
import { nativePrimitives as prims } from '../../../src/crypto/native.js'
import { thrownName } from './fixtures.js'

describe('identity', () => {
  it('is the libp2p Ed25519 key: same PeerId bytes, signatures libp2p verifies', async () => {
    const key = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(key)
    const identity = Identity.fromPrivateKey(prims, key.raw)
    expect(identity.peerId).toEqual(peerId.toMultihash().bytes)
    expect(publicKeyFromPeerIdBytes(peerId.toMultihash().bytes)).toEqual(identity.publicKey)
    const message = new TextEncoder().encode('signed by the agent')
    expect(await key.publicKey.verify(message, identity.sign(prims, message))).toBe(true)
  })

  it('round-trips through its seed', () => {
    const identity = Identity.generate(prims)
    expect(Identity.fromPrivateKey(prims, identity.exportSeed()).peerId).toEqual(identity.peerId)
  })

  it('refuses keys of the wrong length or a public half that does not match', () => {
    const identity = Identity.generate(prims)
    const other = Identity.generate(prims)
    expect(thrownName(() => Identity.fromPrivateKey(prims, new Uint8Array(31)))).toBe('InvalidInputError')
    const mismatched = new Uint8Array([...identity.exportSeed(), ...other.publicKey])
    expect(thrownName(() => Identity.fromPrivateKey(prims, mismatched))).toBe('InvalidInputError')
  })

  it('refuses peer id bytes that are not an Ed25519 identity multihash', () => {
    const good = peerIdBytesFromPublicKey(new Uint8Array(32).fill(7))
    expect(publicKeyFromPeerIdBytes(good)).toEqual(new Uint8Array(32).fill(7))
    const rsaLike = good.slice(); rsaLike[3] = 0x00 // KeyType RSA
    expect(thrownName(() => publicKeyFromPeerIdBytes(rsaLike))).toBe('InvalidInputError')
    expect(thrownName(() => publicKeyFromPeerIdBytes(good.subarray(0, 37)))).toBe('InvalidInputError')
  })
})
