/**
 * `npm run demo`: a bootstrap+relay node and three agents on this machine,
 * each its own process started with the `agentmsg` CLI (API on a random
 * port, data in a temp dir), driven only through their HTTP APIs:
 *
 *   1. a direct message alice → bob and its delivery states, from the event stream
 *   2. carol offline: alice writes to her, the relay holds it, carol gets it when she starts
 *   3. a public den: bob posts, alice (who found it in the directory) receives it
 *   4. a bounty channel: created, posted to, destroyed (`den.destroyed` on the member)
 *   5. a webhook to a local HTTP server that checks `X-Agentmsg-Signature`
 *
 * Every wait is for an event (or a state the API reports) with a timeout;
 * every process and the temp dir are removed at the end, on failure and
 * on SIGINT. Exit status 0 when every step worked.
 */
import { spawn } from 'node:child_process'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { ChildProcess } from 'node:child_process'
import type { IncomingMessage, Server } from 'node:http'

const BIN = join(import.meta.dirname, '../bin/agentmsg.js')
const second = 1000
/** Longest wait for a process to print its ready line. */
const READY_TIMEOUT = 45 * second
/** Longest wait for anything else. */
const STEP_TIMEOUT = 30 * second

// ---- output -----------------------------------------------------------------

const started = Date.now()
const color = process.stdout.isTTY && process.env.NO_COLOR == null
const paint = (code: string) => (text: string): string => color ? `\x1b[${code}m${text}\x1b[0m` : text
const bold = paint('1')
const dim = paint('2')
const green = paint('32')
const say = (line = ''): void => { process.stdout.write(line + '\n') }
const step = (title: string): void => { say(); say(bold(title)) }
const ms = (n: number): string => `${Math.max(0, Math.round(n))} ms`
const short = (peer: string): string => `${peer.slice(0, 8)}…${peer.slice(-4)}`

// ---- processes ----------------------------------------------------------------

interface Ready { event: 'ready', peerId: string, listen: string[], api: string, relays: string[] }

class Agent {
  readonly name: string
  readonly dataDir: string
  readonly proc: ChildProcess
  readonly spawnedAt: number
  readonly stderr: string[] = []
  ready!: Ready
  readyAt = 0
  key!: string
  events!: EventFollower

  constructor (name: string, dataDir: string, proc: ChildProcess) {
    this.name = name
    this.dataDir = dataDir
    this.proc = proc
    this.spawnedAt = Date.now()
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      this.stderr.push(line)
      if (this.stderr.length > 20) this.stderr.shift()
    })
  }

  get peerId (): string { return this.ready.peerId }
  get tcp (): string { return this.ready.listen.find(a => a.includes('/tcp/') && !a.includes('/ws'))! }
  get running (): boolean { return this.proc.exitCode == null && this.proc.signalCode == null }

  /** A request to the agent's API; throws with the API's `{error, detail}` on anything but 2xx. */
  async call<T = any> (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(this.ready.api + path, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal == null ? {} : { signal })
    })
    const json = await res.json() as T & { error?: string, detail?: string }
    if (!res.ok) throw new Error(`${this.name}: ${method} ${path} → ${res.status} ${json.error ?? ''}: ${json.detail ?? ''}`)
    return json
  }

  /** SIGTERM, and the exit it leads to (SIGKILL after 10 s). */
  async stop (): Promise<void> {
    if (!this.running) return
    const exited = new Promise<void>(resolve => this.proc.once('exit', () => { resolve() }))
    this.events?.stop()
    this.proc.kill('SIGTERM')
    const timer = setTimeout(() => { this.proc.kill('SIGKILL') }, 10 * second)
    await exited
    clearTimeout(timer)
  }
}

const children: Agent[] = []
let root: string | undefined

/** `agentmsg <command>` in the background, resolved at its ready line with its API key read. */
async function launch (name: string, command: 'start' | 'relay', dataDir: string, args: string[] = []): Promise<Agent> {
  // a user's AGENTMSG_* settings are not the demo's
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AGENTMSG_')))
  const proc = spawn(process.execPath, [BIN, command, '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', '--name', name, '--json', ...args], {
    env, stdio: ['ignore', 'pipe', 'pipe']
  })
  const agent = new Agent(name, dataDir, proc)
  children.push(agent)
  agent.ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${name} printed no ready line in ${ms(READY_TIMEOUT)}`)) }, READY_TIMEOUT)
    const onExit = (code: number | null): void => { clearTimeout(timer); reject(new Error(`${name} exited with ${code}`)) }
    proc.once('exit', onExit)
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let parsed: Ready | undefined
      try { parsed = JSON.parse(line) as Ready } catch { return }
      if (parsed.event !== 'ready') return
      clearTimeout(timer)
      proc.off('exit', onExit)
      resolve(parsed)
    })
  })
  agent.readyAt = Date.now()
  agent.key = (await readFile(join(dataDir, 'api-key'), 'utf8')).trim()
  agent.events = new EventFollower(agent)
  return agent
}

// ---- events -------------------------------------------------------------------

interface ApiEvent { cursor: number, type: string, at: string, data: any } // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Follows an agent's durable event log from its first event (long-poll with
 * the last cursor), so nothing that happened before we asked is missed.
 */
class EventFollower {
  readonly #agent: Agent
  readonly #seen: ApiEvent[] = []
  readonly #waiters = new Set<() => void>()
  readonly #stop = new AbortController()

  constructor (agent: Agent) {
    this.#agent = agent
    void this.#follow()
  }

  async #follow (): Promise<void> {
    let after = 0
    while (!this.#stop.signal.aborted) {
      try {
        const page = await this.#agent.call<{ events: ApiEvent[], cursor: number }>('GET', `/v1/events?after=${after}&timeout=20&limit=1000`, undefined, this.#stop.signal)
        this.#seen.push(...page.events)
        after = page.cursor
        for (const wake of this.#waiters) wake()
      } catch {
        // the agent is stopping (or gone): its log is durable, a new follower starts from 0
        return
      }
    }
  }

  /** Every event so far that matches, in log order. */
  seen (match: (e: ApiEvent) => boolean): ApiEvent[] {
    return this.#seen.filter(match)
  }

  /** The first event (from the start of the log) that matches; rejects after `timeout`. */
  async wait (what: string, match: (e: ApiEvent) => boolean, timeout = STEP_TIMEOUT): Promise<ApiEvent> {
    const found = this.#seen.find(match)
    if (found != null) return found
    return await new Promise<ApiEvent>((resolve, reject) => {
      const check = (): void => {
        const hit = this.#seen.find(match)
        if (hit == null) return
        done()
        resolve(hit)
      }
      const timer = setTimeout(() => { done(); reject(new Error(`${this.#agent.name}: no ${what} within ${ms(timeout)}`)) }, timeout)
      const done = (): void => { clearTimeout(timer); this.#waiters.delete(check) }
      this.#waiters.add(check)
    })
  }

  stop (): void {
    this.#stop.abort()
  }
}

/** Ask until `fn` gives a value (not undefined/false); for state the API reports but no event announces. */
async function until<T> (what: string, fn: () => Promise<T | undefined | false>, timeout = STEP_TIMEOUT): Promise<T> {
  const deadline = Date.now() + timeout
  let last: unknown
  for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
    try {
      const value = await fn()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms(timeout)}${last == null ? '' : ` (${(last as Error).message})`}`)
    await new Promise(resolve => setTimeout(resolve, delay))
  }
}

const at = (e: ApiEvent): number => Date.parse(e.at)

// ---- the webhook receiver -------------------------------------------------------

interface Delivery { receivedAt: number, body: string, signature: string, cursor: string }

async function webhookServer (): Promise<{ server: Server, url: string, next(): Promise<Delivery> }> {
  const queue: Delivery[] = []
  const waiting: Array<(d: Delivery) => void> = []
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const delivery = {
        receivedAt: Date.now(),
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['x-agentmsg-signature'] ?? ''),
        cursor: String(req.headers['x-agentmsg-cursor'] ?? '')
      }
      res.writeHead(204).end()
      const waiter = waiting.shift()
      if (waiter != null) waiter(delivery)
      else queue.push(delivery)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    server,
    url: `http://127.0.0.1:${port}/hook`,
    next: async () => {
      const queued = queue.shift()
      if (queued != null) return queued
      return await new Promise<Delivery>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`no webhook delivery within ${ms(STEP_TIMEOUT)}`)) }, STEP_TIMEOUT)
        waiting.push((d) => { clearTimeout(timer); resolve(d) })
      })
    }
  }
}

function signatureValid (secret: string, body: string, header: string): boolean {
  const expected = Buffer.from('sha256=' + createHmac('sha256', secret).update(body).digest('hex'))
  const given = Buffer.from(header)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

// ---- cleanup --------------------------------------------------------------------

let hook: Server | undefined
let cleaning: Promise<void> | undefined

async function cleanup (): Promise<void> {
  cleaning ??= (async () => {
    const pids = children.map(c => c.proc.pid)
    // the agents first: their last archive uploads go to the relay
    await Promise.all(children.filter(c => c.name !== 'relay').map(async c => { await c.stop() }))
    await Promise.all(children.filter(c => c.name === 'relay').map(async c => { await c.stop() }))
    hook?.closeAllConnections()
    await new Promise(resolve => { if (hook == null) resolve(undefined); else hook.close(resolve) })
    if (root != null) await rm(root, { recursive: true, force: true })
    say(dim(`cleaned up: ${children.length} processes stopped (pids ${pids.join(' ')}), ${root ?? 'no temp dir'} removed`))
  })()
  await cleaning
}

let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true
    say()
    say(`${signal}: stopping`)
    void cleanup().finally(() => { process.exit(130) })
  })
}

// ---- the demo -------------------------------------------------------------------

async function demo (): Promise<void> {
  root = await mkdtemp(join(tmpdir(), 'agentmsg-demo-'))
  say(bold('agentmsg demo') + ': a relay and three agents, each its own `agentmsg` process on 127.0.0.1,')
  say('driven through their local HTTP APIs. ' + dim(`data: ${root}`))

  step('Starting')
  let t0 = Date.now()
  const relay = await launch('relay', 'relay', join(root, 'relay'))
  say(`  relay  ${short(relay.peerId)}  bootstrap + relay, ready in ${ms(Date.now() - t0)}  ${dim(relay.tcp)}`)
  const net = ['--bootstrap', relay.tcp, '--use-relay', relay.tcp]
  t0 = Date.now()
  const [alice, bob, firstCarol] = await Promise.all(['alice', 'bob', 'carol'].map(async name => await launch(name, 'start', join(root!, name), net)))
  for (const a of [alice!, bob!, firstCarol!]) {
    say(`  ${a.name.padEnd(6)} ${short(a.peerId)}  API ${a.ready.api}, mail waits at ${a.ready.relays.map(short).join(', ')}`)
  }
  say(dim(`  three agents ready in ${ms(Date.now() - t0)} (started together)`))

  // 1 --------------------------------------------------------------------------
  step('1. alice → bob, directly')
  t0 = Date.now()
  const dm = await alice!.call<{ messageId: string }>('POST', '/v1/messages', { to: bob!.peerId, type: 'text', content: 'hello bob' })
  const received = await bob!.events.wait('message.received', e => e.type === 'message.received' && e.data.messageId === dm.messageId)
  await alice!.events.wait('delivered status', e => e.type === 'message.status' && e.data.messageId === dm.messageId && e.data.status === 'delivered')
  // every state change is in the log, in order, by the time delivered is
  const timeline = alice!.events.seen(e => e.type === 'message.status' && e.data.messageId === dm.messageId).map(e => `${String(e.data.status)} +${ms(at(e) - t0)}`)
  say(`  POST /v1/messages "hello bob"  →  alice's message.status: ${timeline.join(' → ')}`)
  say(`  bob: message.received +${ms(at(received) - t0)}, verified=${String(received.data.verified)}, "${String(received.data.content)}"`)
  t0 = Date.now()
  await bob!.call('POST', `/v1/inbox/${dm.messageId}/read`)
  const read = await alice!.events.wait('read status', e => e.type === 'message.status' && e.data.messageId === dm.messageId && e.data.status === 'read')
  say(`  bob marks it read → alice sees read +${ms(at(read) - t0)}`)

  // 2 --------------------------------------------------------------------------
  step('2. carol is offline; alice writes to her through the relay')
  const card = await until('carol\'s card listing her relay', async () => {
    const c = await alice!.call<{ relays: Array<{ peerId: string }> }>('GET', `/v1/agents/${firstCarol!.peerId}/card`)
    return c.relays.some(r => r.peerId === relay.peerId) && c
  })
  say(`  alice resolved carol's signed card from the DHT: relays ${card.relays.map(r => short(r.peerId)).join(', ')}`)
  await firstCarol!.stop()
  say('  carol stopped')
  t0 = Date.now()
  const offline = await alice!.call<{ messageId: string }>('POST', '/v1/messages', { to: firstCarol!.peerId, type: 'text', content: 'while you were out' })
  const relayed = await alice!.events.wait('relayed status', e => e.type === 'message.status' && e.data.messageId === offline.messageId && e.data.status === 'relayed')
  say(`  POST /v1/messages "while you were out"  →  relayed +${ms(at(relayed) - t0)} (the relay holds the sealed envelope)`)
  const carol = await launch('carol', 'start', join(root, 'carol'), net)
  const fetched = await carol.events.wait('message.received', e => e.type === 'message.received' && e.data.messageId === offline.messageId)
  const confirmed = await alice!.events.wait('delivered status', e => e.type === 'message.status' && e.data.messageId === offline.messageId && e.data.status === 'delivered')
  say(`  carol starts again: ready ${ms(carol.readyAt - carol.spawnedAt)} after her process started; message.received at +${ms(at(fetched) - carol.spawnedAt)}`)
  say(`  alice: relayed → delivered +${ms(at(confirmed) - at(fetched))} after carol stored it (her delivery receipt)`)

  // 3 --------------------------------------------------------------------------
  step('3. a public den')
  t0 = Date.now()
  const lobby = await bob!.call<{ denId: string }>('POST', '/v1/dens', { slug: 'lobby', title: 'The lobby', kind: 'public' })
  await until('the lobby in alice\'s directory', async () => {
    const { dens } = await alice!.call<{ dens: Array<{ denId: string }> }>('GET', '/v1/dens')
    return dens.some(d => d.denId === lobby.denId)
  })
  say(`  bob creates "lobby" (${lobby.denId.slice(0, 8)}…); alice finds it in the directory after ${ms(Date.now() - t0)} and joins`)
  await alice!.call('POST', `/v1/dens/${lobby.denId}/join`)
  t0 = Date.now()
  const post = await bob!.call<{ messageId: string }>('POST', `/v1/dens/${lobby.denId}/messages`, { type: 'text', content: 'welcome, everyone' })
  const seen = await alice!.events.wait('den.message', e => e.type === 'den.message' && e.data.messageId === post.messageId)
  say(`  bob posts "welcome, everyone" → alice's den.message +${ms(at(seen) - t0)} (from ${short(String(seen.data.from))}, verified=${String(seen.data.verified)})`)

  // 4 --------------------------------------------------------------------------
  step('4. a bounty channel: private, self-destructing')
  t0 = Date.now()
  const bounty = await alice!.call<{ denId: string }>('POST', '/v1/dens', { slug: 'bounty-42', title: 'Fix issue 42', kind: 'bounty', members: [bob!.peerId] })
  await until('the bounty channel at bob', async () => (await bob!.call<{ joined: boolean }>('GET', `/v1/dens/${bounty.denId}`)).joined)
  say(`  alice creates "bounty-42" with bob; his node has it (descriptor and sender key over 1:1 sessions) after ${ms(Date.now() - t0)}`)
  t0 = Date.now()
  const task = await alice!.call<{ messageId: string }>('POST', `/v1/dens/${bounty.denId}/messages`, { type: 'markdown', content: '**bounty**: fix issue 42 by Friday' })
  const got = await bob!.events.wait('den.message', e => e.type === 'den.message' && e.data.messageId === task.messageId)
  say(`  alice posts → bob's den.message +${ms(at(got) - t0)}: "${String(got.data.content)}"`)
  t0 = Date.now()
  await alice!.call('POST', `/v1/dens/${bounty.denId}/destroy`)
  const gone = await bob!.events.wait('den.destroyed', e => e.type === 'den.destroyed' && e.data.denId === bounty.denId)
  const after = await fetch(`${bob!.ready.api}/v1/dens/${bounty.denId}`, { headers: { authorization: `Bearer ${bob!.key}` } })
  say(`  alice destroys it → bob's den.destroyed +${ms(at(gone) - t0)}; GET /v1/dens/${bounty.denId.slice(0, 8)}… at bob: ${after.status}`)

  // 5 --------------------------------------------------------------------------
  step('5. a webhook')
  const receiver = await webhookServer()
  hook = receiver.server
  const secret = 'demo-secret-' + Math.random().toString(36).slice(2)
  await bob!.call('POST', '/v1/webhooks', { url: receiver.url, events: ['message.received'], secret })
  say(`  bob registers ${receiver.url} for message.received`)
  t0 = Date.now()
  const ping = await alice!.call<{ messageId: string }>('POST', '/v1/messages', { to: bob!.peerId, type: 'json', payload: { ping: 1 } })
  let delivery: Delivery
  for (;;) {
    delivery = await receiver.next()
    if ((JSON.parse(delivery.body) as ApiEvent).data?.messageId === ping.messageId) break
  }
  const valid = signatureValid(secret, delivery.body, delivery.signature)
  if (!valid) throw new Error('the webhook\'s X-Agentmsg-Signature does not verify')
  say(`  alice sends {"ping":1} → POST at the webhook +${ms(delivery.receivedAt - t0)}, cursor ${delivery.cursor}, X-Agentmsg-Signature ${delivery.signature.slice(0, 19)}… ${green('verified')}`)

  say()
  say(green(bold('Every step worked')) + ` in ${ms(Date.now() - started)}.`)
}

try {
  await demo()
  await cleanup()
  process.exitCode = 0
} catch (err) {
  if (!interrupted) {
    say()
    say(`demo failed: ${(err as Error).message}`)
    for (const c of children) {
      if (c.stderr.length > 0) say(dim(`  ${c.name} stderr (last lines):\n    ${c.stderr.slice(-5).join('\n    ')}`))
    }
    await cleanup()
    process.exitCode = 1
  }
}
