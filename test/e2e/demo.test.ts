/**
 * `npm run demo` end to end, so the README's main command cannot rot: the
 * script starts a relay and three agents as CLI processes, runs every step
 * through their HTTP APIs, and must exit 0 having stopped every process it
 * started and removed its temp dir — also when interrupted with SIGINT.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'

const root = join(import.meta.dirname, '../..')

interface Demo {
  proc: ChildProcess
  lines: string[]
  exited: Promise<number | null>
  /** Resolves at the first line (so far or to come) that matches. */
  line(match: RegExp, timeout: number): Promise<string>
}

function runDemo (): Demo {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/demo.ts')], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: string[] = []
  const out = createInterface({ input: proc.stdout! })
  out.on('line', line => lines.push(line))
  createInterface({ input: proc.stderr! }).on('line', line => lines.push(`stderr: ${line}`))
  const exited = new Promise<number | null>(resolve => proc.once('exit', code => { resolve(code) }))
  const line = async (match: RegExp, timeout: number): Promise<string> => {
    const seen = lines.find(l => match.test(l))
    if (seen != null) return seen
    return await new Promise<string>((resolve, reject) => {
      const onLine = (l: string): void => {
        if (!match.test(l)) return
        clearTimeout(timer)
        out.off('line', onLine)
        resolve(l)
      }
      const timer = setTimeout(() => { out.off('line', onLine); reject(new Error(`no line ${String(match)} in ${timeout} ms:\n${lines.join('\n')}`)) }, timeout)
      out.on('line', onLine)
    })
  }
  return { proc, lines, exited, line }
}

/** What the cleanup line says: the pids it stopped and the temp dir it removed. */
function cleanedUp (lines: string[]): { pids: number[], dir: string } {
  const line = lines.find(l => l.startsWith('cleaned up:'))
  expect(line, lines.join('\n')).toBeDefined()
  const match = /pids ([\d ]+)\), (\S+) removed/.exec(line!)!
  return { pids: match[1]!.split(' ').map(Number), dir: match[2]! }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('npm run demo', () => {
  it('runs every step and cleans up', { timeout: 90_000 }, async () => {
    const { lines, exited } = runDemo()
    const code = await exited
    const transcript = lines.join('\n')
    expect(code, transcript).toBe(0)
    for (const expected of [
      /queued \+\d+ ms → .*delivered \+\d+ ms/,
      /bob: message.received \+\d+ ms, verified=true/,
      /relayed \+\d+ ms/,
      /carol starts again: .*message.received at \+\d+ ms/,
      /relayed → delivered/,
      /alice's den.message \+\d+ ms/,
      /bob's den.destroyed \+\d+ ms; GET .* at bob: 404/,
      /X-Agentmsg-Signature sha256=[0-9a-f]{12}… verified/,
      /Every step worked in \d+ ms/
    ]) expect(transcript).toMatch(expected)
    const { pids, dir } = cleanedUp(lines)
    expect(pids).toHaveLength(5)
    expect(pids.filter(alive)).toEqual([])
    expect(existsSync(dir)).toBe(false)
  })

  it('SIGINT while agents start: every process it started stops, its temp dir is removed', { timeout: 60_000 }, async () => {
    const { proc, lines, exited, line } = runDemo()
    // the relay is up and the three agents are starting
    await line(/^\s+relay\s+12D3KooW/, 45_000)
    proc.kill('SIGINT')
    expect(await exited).toBe(130)
    const { pids, dir } = cleanedUp(lines)
    expect(pids).toHaveLength(4)
    expect(pids.filter(alive)).toEqual([])
    expect(existsSync(dir)).toBe(false)
  })
})
