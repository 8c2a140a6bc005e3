import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { removeTempDirs, tempDir } from '../temp-dirs.js'

describe('test temp dirs', () => {
  it('makes fresh directories under the OS temp dir and removes all of them, contents included', async () => {
    const a = await tempDir()
    const b = await tempDir('agentmsg-other-')
    expect(a).not.toBe(b)
    expect(dirname(a)).toBe(tmpdir())
    expect(basename(a)).toMatch(/^agentmsg-test-/)
    expect(basename(b)).toMatch(/^agentmsg-other-/)
    await writeFile(join(a, 'identity'), 'x', { mode: 0o600 })

    await removeTempDirs()
    expect(existsSync(a)).toBe(false)
    expect(existsSync(b)).toBe(false)
    // nothing left to remove: a second call is a no-op
    await removeTempDirs()
  })

  it('removes a directory that is already gone without failing', async () => {
    const a = await tempDir()
    await removeTempDirs()
    const b = await tempDir()
    await removeTempDirs()
    expect(existsSync(a)).toBe(false)
    expect(existsSync(b)).toBe(false)
  })
})
