/**
 * Relays: real nodes over TCP on 127.0.0.1, level in temp dirs, one process.
 *
 * Default run: a relay (also the bootstrap node), agent A, and agent B that
 * published its card (listing the relay) and went offline.
 * - depositPerSec: A sends `--messages` (10,000) texts to B; from the first
 *   send until every one is `relayed` (sealed, stored in A's outbox, dialled
 *   B and failed, deposited, acked by the relay, status written).
 * - fetchPage100P99Ms: B's identity, on a bare libp2p node, fetches
 *   100-envelope pages at random offsets of its mailbox (`--pages`, 200).
 * - drain10kMs: B's agent node starts in its own process (scripts/bench/relay-agent.ts);
 *   from its `start()` until all messages are received (verified, decrypted,
 *   persisted; each page acked at the relay), on B's clock; drainCpuUsPerMsg
 *   is B's CPU time over the drain per message.
 * - stored: envelopes the relay held; rssMb: this process's RSS at the end
 *   (relay and both agents together: an upper bound for the relay).
 *
 * `--large`: the relay's store is filled directly, by another process
 * (relay-fill.ts), with `--envelopes` (1,000,000) envelopes of 300 bytes for
 * 1,000 recipients; then the relay starts here and 20 of those recipients
 * fetch 100-envelope pages at random offsets over the protocol; rssMb is this
 * process's RSS after the fetches (the relay, and the short-lived clients).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createAgentNode } from '../../src/node/agent-node.js'
import { openDataDir } from '../../src/node/data-dir.js'
import { createAgentLibp2p } from '../../src/node/libp2p.js'
import { RelayClient } from '../../src/protocols/relay/index.js'
import type { RelayChildMessage } from './relay-agent.js'
import type { FillResult } from './relay-fill.js'
import type { AgentNode, StatusChange } from '../../src/node/agent-node.js'
import type { PrivateKey } from '@libp2p/interface'
import { flag, percentile } from './util.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

const round = (x: number): number => Math.round(x * 100) / 100
const rssMb = (): number => Math.round(process.memoryUsage().rss / 1024 / 1024)

/** Resolves when `count()` reaches `target`, checking on each `event` of `node`. */
async function until (node: EventTarget, event: string, done: () => boolean, timeout: number, what: string): Promise<void> {
  if (done()) return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { node.removeEventListener(event, check); reject(new Error(`timed out waiting for ${what}`)) }, timeout)
    function check (): void {
      if (!done()) return
      clearTimeout(timer)
      node.removeEventListener(event, check)
      resolve()
    }
    node.addEventListener(event, check)
  })
}

/** p99 of fetching `pages` 100-envelope pages at random offsets, by `key`'s owner. */
async function pageLatency (relay: AgentNode, keys: PrivateKey[], pages: number, held: (key: PrivateKey) => number[]): Promise<number[]> {
  const times: number[] = []
  for (const key of keys) {
    const node = await createAgentLibp2p({ privateKey: key, listen: LISTEN })
    await node.peerStore.merge(relay.libp2p.peerId, { multiaddrs: relay.libp2p.getMultiaddrs() })
    const client = new RelayClient(node.dialProtocol.bind(node), relay.libp2p.peerId)
    await client.fetch(0, 1)
    const seqs = held(key)
    for (let i = 0; i < Math.ceil(pages / keys.length); i++) {
      const after = seqs[Math.floor(Math.random() * Math.max(1, seqs.length - 100))] ?? 0
      const start = performance.now()
      const page = await client.fetch(after, 100)
      times.push(performance.now() - start)
      if (page.held.length === 0) throw new Error('empty page')
    }
    client.close()
    await node.stop()
  }
  return times.sort((a, b) => a - b)
}

const CHILD = fileURLToPath(new URL('./relay-agent.ts', import.meta.url))
const FILL = fileURLToPath(new URL('./relay-fill.ts', import.meta.url))

/** Run a bench helper script in its own process; resolves with the first message it posts. */
async function inChild<T> (script: string, args: string[]): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return await new Promise<T>((resolve, reject) => {
    child.once('message', (msg) => { resolve(msg as T) })
    child.once('exit', (code) => { reject(new Error(`${script} exited (${String(code)}) before reporting`)) })
  })
}

/** Start B from its data dir in a child process; resolves with how long its drain took on its clock. */
async function drainInChild (dataDir: string, relay: string, expected: number): Promise<{ ms: number, cpuUs: number }> {
  // --child-cpu-prof DIR: the draining agent runs under V8's profiler
  const prof = process.env.AGENTMSG_BENCH_CHILD_PROF
  const execArgv = prof == null ? [] : ['--cpu-prof', '--cpu-prof-dir', prof]
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', CHILD, dataDir, relay, String(expected)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('timed out waiting for the drain')) }, 300_000)
      child.on('message', (msg: RelayChildMessage) => {
        clearTimeout(timer)
        if (msg.t === 'drained') resolve({ ms: msg.ms, cpuUs: msg.cpuUs })
        else reject(new Error(msg.message))
      })
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`drain process exited (${String(code)})`)) })
    })
  } finally {
    child.disconnect?.()
    await new Promise<void>(resolve => {
      if (child.exitCode != null) { resolve(); return }
      const kill = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
      child.on('exit', () => { clearTimeout(kill); resolve() })
    })
  }
}

async function small (args: string[], dir: string): Promise<Record<string, unknown>> {
  const messages = flag(args, 'messages', 10_000)
  const pages = flag(args, 'pages', 200)
  const relay = await createAgentNode({ dataDir: join(dir, 'relay'), listen: LISTEN, relay: { depositsPerMinute: 1_000_000, maxEnvelopes: messages + 1 }, discoverRelays: 0 })
  const relayAddr = relay.addresses[0]!
  // the sender's 120-DMs-a-minute limit is lifted, as the relay's deposit limit is
  const common = { listen: LISTEN, bootstrap: [relayAddr], relays: [relayAddr], dm: { retryMin: 20, retryMax: 200 }, rateLimits: { dmsPerMinute: Infinity } }
  const a = await createAgentNode({ dataDir: join(dir, 'a'), ...common, relays: [], discoverRelays: 0 })
  const bDir = join(dir, 'b')
  const b = await createAgentNode({ dataDir: bDir, ...common })
  const bId = b.peerId
  await a.getCard(bId)
  await b.stop()

  let relayed = 0
  a.addEventListener('message.status', (evt) => { if ((evt as CustomEvent<StatusChange>).detail.status === 'relayed') relayed++ })
  const text = 'x'.repeat(256)
  const sendStart = performance.now()
  for (let i = 0; i < messages; i++) await a.send(bId, { type: 'text', content: text })
  await until(a, 'message.status', () => relayed >= messages, 300_000, 'deposits')
  const depositPerSec = messages / ((performance.now() - sendStart) / 1000)

  // B's mailbox, read page by page by B's own key
  const { privateKey } = await openDataDir(bDir)
  const times = await pageLatency(relay, [privateKey], pages, () => Array.from({ length: messages }, (_, i) => i))

  // B drains in its own process, as a real agent would
  const drained = await drainInChild(bDir, relayAddr, messages)
  const drain10kMs = drained.ms
  const result = {
    bench: 'relay',
    messages,
    drain10kMs: Math.round(drain10kMs),
    depositPerSec: Math.round(depositPerSec),
    fetchPage100P50Ms: round(percentile(times, 0.5)),
    fetchPage100P99Ms: round(percentile(times, 0.99)),
    stored: messages,
    drainCpuUsPerMsg: Math.round(drained.cpuUs / messages),
    rssMb: rssMb()
  }
  await Promise.all([a.stop(), relay.stop()])
  return result
}

async function large (args: string[], dir: string): Promise<Record<string, unknown>> {
  const envelopes = flag(args, 'envelopes', 1_000_000)
  const recipients = flag(args, 'recipients', 1000)
  const pages = flag(args, 'pages', 400)
  const perRecipient = Math.ceil(envelopes / recipients)
  const relayDir = join(dir, 'relay')
  const keys = await Promise.all(Array.from({ length: recipients }, async () => await generateKeyPair('Ed25519')))
  // filled by another process: the relay below starts with its own memory, as after a restart
  const recipientsFile = join(dir, 'recipients.json')
  await writeFile(recipientsFile, JSON.stringify(keys.map(k => peerIdFromPrivateKey(k).toString())))
  const filled = await inChild<FillResult>(FILL, [relayDir, recipientsFile, String(envelopes)])
  const n = filled.n
  const fillSec = filled.fillSec

  const relay = await createAgentNode({ dataDir: relayDir, listen: LISTEN, relay: { maxEnvelopes: perRecipient }, discoverRelays: 0 })
  // seqs were handed out round-robin: recipient k holds k, k + R·10 … in blocks of 10
  const sample = keys.slice(0, 20)
  const times = await pageLatency(relay, sample, pages, (key) => {
    const k = keys.indexOf(key as (typeof keys)[number])
    const seqs: number[] = []
    for (let round = 0; round < perRecipient; round += 10) for (let i = 0; i < 10; i++) seqs.push(round * recipients + k * 10 + i)
    return seqs
  })
  const result = {
    bench: 'relay',
    large: true,
    stored: n,
    fillSec: Math.round(fillSec),
    fetchPage100P50Ms: round(percentile(times, 0.5)),
    fetchPage100P99Ms: round(percentile(times, 0.99)),
    rssMb: rssMb()
  }
  await relay.stop()
  return result
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const prof = args.indexOf('--child-cpu-prof')
  if (prof >= 0 && args[prof + 1] != null) process.env.AGENTMSG_BENCH_CHILD_PROF = args[prof + 1]
  const dir = await mkdtemp(join(tmpdir(), 'agentmsg-bench-relay-'))
  try {
    return args.includes('--large') ? await large(args, dir) : await small(args, dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
