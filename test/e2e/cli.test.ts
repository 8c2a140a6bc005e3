/**
 * End to end, as a user runs it: `agentmsg init`, a bootstrap node, a relay
 * and three agents started by the CLI as child processes on 127.0.0.1 with
 * real level stores in temp dirs (one of them contacts-only), messages
 * through their HTTP APIs and through CLI commands, a message request
 * accepted with the CLI, and a clean stop on SIGTERM.
 */
import { execFile, spawn } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir, waitFor } from '../integration/helpers.js'
import type { ChildProcess } from 'node:child_process'

const BIN = join(import.meta.dirname, '../../bin/agentmsg.js')
const run = promisify(execFile)

interface Ready { event: 'ready', peerId: string, listen: string[], api: string, relay: boolean, relays: string[] }

interface Running {
  ready: Ready
  dataDir: string
  proc: ChildProcess
  stderr: string[]
}

const running: Running[] = []
afterAll(async () => {
  for (const r of running) if (r.proc.exitCode == null) r.proc.kill('SIGKILL')
})

/** `agentmsg <args>`; resolves with stdout, or rejects with the exit code and stderr. */
async function cli (args: string[], env: Record<string, string> = {}): Promise<{ stdout: string, stderr: string }> {
  return await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 30_000 })
}

/** `agentmsg start|bootstrap` in the background, resolved at its ready line. */
async function startCli (command: 'start' | 'bootstrap' | 'relay', dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<Running> {
  const proc = spawn(process.execPath, [BIN, command, '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--json', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const stderr: string[] = []
  createInterface({ input: proc.stderr! }).on('line', line => stderr.push(line))
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${command} not ready in 30 s: ${stderr.join('\n')}`)) }, 30_000)
    createInterface({ input: proc.stdout! }).on('line', line => {
      const parsed = JSON.parse(line) as Ready
      if (parsed.event === 'ready') {
        clearTimeout(timer)
        resolve(parsed)
      }
    })
    proc.once('exit', code => { clearTimeout(timer); reject(new Error(`${command} exited with ${code}: ${stderr.join('\n')}`)) })
  })
  const r = { ready, dataDir, proc, stderr }
  running.push(r)
  return r
}

async function stopCli (r: Running): Promise<number | null> {
  const exited = new Promise<number | null>(resolve => r.proc.once('exit', code => { resolve(code) }))
  r.proc.kill('SIGTERM')
  return await exited
}

async function api<T = any> (r: Running, key: string, method: string, path: string, body?: unknown): Promise<{ status: number, body: T }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(r.ready.api + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return { status: res.status, body: await res.json() as T }
}

/** Long-polls `/v1/events` until `match` finds an event; gives up after `timeout`. */
async function nextEvent (r: Running, key: string, match: (e: any) => boolean, timeout = 30_000): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const deadline = Date.now() + timeout
  let after = 0
  while (Date.now() < deadline) {
    const { body } = await api<{ events: any[], cursor: number }>(r, key, 'GET', `/v1/events?after=${after}&timeout=10`) // eslint-disable-line @typescript-eslint/no-explicit-any
    const found = body.events.find(match)
    if (found != null) return found
    after = body.cursor
  }
  throw new Error('no matching event in time')
}

describe('agentmsg CLI and HTTP API, end to end', { timeout: 150_000 }, () => {
  it('init, a bootstrap, a relay and three agents, messages both ways, a message request, a den, history restore, verify, a clean stop', async () => {
    const [bootDir, relayDir, aliceDir, bobDir, carolDir] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir(), tempDir()]).then(ds => ds.map(d => join(d, 'agent')))
    const init = JSON.parse((await cli(['init', '--data-dir', aliceDir!, '--json'])).stdout) as { peerId: string, apiKey: string, created: boolean }
    expect(init.created).toBe(true)
    expect(init.apiKey).toMatch(/^amk_/)
    expect((await stat(join(aliceDir!, 'api-key'))).mode & 0o777).toBe(0o600)
    // shown once
    expect((await cli(['init', '--data-dir', aliceDir!])).stdout).not.toContain(init.apiKey)
    await cli(['init', '--data-dir', bobDir!])

    const boot = await startCli('bootstrap', bootDir!)
    const bootstrap = boot.ready.listen.find(a => !a.includes('/ws'))!
    const relay = await startCli('relay', relayDir!, ['--bootstrap', bootstrap])
    expect(relay.ready.relay).toBe(true)
    const relayAddr = relay.ready.listen.find(a => !a.includes('/ws'))!
    const [alice, bob, carol] = await Promise.all([
      startCli('start', aliceDir!, ['--bootstrap', bootstrap, '--name', 'alice', '--use-relay', relayAddr]),
      // the environment twins of --bootstrap and --use-relay
      startCli('start', bobDir!, ['--name', 'bob', '--issuer'], { AGENTMSG_BOOTSTRAP: bootstrap, AGENTMSG_USE_RELAY: relayAddr }),
      // contacts only: a stranger's first message waits as a request (started without init: the key is made)
      startCli('start', carolDir!, ['--bootstrap', bootstrap, '--name', 'carol', '--use-relay', relayAddr], { AGENTMSG_INBOX_POLICY: 'contacts' })
    ])
    expect(alice.ready.peerId).toBe(init.peerId)
    expect(alice.ready.relays).toEqual([relay.ready.peerId])
    expect(bob.ready.relays).toEqual([relay.ready.peerId])
    expect(alice.ready.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const aliceKey = init.apiKey
    const bobKey = (await readFile(join(bobDir!, 'api-key'), 'utf8')).trim()
    const carolKey = (await readFile(join(carolDir!, 'api-key'), 'utf8')).trim()

    // alice → bob through the HTTP API
    const sent = await api(alice, aliceKey, 'POST', '/v1/messages', { to: bob.ready.peerId, type: 'text', content: 'hello bob' })
    expect(sent.status).toBe(202)
    const received = await nextEvent(bob, bobKey, e => e.type === 'message.received')
    expect(received.data).toMatchObject({ messageId: sent.body.messageId, from: alice.ready.peerId, content: 'hello bob', verified: true })
    const inbox = await api(bob, bobKey, 'GET', '/v1/inbox?unread=true')
    expect(inbox.body.messages.map((m: { content: string }) => m.content)).toEqual(['hello bob'])
    expect((await api(bob, bobKey, 'POST', `/v1/inbox/${sent.body.messageId}/read`)).status).toBe(200)
    await nextEvent(alice, aliceKey, e => e.type === 'message.status' && e.data.messageId === sent.body.messageId && e.data.status === 'read')

    // bob → alice with the CLI, read with the CLI
    const reply = JSON.parse((await cli(['send', alice.ready.peerId, 'hi', 'alice', '--data-dir', bobDir!, '--json'])).stdout) as { messageId: string }
    await nextEvent(alice, aliceKey, e => e.type === 'message.received' && e.data.messageId === reply.messageId)
    const cliInbox = JSON.parse((await cli(['inbox', '--json'], { AGENTMSG_DATA_DIR: aliceDir! })).stdout) as { messages: Array<{ content: string }> }
    expect(cliInbox.messages.map(m => m.content)).toEqual(['hi alice'])
    expect((await cli(['id', '--data-dir', aliceDir!])).stdout).toContain(alice.ready.peerId)

    // bob → carol (contacts only): a message request, listed and accepted with the CLI
    expect((await cli(['id', '--data-dir', carolDir!])).stdout).toContain('inbox policy contacts')
    const ask = JSON.parse((await cli(['send', carol.ready.peerId, 'may', 'I?', '--data-dir', bobDir!, '--json'])).stdout) as { messageId: string }
    const request = await nextEvent(carol, carolKey, e => e.type === 'connection.request')
    expect(request.data).toMatchObject({ peer: bob.ready.peerId, message: { messageId: ask.messageId, content: 'may I?' } })
    expect(JSON.parse((await cli(['inbox', '--json', '--data-dir', carolDir!])).stdout)).toMatchObject({ total: 0 })
    const listed = (await cli(['requests', '--data-dir', carolDir!])).stdout
    expect(listed).toContain(`${bob.ready.peerId}  1 message since`)
    expect(listed).toContain('may I?')
    const accepted = JSON.parse((await cli(['requests', 'accept', bob.ready.peerId, '--data-dir', carolDir!, '--json'])).stdout) as { messages: Array<{ messageId: string }> }
    expect(accepted.messages.map(m => m.messageId)).toEqual([ask.messageId])
    await nextEvent(bob, bobKey, e => e.type === 'connection.accepted' && e.data.peer === carol.ready.peerId)
    expect(JSON.parse((await cli(['inbox', '--json', '--data-dir', carolDir!])).stdout)).toMatchObject({ total: 1, messages: [{ messageId: ask.messageId }] })
    expect(JSON.parse((await cli(['contacts', '--json', '--data-dir', carolDir!])).stdout)).toMatchObject({ contacts: [{ peer: bob.ready.peerId, trust: 'contact' }] })
    const again = await cli(['requests', 'accept', bob.ready.peerId, '--data-dir', carolDir!]).then(() => undefined, (err: { code: number, stderr: string }) => err)
    expect(again?.code).toBe(1)
    expect(again?.stderr).toContain('request_not_found')

    // a public den: created and posted to with the CLI, found and read by bob
    const den = JSON.parse((await cli(['den', 'create', 'lobby', 'The lobby', '--data-dir', aliceDir!, '--json'])).stdout) as { denId: string, kind: string }
    expect(den.kind).toBe('public')
    const posted = JSON.parse((await cli(['den', 'post', den.denId, 'welcome', 'all', '--data-dir', aliceDir!, '--json'])).stdout) as { messageId: string, status: string }
    expect(posted.status).toBe('sent')
    // the directory reaches bob through gossip
    await waitFor(async () => (await api<{ dens: Array<{ denId: string }> }>(bob, bobKey, 'GET', '/v1/dens')).body.dens.some(d => d.denId === den.denId), { timeout: 30_000, interval: 100 })
    expect(JSON.parse((await cli(['den', 'join', den.denId, '--data-dir', bobDir!, '--json'])).stdout)).toMatchObject({ denId: den.denId, joined: true })
    await nextEvent(bob, bobKey, e => e.type === 'den.message' && e.data.messageId === posted.messageId)
    const feed = JSON.parse((await cli(['den', 'feed', den.denId, '--data-dir', bobDir!, '--json'])).stdout) as { messages: Array<{ content: string, denId: string, from: string }> }
    expect(feed.messages).toEqual([expect.objectContaining({ content: 'welcome all', denId: den.denId, from: alice.ready.peerId })])
    expect((await cli(['den', 'list', '--joined', '--data-dir', bobDir!])).stdout).toContain(den.denId)

    // history from the relay's archive (nothing to bring back here: everything is already stored)
    const restore = JSON.parse((await cli(['history', 'restore', '--data-dir', aliceDir!, '--json'])).stdout) as { restored: number, relays: number }
    expect(restore).toMatchObject({ restored: 0, relays: 1 })

    // bob serves the speed challenge: alice earns a credential from him; the relay is no issuer
    const verified = JSON.parse((await cli(['verify', bob.ready.peerId, '--data-dir', aliceDir!, '--json'])).stdout) as { credential: Record<string, string> }
    expect(verified.credential).toMatchObject({ subject: alice.ready.peerId, issuer: bob.ready.peerId, level: 'software-agent' })
    const noIssuer = await cli(['verify', relay.ready.peerId, '--data-dir', aliceDir!]).then(() => undefined, (err: { code: number, stderr: string }) => err)
    expect(noIssuer?.code).toBe(1)
    expect(noIssuer?.stderr).toContain('issuer_unavailable')
    // without the key
    expect((await fetch(alice.ready.api + '/v1/me')).status).toBe(401)

    expect(await Promise.all([alice, bob, carol, relay, boot].map(stopCli))).toEqual([0, 0, 0, 0, 0])
    await expect(stat(join(aliceDir!, 'api.json'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
