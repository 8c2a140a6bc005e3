/**
 * Temporary directories for tests, removed after each test file by
 * `test/setup.ts` (registered for every project in vitest.config.ts): a test
 * that forgets to clean up, fails or times out leaves nothing under the OS
 * temp dir. Data dirs hold identities and level databases, so they must not
 * pile up run after run.
 *
 * Kept free of heavy imports: every test file loads it through the setup file.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

/** A fresh directory under the OS temp dir, removed by `removeTempDirs()`. */
export async function tempDir (prefix = 'agentmsg-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

/** Removes every directory `tempDir()` made (so far) in this test file. */
export async function removeTempDirs (): Promise<void> {
  await Promise.all(made.splice(0).map(async d => { await rm(d, { recursive: true, force: true }) }))
}

