/**
 * A store killed with SIGKILL while LevelDB lags behind its journal: every
 * commit that resolved is there when the store opens again, the last ones
 * (queued behind a LevelDB write that never finished) from the journal alone.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import { crashMessage } from './fixtures/store-crash.js'
import { tempDir } from './helpers.js'

const fixture = fileURLToPath(new URL('./fixtures/store-process.ts', import.meta.url))

describe('a store killed mid-write', { timeout: 60_000 }, () => {
  it('keeps every commit that resolved, the last ones replayed from the journal', async () => {
    const dir = await tempDir()
    const storageKey = randomBytes(32)
    const hold = 300
    // one process (not tsx's CLI, which forks): SIGKILL must kill the store itself
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, storageKey.toString('hex'), String(hold)], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise(resolve => child.once('exit', resolve))
    let last = -1
    const lines = createInterface({ input: child.stdout })
    // every line up to the kill: the child may print a few more commits before it lands
    const closed = new Promise(resolve => lines.once('close', resolve))
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('exit', code => { reject(new Error(`store process exited with ${code}`)) })
        lines.on('line', line => {
          last = (JSON.parse(line) as { committed: number }).committed
          if (last === hold) resolve()
        })
      })
    } finally {
      child.kill('SIGKILL')
      await exited
    }
    await closed
    expect(last).toBeGreaterThanOrEqual(hold)
    expect((await stat(join(dir, 'db', 'journal'))).size).toBeGreaterThan(0)

    const store = await openStore({ path: join(dir, 'db'), storageKey })
    try {
      const ids = Array.from({ length: last + 1 }, (_, i) => crashMessage(i).messageId)
      // point reads and range reads (the history index) alike
      for (const i of [0, hold - 1, hold, last]) expect(await store.messages.get(ids[i]!)).toEqual(crashMessage(i))
      const pages: string[] = []
      let before: string | undefined
      for (;;) {
        const page = await store.messages.history('crash', { limit: 100, before })
        pages.unshift(...page.messages.map(m => m.messageId))
        if (!page.hasMore) break
        before = page.messages[0]!.messageId
      }
      // a commit that resolved as the kill landed may be there unprinted: what is there is a prefix, in order
      expect(pages.slice(0, ids.length)).toEqual(ids)
      expect(pages).toEqual(Array.from({ length: pages.length }, (_, i) => crashMessage(i).messageId))
      expect((await store.conversations.get('crash'))?.unreadCount).toBe(pages.length)
      expect((await stat(join(dir, 'db', 'journal'))).size).toBe(0)
    } finally {
      await store.close()
    }
  })
})
