/**
 * The README's code blocks are what a newcomer will paste: each `ts` block
 * that imports agentmsg runs as written (the package import pointed at src/,
 * its data dirs in a temp dir), so the README can never rot.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const scratch = mkdtempSync(join(root, 'test', '.readme-'))
const dataRoot = mkdtempSync(join(tmpdir(), 'agentmsg-readme-'))
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
  rmSync(dataRoot, { recursive: true, force: true })
})

const readme = readFileSync(join(root, 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]!).filter(code => code.includes("from 'agentmsg'"))

describe('README', { timeout: 60_000 }, () => {
  it('has runnable examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2)
  })

  it.each(blocks.map((code, i) => [i, code] as const))('example %i runs as written', async (i, code) => {
    const source = code
      .replace(/from 'agentmsg'/g, `from ${JSON.stringify(pathToFileURL(join(root, 'src/index.ts')).href)}`)
      .replace(/'\.\/data\//g, `'${dataRoot}/${i}/`) +
      '\nexport const done = true\n'
    const file = join(scratch, `example-${i}.ts`)
    writeFileSync(file, source)
    const module = await import(pathToFileURL(file).href) as { done: boolean }
    expect(module.done).toBe(true)
  })
})
