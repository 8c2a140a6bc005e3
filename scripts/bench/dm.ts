/**
 * 1:1 messages between two real agent nodes: TCP on 127.0.0.1, level
 * databases in temp dirs, B's card found through a bootstrap node's DHT, one
 * warm-up message so the X3DH session and the DM stream exist. Payload: a
 * 256-character text.
 *
 * By default B, the receiver, runs in its own process (scripts/bench/dm-agent.ts,
 * one node process started with `--import tsx`, talking to this one over Node
 * IPC); the bootstrap node and A stay here. `--single-process` runs all three
 * nodes in this process, sharing one JS thread.
 * - latency: `A.send()` until B's `message.received` (decrypted and
 *   persisted), one message at a time; p50 / p99 of `--samples` after a
 *   warm-up. With two processes B stamps each receipt with its own clock
 *   (`performance.timeOrigin + performance.now()`, the same system clock as
 *   here) and reports it over IPC at once; p50Ms / p99Ms use that stamp when
 *   every stamp falls between its send and the moment this process learnt of
 *   it, else (clocks disagree) the moment this process learnt of it, IPC
 *   included. Which one, and both figures, go to stderr;
 * - throughput: `--pipelined` sends fired without waiting for delivery,
 *   from the first send until this process knows B received them all (with
 *   two processes B reports a count every 100 messages or 1 ms);
 * - producers (only with `--producers K`): K loops, each awaiting its own
 *   `send()` before the next (how concurrent HTTP API requests or agent tasks
 *   send), `--pipelined` messages in all to B: msgs/s until B received them
 *   all, and the p50 / p99 of one `send()` (until its message is queued on
 *   disk and handed to the transport);
 * - floor: a raw libp2p stream between the same two libp2p nodes (across the
 *   processes too), 256-byte frames each acknowledged with one byte:
 *   round-trip p50 of one frame at a time, and frames per second pipelined.
 *
 * Flags: --samples N (2000), --warmup N (200), --pipelined N (5000),
 * --producers K, --single-process, --child-cpu-prof DIR (run B under `--cpu-prof` into DIR),
 * --phase-prof DIR (profile the pipelined phase only, in each process:
 * DIR/A.cpuprofile and DIR/B.cpuprofile; summarise with scripts/bench/dm-prof.ts).
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { peerIdFromString } from '@libp2p/peer-id'
import { createAgentNode } from '../../src/node/agent-node.js'
import type { ChildMessage, ParentMessage } from './dm-agent.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { MessageRecord } from '../../src/store/index.js'
import type { Stream } from '@libp2p/interface'
import type { ChildProcess } from 'node:child_process'
import { flag, ms, percentile, stringFlag, wall } from './util.js'

const PAYLOAD = 256
export const RAW_PROTOCOL = '/agentmsg-bench/raw/1.0.0'
const LISTEN = ['/ip4/127.0.0.1/tcp/0']
const CHILD = fileURLToPath(new URL('./dm-agent.ts', import.meta.url))
/** set for the child by --phase-prof: where it writes its profile of the pipelined phase */
export const PHASE_PROF_ENV = 'AGENTMSG_BENCH_PHASE_PROF'

/** Start the V8 sampling profiler in this process; the returned function stops it and writes the profile to `file`. */
export async function startPhaseProfile (file: string): Promise<() => Promise<void>> {
  // loaded only when asked for, so a plain run does not load the inspector
  const { Session: InspectorSession } = await import('node:inspector/promises')
  const session = new InspectorSession()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    await writeFile(file, JSON.stringify(profile))
  }
}

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
  #reject?: (err: Error) => void
  #failed?: Error

  add (n = 1): void {
    this.count += n
    if (this.count >= this.#target) {
      const resolve = this.#resolve
      this.#target = Infinity
      this.#resolve = this.#reject = undefined
      resolve?.()
    }
  }

  /** The source is gone: rejects the pending `reach` and any later one. */
  fail (err: Error): void {
    this.#failed ??= err
    const reject = this.#reject
    this.#target = Infinity
    this.#resolve = this.#reject = undefined
    reject?.(err)
  }

  /** Resolves once `count >= target`; rejects if that takes longer than `timeout` ms (a lost message must not hang the bench). */
  async reach (target: number, timeout = 120_000): Promise<void> {
    if (this.count >= target) return
    if (this.#failed != null) throw this.#failed
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        this.#target = target
        this.#resolve = resolve
        this.#reject = reject
        timer = setTimeout(() => { reject(new Error(`stuck at ${this.count} of ${target}`)) }, timeout)
      })
    } finally {
      clearTimeout(timer)
    }
  }
}

/** One `message.received` on B: `at` on B's clock, `seenAt` when this process learnt of it (the same instant in one process). */
interface Receipt { id: string, at: number, seenAt: number }

/** B as this process sees it: wherever it runs, receipts are counted here. */
interface Receiver {
  peerId: string
  received: Counter
  /** the latest receipt reported one by one */
  last?: Receipt
  /**
   * Batched: B reports counts only (no ids or stamps) so reporting does not
   * become the bottleneck. Leaving batched mode resolves with the CPU time
   * (user + system, µs) B's process used while batched (undefined in one process).
   */
  batch(on: boolean): Promise<number | undefined>
}

interface DmFigures { p50Ms: number, p99Ms: number, msgsPerSec: number, cpuUsPerMsgA: number, cpuUsPerMsgB?: number }

const cpuUs = (u: NodeJS.CpuUsage): number => u.user + u.system

async function dmFigures (a: AgentNode, b: Receiver, warmup: number, samples: number, pipelined: number, processes: number, phaseProfDir?: string): Promise<DmFigures> {
  const content = 'x'.repeat(PAYLOAD)
  const to = b.peerId

  const viaClock: number[] = []
  const viaIpc: number[] = []
  const ipcDelivery: number[] = []
  let disordered = 0
  for (let i = 0; i < warmup + samples; i++) {
    const delivered = b.received.reach(b.received.count + 1)
    const start = wall()
    const { messageId } = await a.send(to, { type: 'text', content })
    await delivered
    const receipt = b.last!
    if (receipt.id !== messageId) throw new Error(`B reported ${receipt.id}, expected ${messageId}`)
    // B's stamp must fall between the send and the moment we heard of it
    if (receipt.at < start || receipt.at > receipt.seenAt) disordered++
    if (i >= warmup) {
      viaClock.push(receipt.at - start)
      viaIpc.push(receipt.seenAt - start)
      ipcDelivery.push(receipt.seenAt - receipt.at)
    }
  }
  for (const list of [viaClock, viaIpc, ipcDelivery]) list.sort((x, y) => x - y)
  const clocksAgree = disordered === 0
  const latencies = clocksAgree ? viaClock : viaIpc
  if (processes > 1) {
    const figures = (l: number[]): string => `p50 ${ms(percentile(l, 0.5))} ms, p99 ${ms(percentile(l, 0.99))} ms`
    console.error(`dm: latency reported from ${clocksAgree ? "B's clock" : 'the IPC receipt (B\'s clock disagreed)'}; ` +
      `to B's clock: ${figures(viaClock)}; to the IPC receipt: ${figures(viaIpc)}; ` +
      `IPC delivery min ${ms(ipcDelivery[0]! * 1000)} µs, p50 ${ms(percentile(ipcDelivery, 0.5) * 1000)} µs; ` +
      `${disordered} of ${warmup + samples} stamps out of order`)
  }

  await b.batch(true)
  const delivered = b.received.reach(b.received.count + pipelined)
  const stopProfile = phaseProfDir == null ? undefined : await startPhaseProfile(join(phaseProfDir, 'A.cpuprofile'))
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  const sends: Array<Promise<unknown>> = []
  for (let i = 0; i < pipelined; i++) sends.push(a.send(to, { type: 'text', content }))
  await Promise.all(sends)
  await delivered
  const seconds = (performance.now() - start) / 1000
  const cpuA = cpuUs(process.cpuUsage(cpuStart))
  const cpuB = await b.batch(false)
  await stopProfile?.()

  // CPU per message over the pipelined phase: far less sensitive to other load on the host than msgs/s
  const perMsg = (us: number): number => Math.round(us / pipelined)
  const figures: DmFigures = {
    p50Ms: ms(percentile(latencies, 0.5)),
    p99Ms: ms(percentile(latencies, 0.99)),
    msgsPerSec: Math.round(pipelined / seconds),
    cpuUsPerMsgA: perMsg(cpuA)
  }
  if (cpuB != null) figures.cpuUsPerMsgB = perMsg(cpuB)
  console.error(processes > 1
    ? `dm: pipelined CPU per message: A ${figures.cpuUsPerMsgA} µs (with the bootstrap node), B ${figures.cpuUsPerMsgB ?? '?'} µs; ${ms(seconds)} s wall`
    : `dm: pipelined CPU per message: ${figures.cpuUsPerMsgA} µs (A, B and the bootstrap node together); ${ms(seconds)} s wall`)
  return figures
}

interface ProducerFigures { producers: number, producersMsgsPerSec: number, producersSendP50Ms: number, producersSendP99Ms: number }

/** `producers` loops, each awaiting its own send, `total` messages in all (B in batched mode). */
async function producerFigures (a: AgentNode, b: Receiver, producers: number, total: number): Promise<ProducerFigures> {
  const content = 'x'.repeat(PAYLOAD)
  await b.batch(true)
  const delivered = b.received.reach(b.received.count + total)
  const sendMs: number[] = []
  let next = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: producers }, async () => {
    while (next < total) {
      next++
      const sent = performance.now()
      await a.send(b.peerId, { type: 'text', content })
      sendMs.push(performance.now() - sent)
    }
  }))
  await delivered
  const seconds = (performance.now() - start) / 1000
  await b.batch(false)
  sendMs.sort((x, y) => x - y)
  return {
    producers,
    producersMsgsPerSec: Math.round(total / seconds),
    producersSendP50Ms: ms(percentile(sendMs, 0.5)),
    producersSendP99Ms: ms(percentile(sendMs, 0.99))
  }
}

/** B acknowledges every complete 256-byte frame with one byte (bytes counted: chunks may split or coalesce). */
export async function rawHandler (stream: Stream): Promise<void> {
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

/** Over a raw stream to B, whose node handles RAW_PROTOCOL with `rawHandler`. */
async function rawFigures (a: AgentNode, b: Receiver, warmup: number, samples: number, pipelined: number): Promise<{ rawP50Ms: number, rawMsgsPerSec: number }> {
  const stream = await a.libp2p.dialProtocol(peerIdFromString(b.peerId), RAW_PROTOCOL)
  const acks = new Counter()
  stream.addEventListener('message', (evt) => { acks.add(evt.data.byteLength) })
  // a stream that ends (its connection aborted, say) fails the phase at once instead of after reach's timeout
  stream.addEventListener('close', (evt) => {
    const why = (evt as Event & { error?: Error }).error
    acks.fail(new Error(`raw stream closed after ${acks.count} acks${why == null ? '' : `: ${why.message}`}`))
  })
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
  return { rawP50Ms: ms(percentile(rtts, 0.5)), rawMsgsPerSec: Math.round(pipelined / seconds) }
}

/** B in this process. */
async function localReceiver (b: AgentNode): Promise<Receiver> {
  await b.libp2p.handle(RAW_PROTOCOL, async (stream) => { await rawHandler(stream) })
  const receiver: Receiver = { peerId: b.peerId, received: new Counter(), batch: async () => undefined }
  b.addEventListener('message.received', (evt) => {
    const at = wall()
    receiver.last = { id: (evt as CustomEvent<MessageRecord>).detail.messageId, at, seenAt: at }
    receiver.received.add()
  })
  return receiver
}

/** Whether the process has exited (`exit` may not have been emitted yet). */
const gone = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null

/** B in a child process: resolves once it is ready; `child` is set at once so it can be killed whatever happens. */
async function childReceiver (holder: { child?: ChildProcess }, dataDir: string, bootstrap: string, cpuProfDir?: string, phaseProfDir?: string): Promise<Receiver> {
  const execArgv = cpuProfDir == null ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`]
  const env = phaseProfDir == null ? process.env : { ...process.env, [PHASE_PROF_ENV]: join(phaseProfDir, 'B.cpuprofile') }
  // one process (not tsx's CLI, which forks): killing it kills the node
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', CHILD, dataDir, bootstrap], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env })
  holder.child = child
  const received = new Counter()
  let modeChanged: ((cpuUs?: number) => void) | undefined
  const post = async (msg: ParentMessage): Promise<void> => {
    await new Promise<void>((resolve, reject) => { child.send(msg, err => { if (err == null) resolve(); else reject(err) }) })
  }
  return await new Promise<Receiver>((resolve, reject) => {
    const receiver: Receiver = {
      peerId: '',
      received,
      batch: async (on) => {
        const changed = new Promise<number | undefined>(resolve => { modeChanged = resolve })
        await post({ t: 'mode', batch: on })
        return await changed
      }
    }
    child.on('message', (msg: ChildMessage) => {
      const seenAt = wall()
      switch (msg.t) {
        case 'r':
          receiver.last = { id: msg.id, at: msg.at, seenAt }
          received.add()
          break
        case 'n':
          received.add(msg.n)
          break
        case 'mode':
          modeChanged?.(msg.cpuUs)
          break
        case 'ready':
          receiver.peerId = msg.peerId
          resolve(receiver)
          break
      }
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      const err = new Error(`B's process exited (${signal ?? code})`)
      reject(err) // before it was ready
      // a receiver gone mid-run must not leave the bench waiting for counts
      received.fail(err)
      modeChanged?.()
    })
  })
}

/** Asks the child to stop, kills it if it has not exited within 10 s. */
async function stopChild (child: ChildProcess): Promise<void> {
  if (gone(child)) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  if (child.connected) child.send({ t: 'stop' } satisfies ParentMessage, () => {})
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
  await exited
  clearTimeout(timer)
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const samples = flag(args, 'samples', 2000)
  const warmup = flag(args, 'warmup', 200)
  const pipelined = flag(args, 'pipelined', 5000)
  const single = args.includes('--single-process')
  const producers = args.includes('--producers') ? flag(args, 'producers', 1) : undefined
  const cpuProfDir = stringFlag(args, 'child-cpu-prof')
  if (single && cpuProfDir != null) throw new Error('--child-cpu-prof needs two processes')
  const phaseProfDir = stringFlag(args, 'phase-prof')
  if (single && phaseProfDir != null) throw new Error('--phase-prof needs two processes')
  if (phaseProfDir != null) await mkdir(phaseProfDir, { recursive: true })
  const processes = single ? 1 : 2

  const dirs: string[] = []
  const nodes: AgentNode[] = []
  const holder: { child?: ChildProcess } = {}
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'agentmsg-bench-dm-'))
    dirs.push(dir)
    return dir
  }
  const start = async (options: { dhtServer?: boolean, bootstrap?: string[] }): Promise<AgentNode> => {
    // the bench measures throughput: the 120-DMs-a-minute limit per peer is lifted
    const node = await createAgentNode({ dataDir: await tempDir(), listen: LISTEN, libp2p: { bootstrapOptions: { timeout: 0 } }, rateLimits: { dmsPerMinute: Infinity }, ...options })
    nodes.push(node)
    return node
  }

  try {
    const boot = await start({ dhtServer: true })
    const bootstrap = boot.addresses.filter(addr => !addr.includes('/ws'))
    const a = await start({ bootstrap })
    const b = single
      ? await localReceiver(await start({ bootstrap }))
      : await childReceiver(holder, await tempDir(), bootstrap[0]!, cpuProfDir, phaseProfDir)
    await waitFor(async () => await a.getCard(b.peerId).then(() => true, () => false), 30_000, "A to resolve B's card")

    // X3DH and the DM stream: one message there and back before anything is timed
    const first = b.received.reach(b.received.count + 1)
    await a.send(b.peerId, { type: 'text', content: 'warm-up' })
    await first

    const dm = await dmFigures(a, b, warmup, samples, pipelined, processes, phaseProfDir)
    const concurrent = producers === undefined ? {} : await producerFigures(a, b, producers, pipelined)
    // the floor failing (it has no retries: a lost connection ends it) does not throw the figures above away
    const raw = await rawFigures(a, b, warmup, samples, pipelined).catch((err: Error) => {
      process.stderr.write(`dm: raw floor failed: ${err.message}; connections A-B now: ${a.libp2p.getConnections(peerIdFromString(b.peerId)).length}\n`)
      return { rawError: err.message }
    })
    return { bench: 'dm', payload: PAYLOAD, samples, messages: pipelined, ...dm, ...concurrent, ...raw, processes }
  } finally {
    await Promise.allSettled([
      ...(holder.child == null ? [] : [stopChild(holder.child)]),
      ...nodes.reverse().map(async node => { await node.stop() })
    ])
    await Promise.all(dirs.map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  }
}
