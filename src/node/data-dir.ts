/**
 * The data directory: the `identity` file (the agent's libp2p Ed25519 key,
 * DESIGN §3) and the paths of the level stores beside it.
 *
 * ```
 * <dir>/            mode 0700
 *   identity        mode 0600: the key, plain or passphrase-encrypted
 *   store/          level: messages, sessions, outbox, … (src/store)
 *     journal       mode 0600: the store's last commits, ahead of LevelDB (src/store/journal.ts)
 *   datastore/      level: libp2p peer store and DHT records
 * ```
 *
 * ## `identity` file format
 *
 * Plain: the libp2p protobuf private key (`privateKeyToProtobuf`), which for
 * Ed25519 starts with the bytes 0x08 0x01.
 *
 * Encrypted (a passphrase was given when the file was created):
 *
 * ```
 * offset  size  field
 * 0       4     magic "AMK1" (0x41 0x4d 0x4b 0x31)
 * 4       1     version = 1
 * 5       1     log2(N) of scrypt (15)
 * 6       1     r of scrypt (8)
 * 7       1     p of scrypt (1)
 * 8       16    scrypt salt
 * 24      12    AES-256-GCM nonce
 * 36      n+16  AES-256-GCM(key = scrypt(NFKC(passphrase) as UTF-8, salt, 32),
 *               plaintext = the protobuf private key, AD = bytes 0..35) || tag
 * ```
 *
 * The header is the associated data, so a changed parameter or salt fails
 * authentication like a wrong passphrase would. The parameters are read from
 * the file, within bounds, so they can be raised later without a new version.
 */
import { scrypt as scryptCallback } from 'node:crypto'
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { logger } from '@libp2p/logger'
import { DecryptError, Identity, defaultPrimitives } from '../crypto/index.js'
import { IdentityFileError, IdentityLockedError } from './errors.js'
import { startsWith } from '../crypto/bytes.js'
import type { Primitives } from '../crypto/index.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'

const log = logger('agentmsg:data-dir')

export const IDENTITY_FILE = 'identity'
export const STORE_DIR = 'store'
export const DATASTORE_DIR = 'datastore'

const MAGIC = Uint8Array.of(0x41, 0x4d, 0x4b, 0x31)
const FILE_VERSION = 1
const HEADER_LENGTH = 36
const SALT_LENGTH = 16
const NONCE_LENGTH = 12
const SCRYPT_LOG2N = 15
const SCRYPT_R = 8
const SCRYPT_P = 1
/** A file asking for more than this is refused rather than allowed to exhaust memory. */
const SCRYPT_MAX_LOG2N = 20
const STORAGE_INFO = new TextEncoder().encode('agentmsg/v1/storage')
const ARCHIVE_INFO = new TextEncoder().encode('agentmsg/v1/archive')

export interface OpenDataDirOptions {
  /**
   * Encrypts a new identity file, and is required to open an encrypted one.
   * An existing plain file stays plain (a warning is logged).
   */
  passphrase?: string
  /**
   * @default defaultPrimitives()
   */
  primitives?: Primitives
}

export interface DataDir {
  path: string
  /** the libp2p key: pass it to `createAgentLibp2p({ privateKey })` */
  privateKey: Ed25519PrivateKey
  /** the same key as our crypto core's identity */
  identity: Identity
  /**
   * 32 bytes for encrypting data at rest:
   * HKDF-SHA256(ikm = identity seed, salt = 32 zero bytes, info = "agentmsg/v1/storage")
   */
  storageKey: Uint8Array
  /**
   * 64 bytes for the history archive kept at relays (encryption key || naming key):
   * HKDF-SHA256(ikm = identity seed, salt = 32 zero bytes, info = "agentmsg/v1/archive").
   * The same identity derives it again on a fresh data dir.
   */
  archiveKey: Uint8Array
  /** level directory for src/store */
  storePath: string
  /** level directory for the libp2p datastore */
  datastorePath: string
}

/**
 * Opens (creating on first use) a data directory. The same directory always
 * yields the same PeerId.
 *
 * @throws IdentityLockedError - the file is encrypted and the passphrase is missing or wrong
 * @throws IdentityFileError - the file is not a key we can read
 */
export async function openDataDir (path: string, options: OpenDataDirOptions = {}): Promise<DataDir> {
  const prims = options.primitives ?? defaultPrimitives()
  await mkdir(path, { recursive: true, mode: 0o700 })
  const file = join(path, IDENTITY_FILE)

  let privateKey: Ed25519PrivateKey
  const existing = await readIdentityFile(file)
  if (existing == null) {
    privateKey = await generateKeyPair('Ed25519')
    await writeIdentityFile(prims, file, privateKey, options.passphrase)
    log('created identity %s', privateKey.publicKey.toString())
  } else {
    privateKey = await decodeIdentityFile(prims, existing, options.passphrase)
  }

  const identity = Identity.fromPrivateKey(prims, privateKey.raw)
  const seed = identity.exportSeed()
  const storageKey = prims.hkdf(seed, new Uint8Array(32), STORAGE_INFO, 32)
  const archiveKey = prims.hkdf(seed, new Uint8Array(32), ARCHIVE_INFO, 64)
  seed.fill(0)

  return {
    path,
    privateKey,
    identity,
    storageKey,
    archiveKey,
    storePath: join(path, STORE_DIR),
    datastorePath: join(path, DATASTORE_DIR)
  }
}

async function readIdentityFile (file: string): Promise<Uint8Array | undefined> {
  let mode: number
  try {
    mode = (await stat(file)).mode
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  if ((mode & 0o077) !== 0) {
    log.error('identity file %s had mode %s; tightening it to 0600', file, (mode & 0o777).toString(8))
    await chmod(file, 0o600)
  }
  return new Uint8Array(await readFile(file))
}

async function decodeIdentityFile (prims: Primitives, bytes: Uint8Array, passphrase: string | undefined): Promise<Ed25519PrivateKey> {
  let protobuf: Uint8Array
  if (startsWith(bytes, MAGIC)) {
    if (passphrase == null) {
      throw new IdentityLockedError('the identity file is encrypted: a passphrase is required')
    }
    protobuf = await decrypt(prims, bytes, passphrase)
  } else {
    if (passphrase != null) {
      log.error('a passphrase was given but the identity file is not encrypted; it stays as it is')
    }
    protobuf = bytes
  }
  try {
    const key = privateKeyFromProtobuf(protobuf)
    if (key.type !== 'Ed25519') {
      throw new IdentityFileError(`identity file: expected an Ed25519 key, got ${key.type}`)
    }
    return key
  } catch (err) {
    if (err instanceof IdentityFileError) throw err
    throw new IdentityFileError('identity file: not a libp2p private key', { cause: err })
  } finally {
    if (protobuf !== bytes) protobuf.fill(0)
  }
}

async function writeIdentityFile (prims: Primitives, file: string, key: Ed25519PrivateKey, passphrase: string | undefined): Promise<void> {
  const protobuf = privateKeyToProtobuf(key)
  const contents = passphrase == null ? protobuf : await encrypt(prims, protobuf, passphrase)
  // write-then-rename so a crash never leaves a half-written key; O_EXCL on
  // the temporary file so two processes starting at once do not interleave
  const tmp = `${file}.${process.pid}.tmp`
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(contents)
    await handle.sync()
  } finally {
    await handle.close()
    protobuf.fill(0)
  }
  try {
    await rename(tmp, file)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw err
  }
}

async function encrypt (prims: Primitives, plaintext: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const header = new Uint8Array(HEADER_LENGTH)
  header.set(MAGIC, 0)
  header[4] = FILE_VERSION
  header[5] = SCRYPT_LOG2N
  header[6] = SCRYPT_R
  header[7] = SCRYPT_P
  header.set(prims.randomBytes(SALT_LENGTH), 8)
  header.set(prims.randomBytes(NONCE_LENGTH), 8 + SALT_LENGTH)
  const key = await deriveKey(passphrase, header)
  try {
    const sealed = prims.aesGcmSeal(key, header.subarray(24, 36), plaintext, header)
    const out = new Uint8Array(HEADER_LENGTH + sealed.length)
    out.set(header, 0)
    out.set(sealed, HEADER_LENGTH)
    return out
  } finally {
    key.fill(0)
  }
}

async function decrypt (prims: Primitives, file: Uint8Array, passphrase: string): Promise<Uint8Array> {
  if (file.length < HEADER_LENGTH + 16) {
    throw new IdentityFileError('identity file: truncated encrypted key')
  }
  const header = file.subarray(0, HEADER_LENGTH)
  if (header[4] !== FILE_VERSION) {
    throw new IdentityFileError(`identity file: unknown encryption version ${header[4]}`)
  }
  const key = await deriveKey(passphrase, header)
  try {
    return prims.aesGcmOpen(key, header.subarray(24, 36), file.subarray(HEADER_LENGTH), header)
  } catch (err) {
    if (err instanceof DecryptError) {
      throw new IdentityLockedError('identity file: wrong passphrase')
    }
    throw err
  } finally {
    key.fill(0)
  }
}

async function deriveKey (passphrase: string, header: Uint8Array): Promise<Uint8Array> {
  const log2N = header[5]!
  const r = header[6]!
  const p = header[7]!
  if (log2N < 10 || log2N > SCRYPT_MAX_LOG2N || r < 1 || r > 32 || p < 1 || p > 16) {
    throw new IdentityFileError('identity file: scrypt parameters out of bounds')
  }
  const N = 2 ** log2N
  const password = new TextEncoder().encode(passphrase.normalize('NFKC'))
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      scryptCallback(password, header.subarray(8, 8 + SALT_LENGTH), 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => {
        if (err != null) reject(err)
        else resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength))
      })
    })
  } finally {
    password.fill(0)
  }
}
