/**
 * The API key: 32 random bytes, base64url, in `<data-dir>/api-key` (0600)
 * so the local CLI can use it. Compared in constant time; never logged.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { open, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'

export const API_KEY_FILE = 'api-key'
const PREFIX = 'amk_'

export function generateApiKey (): string {
  return PREFIX + randomBytes(32).toString('base64url')
}

export function apiKeyPath (dataDir: string): string {
  return join(dataDir, API_KEY_FILE)
}

/** The key in the data dir, or undefined when there is none yet. */
export async function readApiKey (dataDir: string): Promise<string | undefined> {
  try {
    const key = (await readFile(apiKeyPath(dataDir), 'utf8')).trim()
    return key.length > 0 ? key : undefined
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Write (or replace) the key file, mode 0600, atomically. */
export async function writeApiKey (dataDir: string, key: string): Promise<void> {
  const file = apiKeyPath(dataDir)
  const tmp = `${file}.${process.pid}.tmp`
  const handle = await open(tmp, 'w', 0o600)
  try {
    await handle.writeFile(key + '\n')
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(tmp, file)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw err
  }
}

function digest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** The current key: checks a presented one, and replaces it (and its file, when there is one). */
export class ApiKeys {
  #digest: Buffer
  readonly #dataDir: string | undefined

  /** `dataDir`: where `regenerate` writes the new key; in memory only without it. */
  constructor (key: string, dataDir?: string) {
    this.#digest = digest(key)
    this.#dataDir = dataDir
  }

  verify (presented: string | undefined): boolean {
    if (presented == null || presented.length === 0) return false
    return timingSafeEqual(digest(presented), this.#digest)
  }

  async regenerate (): Promise<string> {
    const key = generateApiKey()
    if (this.#dataDir != null) await writeApiKey(this.#dataDir, key)
    this.#digest = digest(key)
    return key
  }
}
