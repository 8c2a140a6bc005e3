import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultPrimitives } from '../../../src/crypto/index.js'
import { openDataDir } from '../../../src/node/data-dir.js'

const dirs: string[] = []
async function freshDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agentmsg-data-dir-'))
  dirs.push(dir)
  return join(dir, 'node')
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map(async d => rm(d, { recursive: true, force: true })))
})

describe('openDataDir', () => {
  it('creates the identity once and returns the same PeerId on every open', async () => {
    const path = await freshDir()
    const first = await openDataDir(path)
    const second = await openDataDir(path)
    expect(peerIdFromPrivateKey(second.privateKey).equals(peerIdFromPrivateKey(first.privateKey))).toBe(true)
    expect(second.identity.peerId).toEqual(first.identity.peerId)
    expect(second.storageKey).toEqual(first.storageKey)
    expect(first.storePath).toBe(join(path, 'store'))
    expect(first.datastorePath).toBe(join(path, 'datastore'))
  })

  it('makes the crypto identity from the libp2p key', async () => {
    const dir = await openDataDir(await freshDir())
    expect(dir.identity.peerId).toEqual(peerIdFromPrivateKey(dir.privateKey).toMultihash().bytes)
    // storage key = HKDF-SHA256(seed, 32 zero bytes, "agentmsg/v1/storage", 32)
    const prims = defaultPrimitives()
    const expected = prims.hkdf(dir.privateKey.raw.slice(0, 32), new Uint8Array(32), new TextEncoder().encode('agentmsg/v1/storage'), 32)
    expect(dir.storageKey).toEqual(expected)
  })

  it('writes the key file 0600 in a 0700 directory', async () => {
    const path = await freshDir()
    await openDataDir(path)
    expect((await stat(join(path, 'identity'))).mode & 0o777).toBe(0o600)
    expect((await stat(path)).mode & 0o777).toBe(0o700)
  })

  it('tightens a key file that others can read', async () => {
    const path = await freshDir()
    await openDataDir(path)
    await chmod(join(path, 'identity'), 0o644)
    await openDataDir(path)
    expect((await stat(join(path, 'identity'))).mode & 0o777).toBe(0o600)
  })

  it('encrypts the key under a passphrase and opens it again with it', async () => {
    const path = await freshDir()
    const first = await openDataDir(path, { passphrase: 'correct horse battery staple' })
    const file = new Uint8Array(await readFile(join(path, 'identity')))
    expect(new TextDecoder().decode(file.subarray(0, 4))).toBe('AMK1')
    // the protobuf key must not appear in the clear
    expect(Buffer.from(file).includes(Buffer.from(first.privateKey.raw.subarray(0, 32)))).toBe(false)
    const second = await openDataDir(path, { passphrase: 'correct horse battery staple' })
    expect(second.identity.peerId).toEqual(first.identity.peerId)
  })

  it('refuses a wrong or missing passphrase with IdentityLockedError', async () => {
    const path = await freshDir()
    await openDataDir(path, { passphrase: 'right' })
    await expect(openDataDir(path, { passphrase: 'wrong' })).rejects.toMatchObject({ name: 'IdentityLockedError' })
    await expect(openDataDir(path)).rejects.toMatchObject({ name: 'IdentityLockedError' })
  })

  it('refuses an encrypted file whose header was changed', async () => {
    const path = await freshDir()
    await openDataDir(path, { passphrase: 'pw' })
    const file = new Uint8Array(await readFile(join(path, 'identity')))
    file[10]! ^= 1 // a salt byte: authenticated as associated data
    await writeFile(join(path, 'identity'), file, { mode: 0o600 })
    await expect(openDataDir(path, { passphrase: 'pw' })).rejects.toMatchObject({ name: 'IdentityLockedError' })
  })

  it('refuses a corrupt or truncated file with IdentityFileError', async () => {
    const path = await freshDir()
    await openDataDir(path)
    await writeFile(join(path, 'identity'), new Uint8Array([1, 2, 3, 4, 5]), { mode: 0o600 })
    await expect(openDataDir(path)).rejects.toMatchObject({ name: 'IdentityFileError' })

    const encrypted = await freshDir()
    await openDataDir(encrypted, { passphrase: 'pw' })
    const file = new Uint8Array(await readFile(join(encrypted, 'identity')))
    await writeFile(join(encrypted, 'identity'), file.subarray(0, 40), { mode: 0o600 })
    await expect(openDataDir(encrypted, { passphrase: 'pw' })).rejects.toMatchObject({ name: 'IdentityFileError' })
  })

  it('refuses an encrypted file with an unknown version', async () => {
    const path = await freshDir()
    await openDataDir(path, { passphrase: 'pw' })
    const file = new Uint8Array(await readFile(join(path, 'identity')))
    file[4] = 9
    await writeFile(join(path, 'identity'), file, { mode: 0o600 })
    await expect(openDataDir(path, { passphrase: 'pw' })).rejects.toMatchObject({ name: 'IdentityFileError' })
  })
})
