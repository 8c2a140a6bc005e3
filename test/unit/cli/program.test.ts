/**
 * The CLI's surface without a running node: every command has --help and
 * --json, every flag an AGENTMSG_* twin, and errors are short lines with a
 * non-zero exit.
 */
import { createServer } from 'node:http'
import { afterAll, describe, expect, it } from 'vitest'
import { buildProgram, main } from '../../../src/cli/program.js'
import { removeTempDirs, tempDir } from '../../integration/helpers.js'
import type { Command } from 'commander'

afterAll(removeTempDirs)

function capture (): { out: string[], err: string[], io: { out(l: string): void, err(l: string): void } } {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } }
}

function leaves (cmd: Command): Command[] {
  return cmd.commands.length === 0 ? [cmd] : cmd.commands.flatMap(leaves)
}

describe('agentmsg CLI', () => {
  const program = buildProgram(capture().io)
  const commands = leaves(program)

  it('has the commands of DESIGN §10', () => {
    const names = program.commands.map(c => c.name())
    for (const name of ['init', 'start', 'id', 'send', 'inbox', 'read', 'conversations', 'requests', 'contacts', 'den', 'verify', 'webhook', 'relay', 'bootstrap', 'history']) {
      expect(names).toContain(name)
    }
    expect(program.commands.find(c => c.name() === 'den')!.commands.map(c => c.name()).sort()).toEqual(['create', 'destroy', 'feed', 'join', 'leave', 'list', 'members', 'post'])
    expect(program.commands.find(c => c.name() === 'history')!.commands.map(c => c.name())).toEqual(['restore'])
  })

  it('every command takes --json and --data-dir; every flag has an AGENTMSG_* twin', () => {
    for (const cmd of commands) {
      const flags = cmd.options.map(o => o.long)
      expect(flags, cmd.name()).toContain('--json')
      expect(flags, cmd.name()).toContain('--data-dir')
      for (const option of cmd.options) {
        expect(option.envVar, `${cmd.name()} ${option.long}`).toBe('AGENTMSG_' + option.long!.slice(2).replaceAll('-', '_').toUpperCase())
      }
    }
    const start = program.commands.find(c => c.name() === 'start')!.options.map(o => o.long)
    for (const flag of ['--listen', '--bootstrap', '--relay', '--use-relay', '--issuer', '--trust-issuer', '--api-port']) expect(start).toContain(flag)
  })

  it('--help works on every command', async () => {
    for (const cmd of commands) {
      const path: string[] = []
      for (let c: Command | null = cmd; c != null && c !== program; c = c.parent) path.unshift(c.name())
      const { out, io } = capture()
      expect(await main(['node', 'agentmsg', ...path, '--help'], io)).toBe(0)
      expect(out.join('\n')).toContain('Usage: agentmsg')
    }
  })

  it('a command without a running node says so and exits 1; bad usage exits 2; not-built capabilities 3', async () => {
    const dir = await tempDir()
    const a = capture()
    expect(await main(['node', 'agentmsg', 'inbox', '--data-dir', dir], a.io)).toBe(1)
    expect(a.err.join('\n')).toMatch(/no running node found/)
    const b = capture()
    expect(await main(['node', 'agentmsg', 'inbox', '--limit', 'many', '--data-dir', dir], b.io)).toBe(2)
    // a relay address must name its peer
    const c = capture()
    expect(await main(['node', 'agentmsg', 'start', '--use-relay', '/ip4/127.0.0.1/tcp/4001', '--data-dir', dir], c.io)).toBe(2)
    expect(c.err.join('\n')).toMatch(/\/p2p\/<peer id>/)
  })

  it('history restore: progress on a terminal from the NDJSON stream, plain JSON with --json', async () => {
    const seen: Array<{ accept?: string, auth?: string }> = []
    const server = createServer((req, res) => {
      seen.push({ accept: req.headers.accept, auth: req.headers.authorization })
      if (req.headers.accept === 'application/x-ndjson') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' })
        res.write('{"restored":1}\n{"restored":2}\n')
        res.end('{"restored":3,"skipped":1,"relays":2}\n')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"restored":3,"skipped":1,"relays":2}')
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const args = ['node', 'agentmsg', 'history', 'restore', '--api-url', `http://127.0.0.1:${port}`, '--api-key', 'amk_k', '--data-dir', await tempDir()]
    try {
      const statuses: Array<string | undefined> = []
      const tty = capture()
      expect(await main(args, { ...tty.io, tty: true, status: (text) => statuses.push(text) })).toBe(0)
      expect(statuses).toEqual(['restoring history from our relays…', 'restoring history from our relays… 1 records', 'restoring history from our relays… 2 records', undefined])
      expect(tty.out).toEqual(['restored 3 records from 2 relays (1 already here or unreadable)'])
      const plain = capture()
      expect(await main([...args, '--json'], { ...plain.io, tty: true, status: () => { throw new Error('no progress with --json') } })).toBe(0)
      expect(JSON.parse(plain.out.join('\n'))).toEqual({ restored: 3, skipped: 1, relays: 2 })
      expect(seen.map(s => s.accept === 'application/x-ndjson')).toEqual([true, false])
      expect(seen.every(s => s.auth === 'Bearer amk_k')).toBe(true)
    } finally {
      await new Promise(resolve => server.close(resolve))
    }
  })
})
