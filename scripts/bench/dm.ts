/**
 * 1:1 messages between two real agent nodes in one process: TCP on
 * 127.0.0.1, level databases in temp dirs, B's card found through a
 * bootstrap node's DHT, one warm-up message so the X3DH session and the DM
 * stream exist. Payload: a 256-character text.
 * - latency: `A.send()` until B's `message.received` (decrypted and
 *   persisted), one message at a time; p50 / p99 of `--samples` after a
 *   warm-up;
 * - throughput: `--pipelined` sends fired without waiting for delivery,
 *   from the first send until B has received them all;
 * - floor: a raw libp2p stream between the same two libp2p nodes, 256-byte
 *   frames each acknowledged with one byte: round-trip p50 of one frame at a
 *   time, and frames per second pipelined.
 *
 * Flags: --samples N (2000), --warmup N (200), --pipelined N (5000).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAgentNode } from '../../src/node/agent-node.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { Stream } from '@libp2p/interface'

const PAYLOAD = 256
const RAW_PROTOCOL = '/agentmsg-bench/raw/1.0.0'
const LISTEN = ['/ip4/127.0.0.1/tcp/0']

function flag (args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`)
  if (i < 0) return fallback
  const value = Number(args[i + 1])
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`)
  return value
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

const ms = (x: number): number => Math.round(x * 1000) / 1000

/** Polls `fn` until it returns true; rejects after `timeout` ms. */
async function waitFor (fn: () => Promise<boolean>, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout
  while (!await fn()) {
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

/** Counts events and resolves a promise once the count reaches a target. */
class Counter {
  count = 0
  #target = Infinity
  #resolve?: () => void

  add (n = 1): void {
    this.count += n
    if (this.count >= this.#target) {
      const resolve = this.#resolve
      this.#target = Infinity
      this.#resolve = undefined
      resolve?.()
    }
  }

  /** Resolves once `count >= target`; rejects if that takes longer than `timeout` ms (a lost message must not hang the bench). */
  async reach (target: number, timeout = 120_000): Promise<void> {
    if (this.count >= target) return
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        this.#target = target
        this.#resolve = resolve
        timer = setTimeout(() => { reject(new Error(`stuck at ${this.count} of ${target}`)) }, timeout)
      })
    } finally {
      clearTimeout(timer)
    }
  }
}

async function dmFigures (a: AgentNode, b: AgentNode, warmup: number, samples: number, pipelined: number): Promise<{ p50Ms: number, p99Ms: number, msgsPerSec: number }> {
  const received = new Counter()
  b.addEventListener('message.received', () => { received.add() })
  const content = 'x'.repeat(PAYLOAD)
  const to = b.peerId

  const latencies: number[] = []
  for (let i = 0; i < warmup + samples; i++) {
    const target = received.count + 1
    const start = performance.now()
    const delivered = received.reach(target)
    await a.send(to, { type: 'text', content })
    await delivered
    if (i >= warmup) latencies.push(performance.now() - start)
  }
  latencies.sort((x, y) => x - y)

  const target = received.count + pipelined
  const delivered = received.reach(target)
  const start = performance.now()
  const sends: Array<Promise<unknown>> = []
  for (let i = 0; i < pipelined; i++) sends.push(a.send(to, { type: 'text', content }))
  await Promise.all(sends)
  await delivered
  const seconds = (performance.now() - start) / 1000

  return { p50Ms: ms(percentile(latencies, 0.5)), p99Ms: ms(percentile(latencies, 0.99)), msgsPerSec: Math.round(pipelined / seconds) }
}

/** B acknowledges every complete 256-byte frame with one byte (bytes counted: chunks may split or coalesce). */
async function rawHandler (stream: Stream): Promise<void> {
  let partial = 0
  try {
    for await (const chunk of stream) {
      const total = partial + chunk.byteLength
      const frames = Math.floor(total / PAYLOAD)
      partial = total % PAYLOAD
      if (frames > 0 && !stream.send(new Uint8Array(frames))) await stream.onDrain()
    }
    await stream.close()
  } catch (err) {
    stream.abort(err as Error)
  }
}

async function rawFigures (a: AgentNode, b: AgentNode, warmup: number, samples: number, pipelined: number): Promise<{ rawP50Ms: number, rawMsgsPerSec: number }> {
  await b.libp2p.handle(RAW_PROTOCOL, async (stream) => { await rawHandler(stream) })
  const stream = await a.libp2p.dialProtocol(b.libp2p.peerId, RAW_PROTOCOL)
  const acks = new Counter()
  stream.addEventListener('message', (evt) => { acks.add(evt.data.byteLength) })
  const frame = new Uint8Array(PAYLOAD).fill(120)

  const rtts: number[] = []
  for (let i = 0; i < warmup + samples; i++) {
    const start = performance.now()
    const acked = acks.reach(acks.count + 1)
    if (!stream.send(frame)) await stream.onDrain()
    await acked
    if (i >= warmup) rtts.push(performance.now() - start)
  }
  rtts.sort((x, y) => x - y)

  const acked = acks.reach(acks.count + pipelined)
  const start = performance.now()
  for (let i = 0; i < pipelined; i++) {
    if (!stream.send(frame)) await stream.onDrain()
  }
  await acked
  const seconds = (performance.now() - start) / 1000

  await stream.close()
  await b.libp2p.unhandle(RAW_PROTOCOL)
  return { rawP50Ms: ms(percentile(rtts, 0.5)), rawMsgsPerSec: Math.round(pipelined / seconds) }
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const samples = flag(args, 'samples', 2000)
  const warmup = flag(args, 'warmup', 200)
  const pipelined = flag(args, 'pipelined', 5000)

  const dirs: string[] = []
  const nodes: AgentNode[] = []
  const start = async (options: { dhtServer?: boolean, bootstrap?: string[] }): Promise<AgentNode> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'agentmsg-bench-dm-'))
    dirs.push(dataDir)
    const node = await createAgentNode({ dataDir, listen: LISTEN, libp2p: { bootstrapOptions: { timeout: 0 } }, ...options })
    nodes.push(node)
    return node
  }

  try {
    const boot = await start({ dhtServer: true })
    const bootstrap = boot.addresses.filter(addr => !addr.includes('/ws'))
    const a = await start({ bootstrap })
    const b = await start({ bootstrap })
    await waitFor(async () => await a.getCard(b.peerId).then(() => true, () => false), 30_000, "A to resolve B's card")

    // X3DH and the DM stream: one message there and back before anything is timed
    const first = new Counter()
    const onFirst = (): void => { first.add() }
    b.addEventListener('message.received', onFirst)
    await a.send(b.peerId, { type: 'text', content: 'warm-up' })
    await first.reach(1)
    b.removeEventListener('message.received', onFirst)

    const dm = await dmFigures(a, b, warmup, samples, pipelined)
    const raw = await rawFigures(a, b, warmup, samples, pipelined)
    return { bench: 'dm', payload: PAYLOAD, samples, messages: pipelined, ...dm, ...raw }
  } finally {
    await Promise.allSettled(nodes.reverse().map(async node => { await node.stop() }))
    await Promise.all(dirs.map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  }
}
