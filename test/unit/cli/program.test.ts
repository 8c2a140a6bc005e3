/**
 * The CLI's surface without a running node: every command has --help and
 * --json, every flag an AGENTMSG_* twin, and errors are short lines with a
 * non-zero exit.
 */
import { createServer } from 'node:http'
import { describe, expect, it } from 'vitest'
import { buildProgram, main } from '../../../src/cli/program.js'
import { tempDir } from '../../integration/helpers.js'
import type { Command } from 'commander'


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
    expect(program.commands.find(c => c.name() === 'requests')!.commands.map(c => c.name())).toEqual(['list', 'accept', 'decline'])
    expect(program.commands.find(c => c.name() === 'contacts')!.commands.map(c => c.name())).toEqual(['list', 'set', 'remove'])
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
    for (const flag of ['--listen', '--bootstrap', '--relay', '--use-relay', '--issuer', '--trust-issuer', '--inbox-policy', '--dms-per-minute', '--history-reads-per-minute', '--api-port']) expect(start).toContain(flag)
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

  it('a command without a running node says so and exits 1; bad usage exits 2', async () => {
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
    const d = capture()
    expect(await main(['node', 'agentmsg', 'start', '--inbox-policy', 'friends', '--data-dir', dir], d.io)).toBe(2)
    expect(d.err.join('\n')).toMatch(/open, verified, contacts/)
    const e = capture()
    expect(await main(['node', 'agentmsg', 'start', '--dms-per-minute', '0', '--data-dir', dir], e.io)).toBe(2)
    expect(e.err.join('\n')).toMatch(/positive integer/)
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

interface Seen { method: string, url: string, body?: unknown }

/** A stand-in for a node's API: `routes` answers `METHOD /path` with [status, body]; every request is kept in `seen`. */
async function fakeApi (routes: Record<string, [number, unknown?]>): Promise<{ args: string[], seen: Seen[], close(): Promise<void> }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (chunk: Buffer) => { text += chunk.toString() })
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, ...(text.length > 0 ? { body: JSON.parse(text) as unknown } : {}) })
      const [status, body] = routes[`${req.method} ${req.url}`] ?? [404, { error: 'not_found', detail: `no route ${req.method} ${req.url}` }]
      if (body === undefined) res.writeHead(status).end()
      else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    args: ['--api-url', `http://127.0.0.1:${port}`, '--api-key', 'amk_k', '--data-dir', await tempDir()],
    seen,
    close: async () => { await new Promise(resolve => server.close(resolve)) }
  }
}

const CAROL = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const DAVE = '12D3KooWHFrmLWTTDD4NodngtRMEVYgxrsDMp4F9brTUhfvT7D2q'

describe('requests and contacts', () => {
  const message = (messageId: string, content: string) => ({ messageId, conversationId: 'c', from: CAROL, to: 'me', type: 'text', content, sentAt: '2026-11-21T10:00:00.000Z', read: false, status: 'delivered', verified: true })
  const request = { peer: CAROL, firstAt: '2026-11-21T10:00:00.000Z', lastAt: '2026-11-21T10:01:00.000Z', refused: 1, messages: [message('m1', 'may I?'), message('m2', 'about the build')] }
  const contact = { peer: CAROL, trust: 'contact', alias: 'carol', addedAt: '2026-11-21T10:02:00.000Z', updatedAt: '2026-11-21T10:02:00.000Z' }

  it('requests lists (by default), accepts and declines; an unknown request is the API\'s error and exit 1', async () => {
    const api = await fakeApi({
      'GET /v1/requests': [200, { requests: [request] }],
      [`POST /v1/requests/${CAROL}/accept`]: [200, { peer: CAROL, messages: request.messages }],
      [`POST /v1/requests/${CAROL}/decline`]: [404, { error: 'request_not_found', detail: `no message request from ${CAROL}` }],
      [`POST /v1/requests/${DAVE}/decline`]: [200, { peer: DAVE, dropped: ['m3'] }]
    })
    try {
      for (const command of [['requests'], ['requests', 'list']]) {
        const listed = capture()
        expect(await main(['node', 'agentmsg', ...command, ...api.args], listed.io)).toBe(0)
        expect(listed.out.join('\n').split('\n')).toEqual([
          `${CAROL}  2 messages since 2026-11-21T10:00:00.000Z, 1 refused (the request is full)`,
          `  m1  2026-11-21T10:00:00.000Z  ${CAROL}  * text: may I?`,
          `  m2  2026-11-21T10:00:00.000Z  ${CAROL}  * text: about the build`
        ])
      }
      const json = capture()
      expect(await main(['node', 'agentmsg', 'requests', '--json', ...api.args], json.io)).toBe(0)
      expect(JSON.parse(json.out.join('\n'))).toEqual({ requests: [request] })

      const accepted = capture()
      expect(await main(['node', 'agentmsg', 'requests', 'accept', CAROL, ...api.args], accepted.io)).toBe(0)
      expect(accepted.out).toEqual([`accepted ${CAROL}: 2 messages moved to the inbox`])
      const declined = capture()
      expect(await main(['node', 'agentmsg', 'requests', 'decline', DAVE, ...api.args], declined.io)).toBe(0)
      expect(declined.out).toEqual([`declined ${DAVE}: 1 message dropped`])
      const none = capture()
      expect(await main(['node', 'agentmsg', 'requests', 'decline', CAROL, ...api.args], none.io)).toBe(1)
      expect(none.err).toEqual([`error: no message request from ${CAROL} (request_not_found)`])
      const usage = capture()
      expect(await main(['node', 'agentmsg', 'requests', 'accept', ...api.args], usage.io)).toBe(2)
      expect(api.seen.filter(s => s.method === 'POST').map(s => s.url)).toEqual([`/v1/requests/${CAROL}/accept`, `/v1/requests/${DAVE}/decline`, `/v1/requests/${CAROL}/decline`])
    } finally {
      await api.close()
    }
  })

  it('contacts lists (by default), sets (keeping the alias unless told), removes; a bad level is bad usage', async () => {
    const api = await fakeApi({
      'GET /v1/contacts': [200, { contacts: [contact] }],
      [`GET /v1/contacts/${CAROL}`]: [200, contact],
      [`PUT /v1/contacts/${CAROL}`]: [200, { ...contact, trust: 'trusted' }],
      [`GET /v1/contacts/${DAVE}`]: [404, { error: 'contact_not_found', detail: `no contact ${DAVE}` }],
      [`PUT /v1/contacts/${DAVE}`]: [200, { peer: DAVE, trust: 'blocked', addedAt: contact.addedAt, updatedAt: contact.addedAt }],
      [`DELETE /v1/contacts/${CAROL}`]: [204],
      [`DELETE /v1/contacts/${DAVE}`]: [404, { error: 'contact_not_found', detail: `no contact ${DAVE}` }]
    })
    try {
      for (const command of [['contacts'], ['contacts', 'list']]) {
        const listed = capture()
        expect(await main(['node', 'agentmsg', ...command, ...api.args], listed.io)).toBe(0)
        expect(listed.out).toEqual([`${CAROL}  contact  carol  since 2026-11-21T10:02:00.000Z`])
      }
      const set = capture()
      expect(await main(['node', 'agentmsg', 'contacts', 'set', CAROL, '--trust', 'trusted', ...api.args], set.io)).toBe(0)
      expect(set.out).toEqual([`${CAROL}  trusted  carol  since 2026-11-21T10:02:00.000Z`])
      expect(await main(['node', 'agentmsg', 'contacts', 'set', CAROL, '--trust', 'trusted', '--alias', 'carol the reviewer', ...api.args], capture().io)).toBe(0)
      expect(await main(['node', 'agentmsg', 'contacts', 'set', CAROL, '--trust', 'contact', '--no-alias', ...api.args], capture().io)).toBe(0)
      const blocked = capture()
      expect(await main(['node', 'agentmsg', 'contacts', 'set', DAVE, '--trust', 'blocked', '--json', ...api.args], blocked.io)).toBe(0)
      expect(JSON.parse(blocked.out.join('\n'))).toMatchObject({ peer: DAVE, trust: 'blocked' })
      expect(api.seen.filter(s => s.method === 'PUT').map(s => s.body)).toEqual([
        { trust: 'trusted', alias: 'carol' },
        { trust: 'trusted', alias: 'carol the reviewer' },
        { trust: 'contact' },
        { trust: 'blocked' }
      ])

      const bad = capture()
      expect(await main(['node', 'agentmsg', 'contacts', 'set', CAROL, '--trust', 'best-friend', ...api.args], bad.io)).toBe(2)
      expect(bad.err.join('\n')).toMatch(/blocked, unknown, verified, contact, trusted/)
      expect(await main(['node', 'agentmsg', 'contacts', 'set', CAROL, ...api.args], capture().io)).toBe(2)

      const removed = capture()
      expect(await main(['node', 'agentmsg', 'contacts', 'remove', CAROL, ...api.args], removed.io)).toBe(0)
      expect(removed.out).toEqual([`${CAROL} removed`])
      const missing = capture()
      expect(await main(['node', 'agentmsg', 'contacts', 'remove', DAVE, ...api.args], missing.io)).toBe(1)
      expect(missing.err).toEqual([`error: no contact ${DAVE} (contact_not_found)`])
    } finally {
      await api.close()
    }
  })

  it('a capability the node has not built (the API\'s 501) exits 3', async () => {
    const api = await fakeApi({ 'GET /v1/contacts': [501, { error: 'not_implemented', detail: 'not built yet' }] })
    try {
      const res = capture()
      expect(await main(['node', 'agentmsg', 'contacts', ...api.args], res.io)).toBe(3)
      expect(res.err).toEqual(['error: not built yet (not_implemented)'])
    } finally {
      await api.close()
    }
  })
})
