/**
 * The README's library example is code a newcomer will paste: run it as written
 * (with the package import pointed at src/) so it can never rot.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const dir = mkdtempSync(join(root, 'test', '.readme-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

describe('README', () => {
  it('library example runs as written', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const block = /## Library example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBeDefined()
    const source = block!.replace(/from 'agentmsg'/g, `from ${JSON.stringify(pathToFileURL(join(root, 'src/index.ts')).href)}`) +
      '\nexport const result = { plaintext: new TextDecoder().decode(plaintext), saved: saved.length }\n'
    const file = join(dir, 'example.ts')
    writeFileSync(file, source)
    const { result } = await import(pathToFileURL(file).href) as { result: { plaintext: string, saved: number } }
    expect(result.plaintext).toBe('hello bob')
    expect(result.saved).toBeGreaterThan(0)
  })
})
