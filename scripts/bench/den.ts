/**
 * One author posting to a den of `--nodes` (50) member nodes: how long a post
 * takes to reach every member, and whether it does.
 *
 * The bootstrap node (DHT server) and the author run in this process; the
 * members run in `--processes` (5) child processes of
 * scripts/bench/den-agent.ts (started as `node --import tsx`, nodes split
 * evenly), talking to this one over Node IPC. All TCP on 127.0.0.1, real level
 * databases in one temp dir (removed at the end).
 *
 * Setup (`setupMs`, from the first node's start until the first measured
 * post): every node starts; the author creates the den. A public den
 * (`--kind public`, the default) is announced on the directory and each member
 * joins it by id once it knows it (the join connects it to the owner, provides
 * the den in the DHT and dials up to 8 other providers). A private den
 * (`--kind private`) lists all members; the owner's invitation and sender key,
 * and every member's own sender key to every other member, travel over 1:1
 * sessions. Then this process waits until the author sees every member
 * subscribed to the den's topic (at most 20 s: members it is not connected
 * to are reached through the mesh), and for warm-up posts (at least `--warmup`,
 * 3) until one reaches every member.
 *
 * Measured: `--posts` (100) posts of a 256-character text, **one at a time**
 * (post, wait until every member has it or `--timeout` ms (10,000) passed,
 * next), or with `--rate R` at a fixed R posts a second regardless of
 * delivery. Latency of a (post, member) pair: from the author's
 * `dens.post()` call (stamped just before it) to that member's `den.message`
 * event (verified, decrypted, stored), stamped in the member's event handler
 * with its own clock (`performance.timeOrigin + performance.now()`, the same
 * system clock in every process) and reported over IPC. p50 / p99 over all
 * delivered pairs; `deliveryRatio` = delivered pairs / (posts × nodes), a pair
 * not delivered by `--timeout` ms after the last post counts as missing.
 *
 * CPU: each process's CPU time (user + system, all threads) over the measured
 * phase; `cpuUsPerDelivery` is the members' processes' total divided by the
 * delivered pairs, `cpuUsPerPostAuthor` this process's (author and the idle
 * bootstrap node) divided by the posts. Both include what the nodes cost
 * with nothing posted (gossipsub heartbeats, DHT, pings, setup still
 * settling): that is measured over an `--idle` ms (3,000) window after the
 * posts, and the `busy…` figures take it off (the idle rate times the
 * measured phase's length): a rough split, the background is not steady.
 *
 * Floor (after the den's measured phase and idle window, or instead of them
 * with `--floor-only`): the same nodes, processes and connections with no
 * agentmsg code on the message path. The author and every member subscribe,
 * on their own libp2p's gossipsub (options as for the den, StrictSign
 * included), to the plain topic FLOOR_TOPIC, which has no topic validator
 * (gossipsub then accepts what verifies) and which the den manager ignores.
 * Once each member sees there every peer it sees on the den's topic, with
 * a mesh of min(Dlo, its den mesh) (at most 30 s), the author sees as many
 * subscribers as on the den's topic (at most 20 s) and a warm-up (at least
 * `--warmup`) reached every member, the author publishes `--posts` messages
 * (an 8-byte index + 256 bytes) **one at a time** (whatever `--rate` says),
 * stamped just before `pubsub.publish()`; members stamp their gossipsub
 * `message` event the same way and report it over the same IPC.
 * `floorP50Ms` / `floorP99Ms` / `floorDeliveryRatio` as for the den;
 * `floorCpuUsPerDelivery`: the members' processes' CPU over the floor's
 * measured phase / delivered pairs (background included, as in
 * `cpuUsPerDelivery`). If no floor warm-up of `--warmup` + 20 reaches every
 * member, the line has `floorError` instead (the den's figures stay). Under
 * 512 bytes, the floor's messages get no IDONTWANT (the den's envelopes do).
 * With `--floor-only` the floor runs right after the den's warm-ups, when
 * members may have fewer connections than after the den's posts, so a smaller
 * mesh (stderr shows each member's mesh on both topics).
 *
 * The bench raises the 20-posts-a-minute limit per author (on the author and
 * in every member's validator) with the `denPostsPerMinute` node option.
 *
 * Flags: --nodes N (50), --processes P (5), --posts N (100), --warmup N (3),
 * --rate R (posts/s; default one at a time), --timeout MS (10000), --idle MS (3000),
 * --kind public|private, --child-cpu-prof DIR (members under `--cpu-prof`),
 * --gossipsub JSON (gossipsub options for every node, over the defaults, e.g.
 * '{"D":4,"Dlo":3,"Dhi":6}': for trying settings before they become defaults),
 * --connection-monitor JSON (libp2p's connection monitor options, the same way,
 * e.g. '{"enabled":false}'),
 * --phase-prof DIR (each members' process profiled over the measured phase
 * only, the den's or with --floor-only the floor's, `members-<p>.cpuprofile`;
 * summarise with scripts/bench/dm-prof.ts),
 * --floor-only (skip the den's measured phase and idle window: setup, then the floor).
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAgentNode } from '../../src/node/agent-node.js'
import { denTopic } from '../../src/protocols/den/descriptor.js'
import type { DenChildMessage, DenParentMessage, PhaseStats } from './den-agent.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { ChildProcess } from 'node:child_process'
import { flag as positiveFlag, ms, percentile, stringFlag, wall } from './util.js'

const flag = (args: string[], name: string, fallback: number): number => positiveFlag(args, name, fallback, false)

const PAYLOAD = 256
/** A den post's text: PAYLOAD characters */
const TEXT = 'x'.repeat(PAYLOAD)
const LISTEN = ['/ip4/127.0.0.1/tcp/0']
const CHILD = fileURLToPath(new URL('./den-agent.ts', import.meta.url))
/** set for a members' process by --phase-prof: where it writes its profile of the measured phase */
export const PHASE_PROF_ENV = 'AGENTMSG_BENCH_DEN_PHASE_PROF'
/** set for a members' process by --gossipsub: the JSON of gossipsub options over the defaults */
export const GOSSIPSUB_ENV = 'AGENTMSG_BENCH_DEN_GOSSIPSUB'
/** set for a members' process by --connection-monitor: the JSON of its options over the defaults */
export const MONITOR_ENV = 'AGENTMSG_BENCH_DEN_MONITOR'
/** Posts per minute a node accepts from one author in one den: the bench posts faster than the default 20. */
export const BENCH_POSTS_PER_MINUTE = 1_000_000

/** Polls `fn` until it returns true; rejects after `timeout` ms. */
async function waitFor (fn: () => boolean, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout
  while (!fn()) {
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

/** Like Promise.all, but waits for every promise to settle first (no rejection is left unhandled). */
async function all<T> (promises: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(promises)
  const failed = settled.find(s => s.status === 'rejected')
  if (failed != null) throw failed.reason
  return settled.map(s => (s as PromiseFulfilledResult<T>).value)
}

const cpuUs = (u: NodeJS.CpuUsage): number => u.user + u.system

/** Whether the process has exited (`exit` may not have been emitted yet). */
const gone = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null

/** Who received which post when: fed by the children's reports, checked by waiters on every report. */
class Receipts {
  /** message id → member index → stamp on the member's clock */
  readonly byPost = new Map<string, Map<number, number>>()
  readonly #waiters = new Set<() => void>()
  #failed?: Error

  add (batch: Array<[number, string, number]>): void {
    for (const [member, id, at] of batch) {
      let got = this.byPost.get(id)
      if (got == null) this.byPost.set(id, got = new Map())
      if (!got.has(member)) got.set(member, at)
    }
    for (const check of [...this.#waiters]) check()
  }

  count (id: string): number {
    return this.byPost.get(id)?.size ?? 0
  }

  /** A member process is gone: every wait ends now (and reports what it has). */
  fail (err: Error): void {
    this.#failed ??= err
    for (const check of [...this.#waiters]) check()
  }

  get failed (): Error | undefined { return this.#failed }

  /** Resolves true once `done()` holds, false after `timeout` ms or when a member process died. */
  async until (done: () => boolean, timeout: number): Promise<boolean> {
    if (done()) return true
    if (this.#failed != null) return false
    return await new Promise<boolean>(resolve => {
      const finish = (result: boolean): void => {
        clearTimeout(timer)
        this.#waiters.delete(check)
        resolve(result)
      }
      const check = (): void => {
        if (done()) finish(true)
        else if (this.#failed != null) finish(false)
      }
      const timer = setTimeout(() => { finish(false) }, timeout)
      this.#waiters.add(check)
    })
  }
}

/** One child process of members, as this process sees it. */
class Members {
  peerIds: string[] = []
  readonly #child: ChildProcess
  readonly #next = new Map<string, Array<(msg: DenChildMessage) => void>>()
  #exited?: Error

  constructor (child: ChildProcess, receipts: Receipts) {
    this.#child = child
    child.on('message', (msg: DenChildMessage) => {
      if (msg.t === 'r') {
        receipts.add(msg.r)
        return
      }
      if (msg.t === 'error') {
        this.#fail(new Error(`member process: ${msg.message}`))
        return
      }
      const waiting = this.#next.get(msg.t)?.shift()
      waiting?.(msg)
    })
    child.on('exit', (code, signal) => {
      const err = new Error(`a member process exited (${signal ?? code})`)
      this.#fail(err)
      receipts.fail(err)
    })
  }

  get child (): ChildProcess { return this.#child }

  #fail (err: Error): void {
    this.#exited ??= err
    for (const list of this.#next.values()) for (const waiting of list.splice(0)) waiting({ t: 'error', message: err.message })
  }

  /** The next message of type `t` from the child; rejects if it fails, exits or takes longer than `timeout` ms. */
  async next<T extends DenChildMessage['t']> (t: T, timeout: number): Promise<Extract<DenChildMessage, { t: T }>> {
    if (this.#exited != null) throw this.#exited
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const msg = await new Promise<DenChildMessage>((resolve, reject) => {
        let list = this.#next.get(t)
        if (list == null) this.#next.set(t, list = [])
        list.push(resolve)
        timer = setTimeout(() => { reject(new Error(`timed out waiting for a member process's ${t}`)) }, timeout)
      })
      if (msg.t === 'error') throw new Error(msg.message)
      return msg as Extract<DenChildMessage, { t: T }>
    } finally {
      clearTimeout(timer)
    }
  }

  async send (msg: DenParentMessage): Promise<void> {
    await new Promise<void>((resolve, reject) => { this.#child.send(msg, err => { if (err == null) resolve(); else reject(err) }) })
  }

  /** Asks the child to stop, kills it if it has not exited within 15 s. */
  async stop (): Promise<void> {
    const child = this.#child
    if (gone(child)) return
    const exited = new Promise(resolve => child.once('exit', resolve))
    if (child.connected) child.send({ t: 'stop' } satisfies DenParentMessage, () => {})
    const timer = setTimeout(() => { child.kill('SIGKILL') }, 15_000)
    await exited
    clearTimeout(timer)
  }
}

/** What a measured phase works with: the author posting, the members' processes and their receipts. */
interface Phase {
  author: AgentNode
  members: Members[]
  receipts: Receipts
  /** members */
  n: number
  posts: number
  /** ms to wait for a post to reach every member */
  timeout: number
}

/** Each members' process's CPU since its previous `cpu` request (the first request opens a phase, the next closes it). */
async function membersCpu (members: Members[]): Promise<Array<Extract<DenChildMessage, { t: 'cpu' }>>> {
  return await all(members.map(async m => { const cpu = m.next('cpu', 30_000); await m.send({ t: 'cpu' }); return await cpu }))
}

/** Latency of every delivered (post, member) pair, ascending; `early`: stamps before their post (clocks disagree). */
function latenciesOf (started: Map<string, number>, receipts: Receipts): { latencies: number[], early: number } {
  const latencies: number[] = []
  let early = 0
  for (const [id, at0] of started) {
    for (const at of receipts.byPost.get(id)?.values() ?? []) {
      if (at < at0) early++
      latencies.push(at - at0)
    }
  }
  return { latencies: latencies.sort((x, y) => x - y), early }
}

interface DenFigures {
  p50Ms: number | null
  p99Ms: number | null
  deliveryRatio: number
  cpuUsPerDelivery: number
  cpuUsPerPostAuthor: number
  busyCpuUsPerDelivery: number
  busyCpuUsPerPostAuthor: number
  idleCpuPctMembers: number
}

/** The den's measured phase: `posts` posts one at a time (or at `rate` a second), then an idle window of `idleMs`. */
async function measureDen ({ author, members, receipts, n, posts, timeout }: Phase, denId: string, rateArg: number | undefined, idleMs: number): Promise<DenFigures> {
  await membersCpu(members)
  const cpuStart = process.cpuUsage()
  const started = new Map<string, number>()
  const measureStart = performance.now()
  if (rateArg == null) {
    for (let i = 0; i < posts; i++) {
      const at = wall()
      const { messageId } = await author.dens.post(denId, { type: 'text', content: TEXT })
      started.set(messageId, at)
      await receipts.until(() => receipts.count(messageId) >= n, timeout)
      if (receipts.failed != null) throw receipts.failed
    }
  } else {
    // a fixed rate: the i-th post at measureStart + i / rate, whether or not the earlier ones arrived
    const sends: Array<Promise<void>> = []
    for (let i = 0; i < posts; i++) {
      const due = measureStart + i * 1000 / rateArg - performance.now()
      if (due > 0) await new Promise(resolve => setTimeout(resolve, due))
      const at = wall()
      sends.push(author.dens.post(denId, { type: 'text', content: TEXT }).then(({ messageId }) => { started.set(messageId, at) }))
    }
    await all(sends)
  }
  const ids = [...started.keys()]
  await receipts.until(() => ids.every(id => receipts.count(id) >= n), timeout)
  const measureSeconds = (performance.now() - measureStart) / 1000
  const cpuAuthor = process.cpuUsage(cpuStart)
  const childCpu = await membersCpu(members)

  // ---- idle, after the posts: what the nodes cost with nothing posted (heartbeats, DHT, pings), over --idle ms ----
  const idleCpuStart = process.cpuUsage()
  const idleStart = performance.now()
  await new Promise(resolve => setTimeout(resolve, idleMs))
  const idleSeconds = (performance.now() - idleStart) / 1000
  const idleAuthorUs = cpuUs(process.cpuUsage(idleCpuStart))
  const idleChildUs = (await membersCpu(members)).reduce((sum, c) => sum + c.us, 0)

  // ---- figures --------------------------------------------------------------
  const latencies: number[] = []
  let early = 0
  const perProcess = members.map(() => 0)
  const processOf = (member: number): number => {
    let first = 0
    for (const [p, m] of members.entries()) {
      if (member < first + m.peerIds.length) return p
      first += m.peerIds.length
    }
    return -1
  }
  for (const [id, at0] of started) {
    for (const [member, at] of receipts.byPost.get(id) ?? []) {
      if (at < at0) early++
      latencies.push(at - at0)
      perProcess[processOf(member)]!++
    }
  }
  latencies.sort((x, y) => x - y)
  const expected = posts * n
  const childUs = childCpu.reduce((sum, c) => sum + c.us, 0)
  const authorUs = cpuUs(cpuAuthor)
  // background CPU (what the idle window cost per second) over the measured phase, taken off
  const idleMembersPerSec = idleChildUs / idleSeconds
  const busyChildUs = Math.max(0, childUs - idleMembersPerSec * measureSeconds)
  const busyAuthorUs = Math.max(0, authorUs - idleAuthorUs / idleSeconds * measureSeconds)
  const total = (key: keyof PhaseStats): number => childCpu.reduce((sum, c) => sum + c.stats[key], 0)
  const accepted = total('accepted')
  const rejected = total('rejected')
  const perDelivery = (x: number): number => Math.round(x / Math.max(1, latencies.length) * 100) / 100
  console.error(`den: ${latencies.length} of ${expected} (post, member) pairs delivered in ${ms(measureSeconds)} s; ` +
    `${early} stamped before their post (clocks disagree); p90 ${ms(percentile(latencies, 0.9))} ms, max ${ms(latencies.at(-1) ?? NaN)} ms; ` +
    `CPU over the measured phase: author's process ${Math.round(authorUs / 1000)} ms (${Math.round(authorUs / posts)} µs a post), ` +
    `members' processes ${childCpu.map((c, p) => `${Math.round(c.us / 1000)} ms (${Math.round(c.us / Math.max(1, perProcess[p]!))} µs a delivery)`).join(', ')}; ` +
    `member validators: ${accepted} accepted, ${rejected} rejected; ` +
    `members' gossipsub per delivery: ${perDelivery(total('rpcsIn'))} RPCs in, ${perDelivery(total('copies'))} copies in, ` +
    `${perDelivery(total('idontwantIn'))} IDONTWANT ids in, ${perDelivery(total('ihaveIn'))} IHAVE ids in, ${perDelivery(total('rpcsOut'))} RPCs out; ` +
    `idle (${idleMs} ms): members' processes ${Math.round(idleMembersPerSec / 10_000)} % of a core, author's ${Math.round(idleAuthorUs / idleSeconds / 10_000)} %`)
  return {
    p50Ms: latencies.length === 0 ? null : ms(percentile(latencies, 0.5)),
    p99Ms: latencies.length === 0 ? null : ms(percentile(latencies, 0.99)),
    deliveryRatio: Math.round(latencies.length / expected * 10_000) / 10_000,
    cpuUsPerDelivery: Math.round(childUs / Math.max(1, latencies.length)),
    cpuUsPerPostAuthor: Math.round(authorUs / posts),
    busyCpuUsPerDelivery: Math.round(busyChildUs / Math.max(1, latencies.length)),
    busyCpuUsPerPostAuthor: Math.round(busyAuthorUs / posts),
    idleCpuPctMembers: Math.round(idleMembersPerSec / 10_000)
  }
}

/**
 * The floor's topic: plain gossipsub, with no topic validator (gossipsub
 * accepts a message on a topic without one once its StrictSign signature
 * verifies) and no agentmsg handler (the den manager's ignores topics outside
 * `/agentmsg/den/` and the directory's).
 */
export const FLOOR_TOPIC = '/agentmsg-bench/floor/1.0.0'
/** Bytes before a floor message's payload: its index, big-endian, which names its receipts. */
const FLOOR_INDEX = 8

/** The `index`-th floor message: the index, then PAYLOAD bytes. */
export function floorMessage (index: number): Uint8Array {
  const data = new Uint8Array(FLOOR_INDEX + PAYLOAD).fill(0x78)
  new DataView(data.buffer).setBigUint64(0, BigInt(index))
  return data
}

/** A floor message's receipt id, `floor/<index>` (no den message id looks like that); undefined for data of the wrong size. */
export function floorId (data: Uint8Array): string | undefined {
  if (data.byteLength !== FLOOR_INDEX + PAYLOAD) return undefined
  return `floor/${new DataView(data.buffer, data.byteOffset, FLOOR_INDEX).getBigUint64(0)}`
}

interface FloorFigures {
  floorP50Ms: number | null
  floorP99Ms: number | null
  floorDeliveryRatio: number
  floorCpuUsPerDelivery: number
}

/** The den the floor runs beside: its topic (whose subscribers the floor's should match), and what `diag` needs. */
interface FloorDen { topic: string, denId: string, owner: string, warmup: number }

/** Asks the members' processes why `missing` members did not get a message on `topic` (stderr only). */
async function describeMisses (members: Members[], den: { denId: string, owner: string }, topic: string, missing: number[]): Promise<void> {
  const diag = await all(members.map(async m => { const d = m.next('diag', 30_000); await m.send({ t: 'diag', topic, denId: den.denId, owner: den.owner, members: missing }); return await d }))
  console.error(`den: missed by ${JSON.stringify(diag.flatMap(d => d.nodes))}`)
}

/** Members (global indexes) that have no receipt for `id`. */
function missingFor (receipts: Receipts, id: string, n: number): number[] {
  const got = receipts.byPost.get(id)
  return Array.from({ length: n }, (_, i) => i).filter(i => got?.has(i) !== true)
}

/**
 * The floor: what the same nodes, over the same connections, cost without
 * agentmsg on the message path. Every node that is in the den (the author
 * and every member, not the bootstrap node) subscribes to FLOOR_TOPIC on its
 * own libp2p's gossipsub, so transports, muxer, Noise, gossipsub options and
 * processes are the den run's; the author publishes `posts` messages one at a
 * time with `pubsub.publish()` (StrictSign: signed here, verified by every
 * receiver), and each member stamps its gossipsub `message` event. Waits
 * first until every member's process reports its floor mesh formed, the
 * author sees as many floor subscribers as den subscribers, and warm-ups
 * (at least `den.warmup`) until one reaches every member.
 */
async function measureFloor ({ author, members, receipts, n, posts, timeout }: Phase, den: FloorDen): Promise<FloorFigures> {
  const pubsub = author.libp2p.services.pubsub
  const setupStart = performance.now()
  pubsub.subscribe(FLOOR_TOPIC)
  const meshes = await all(members.map(async m => { const reply = m.next('floor', 60_000); await m.send({ t: 'floor', topic: FLOOR_TOPIC, denTopic: den.topic }); return await reply }))
  // the author is connected to the members it was connected to on the den's topic: it should see them all here too
  const denSubscribers = pubsub.getSubscribers(den.topic).length
  await waitFor(() => pubsub.getSubscribers(FLOOR_TOPIC).length >= denSubscribers, 20_000, 'the author to see the den\'s subscribers on the floor topic').catch(() => {})

  let index = 0
  /** Publishes the next floor message; resolves with its receipt id and its stamp (taken just before publishing). */
  const publish = async (): Promise<[string, number]> => {
    const data = floorMessage(index++)
    const at = wall()
    await pubsub.publish(FLOOR_TOPIC, data)
    return [floorId(data)!, at]
  }
  let warmups = 0
  for (let reached = 0; warmups < den.warmup || reached === 0; warmups++) {
    if (warmups >= den.warmup + 20) throw new Error(`no floor warm-up of ${warmups} reached all ${n} members`)
    const [id] = await publish()
    const t0 = performance.now()
    if (await receipts.until(() => receipts.count(id) >= n, timeout)) reached++
    console.error(`den floor: warm-up ${warmups + 1}: ${receipts.count(id)} of ${n} members in ${Math.round(performance.now() - t0)} ms`)
    if (receipts.count(id) < n) await describeMisses(members, den, FLOOR_TOPIC, missingFor(receipts, id, n))
    if (receipts.failed != null) throw receipts.failed
  }
  const range = (sizes: number[]): string => `${Math.min(...sizes)} – ${Math.max(...sizes)}`
  console.error(`den floor: setup ${Math.round(performance.now() - setupStart)} ms; members' floor mesh ` +
    `${meshes.every(m => m.formed) ? 'formed' : `NOT formed in 30 s: ${JSON.stringify(meshes.flatMap(m => m.unformed))}`} (${range(meshes.flatMap(m => m.mesh))} peers; ` +
    `${range(meshes.flatMap(m => m.denMesh))} on the den's topic); ` +
    `author: ${pubsub.getSubscribers(FLOOR_TOPIC).length} floor subscribers (${denSubscribers} on the den's topic), ` +
    `${(pubsub as unknown as { getMeshPeers(topic: string): string[] }).getMeshPeers(FLOOR_TOPIC).length} in its floor mesh; ${warmups} warm-ups`)

  // ---- measured: one at a time, as the den's default pacing ----
  await membersCpu(members)
  const cpuStart = process.cpuUsage()
  const started = new Map<string, number>()
  const measureStart = performance.now()
  for (let i = 0; i < posts; i++) {
    const [id, at] = await publish()
    started.set(id, at)
    await receipts.until(() => receipts.count(id) >= n, timeout)
    if (receipts.failed != null) throw receipts.failed
  }
  const ids = [...started.keys()]
  await receipts.until(() => ids.every(id => receipts.count(id) >= n), timeout)
  const measureSeconds = (performance.now() - measureStart) / 1000
  const authorUs = cpuUs(process.cpuUsage(cpuStart))
  const childCpu = await membersCpu(members)

  const { latencies, early } = latenciesOf(started, receipts)
  const expected = posts * n
  const childUs = childCpu.reduce((sum, c) => sum + c.us, 0)
  const total = (key: keyof PhaseStats): number => childCpu.reduce((sum, c) => sum + c.stats[key], 0)
  const perDelivery = (x: number): number => Math.round(x / Math.max(1, latencies.length) * 100) / 100
  console.error(`den floor: ${latencies.length} of ${expected} (message, member) pairs delivered in ${ms(measureSeconds)} s; ` +
    `${early} stamped before their message; p90 ${ms(percentile(latencies, 0.9))} ms, max ${ms(latencies.at(-1) ?? NaN)} ms; ` +
    `CPU: author's process ${Math.round(authorUs / 1000)} ms (${Math.round(authorUs / posts)} µs a message), ` +
    `members' processes ${childCpu.map(c => `${Math.round(c.us / 1000)} ms`).join(', ')}; ` +
    // agentmsg's validators (dens and the directory) must not see the floor's messages: 0, or a directory announcement
    `members' agentmsg validators: ${total('accepted')} accepted, ${total('rejected')} rejected, ${total('ignored')} ignored; ` +
    `members' gossipsub per delivery: ${perDelivery(total('rpcsIn'))} RPCs in, ${perDelivery(total('copies'))} copies in, ` +
    `${perDelivery(total('idontwantIn'))} IDONTWANT ids in, ${perDelivery(total('ihaveIn'))} IHAVE ids in, ${perDelivery(total('rpcsOut'))} RPCs out`)
  return {
    floorP50Ms: latencies.length === 0 ? null : ms(percentile(latencies, 0.5)),
    floorP99Ms: latencies.length === 0 ? null : ms(percentile(latencies, 0.99)),
    floorDeliveryRatio: Math.round(latencies.length / expected * 10_000) / 10_000,
    floorCpuUsPerDelivery: Math.round(childUs / Math.max(1, latencies.length))
  }
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const n = Math.round(flag(args, 'nodes', 50))
  const processes = Math.min(n, Math.round(flag(args, 'processes', 5)))
  const posts = Math.round(flag(args, 'posts', 100))
  const warmup = Math.round(flag(args, 'warmup', 3))
  const timeout = flag(args, 'timeout', 10_000)
  const rateArg = args.includes('--rate') ? flag(args, 'rate', 1) : undefined
  const kind = stringFlag(args, 'kind') ?? 'public'
  if (kind !== 'public' && kind !== 'private') throw new Error('--kind is public or private')
  const cpuProfDir = stringFlag(args, 'child-cpu-prof')
  const phaseProfDir = stringFlag(args, 'phase-prof')
  const gossipsubJson = stringFlag(args, 'gossipsub')
  const monitorJson = stringFlag(args, 'connection-monitor')
  const connectionMonitor = monitorJson == null ? undefined : JSON.parse(monitorJson) as Record<string, unknown>
  const floorOnly = args.includes('--floor-only')
  const idleMs = flag(args, 'idle', 3000)
  const gossipsub = gossipsubJson == null ? undefined : JSON.parse(gossipsubJson) as Record<string, unknown>
  if (phaseProfDir != null) await mkdir(phaseProfDir, { recursive: true })

  const dir = await mkdtemp(join(tmpdir(), 'agentmsg-bench-den-'))
  const nodes: AgentNode[] = []
  const members: Members[] = []
  const receipts = new Receipts()
  const start = async (name: string, options: { dhtServer?: boolean, bootstrap?: string[] }): Promise<AgentNode> => {
    const node = await createAgentNode({
      dataDir: join(dir, name), listen: LISTEN, discoverRelays: 0, denPostsPerMinute: BENCH_POSTS_PER_MINUTE, libp2p: { bootstrapOptions: { timeout: 0 }, gossipsub, connectionMonitor }, ...options
    })
    nodes.push(node)
    return node
  }

  try {
    const setupStart = performance.now()
    const boot = await start('bootstrap', { dhtServer: true })
    const bootstrap = boot.addresses.filter(addr => !addr.includes('/ws'))
    const author = await start('author', { bootstrap })

    // the members: n split evenly over the processes
    const execArgv = cpuProfDir == null ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`]
    for (let p = 0, first = 0; p < processes; p++) {
      const count = Math.floor(n / processes) + (p < n % processes ? 1 : 0)
      // one process (not tsx's CLI, which forks): killing it kills the nodes
      const env = {
        ...process.env,
        ...(phaseProfDir == null ? {} : { [PHASE_PROF_ENV]: join(phaseProfDir, `members-${p}.cpuprofile`) }),
        ...(gossipsubJson == null ? {} : { [GOSSIPSUB_ENV]: gossipsubJson }),
        ...(monitorJson == null ? {} : { [MONITOR_ENV]: monitorJson })
      }
      const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', CHILD, join(dir, `members-${p}`), bootstrap[0]!, String(count), String(first)],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env })
      members.push(new Members(child, receipts))
      first += count
    }
    await all(members.map(async m => { m.peerIds = (await m.next('ready', 180_000)).peerIds }))
    const startedMs = performance.now() - setupStart

    const pubsub = author.libp2p.services.pubsub
    const den = await author.dens.create(kind === 'public'
      ? { slug: 'bench', title: 'Bench', kind: 'public' }
      : { slug: 'bench', title: 'Bench', kind: 'private', members: members.flatMap(m => m.peerIds) })
    const topic = denTopic(den.denId)
    const ownerAddr = author.addresses.find(a => !a.includes('/ws'))!
    const directoryMisses = (await all(members.map(async m => {
      const joined = m.next('joined', 300_000)
      await m.send({ t: 'join', denId: den.denId, kind, owner: ownerAddr })
      return (await joined).directoryMisses
    }))).reduce((sum, x) => sum + x, 0)
    const joinedMs = performance.now() - setupStart
    // members the author is not connected to are reached through the mesh; the warm-up posts decide when it is ready
    await waitFor(() => pubsub.getSubscribers(topic).length >= n, 20_000, 'the author to see every member on the topic').catch(() => {})
    const subscribedMs = performance.now() - setupStart

    let warmups = 0
    for (let reached = 0; warmups < warmup || reached === 0; warmups++) {
      if (warmups >= warmup + 20) throw new Error(`no warm-up post of ${warmups} reached all ${n} members`)
      const { messageId } = await author.dens.post(den.denId, { type: 'text', content: TEXT })
      const t0 = performance.now()
      if (await receipts.until(() => receipts.count(messageId) >= n, timeout)) reached++
      console.error(`den: warm-up ${warmups + 1}: ${receipts.count(messageId)} of ${n} members in ${Math.round(performance.now() - t0)} ms`)
      if (receipts.count(messageId) < n) await describeMisses(members, { denId: den.denId, owner: ownerAddr }, topic, missingFor(receipts, messageId, n))
      if (receipts.failed != null) throw receipts.failed
    }
    const setupMs = performance.now() - setupStart
    console.error(`den: setup ${Math.round(setupMs)} ms (nodes started ${Math.round(startedMs)} ms, all joined ${Math.round(joinedMs)} ms, ` +
      `author sees ${pubsub.getSubscribers(topic).length >= n ? 'all' : 'not all'} subscribed ${Math.round(subscribedMs)} ms, ${warmups} warm-up posts); ` +
      (kind === 'public' ? `${directoryMisses} of ${n} members did not hear of the den on the directory topic within 15 s and asked the owner; ` : '') +
      `author: ${pubsub.getSubscribers(topic).length} subscribers, ${(pubsub as unknown as { getMeshPeers(topic: string): string[] }).getMeshPeers(topic).length} in its mesh, ${author.libp2p.getConnections().length} connections`)

    // ---- measured: the den, then the floor on the same nodes and connections ----
    const phase: Phase = { author, members, receipts, n, posts, timeout }
    const measured = floorOnly ? undefined : await measureDen(phase, den.denId, rateArg, idleMs)
    // a floor that cannot reach every member (the den's setup failures, see BENCHMARKS.md) says so, and the den's figures stay
    const floor = await measureFloor(phase, { topic, denId: den.denId, owner: ownerAddr, warmup })
      .catch((err: Error) => { if (receipts.failed != null) throw err; return { floorError: err.message } })
    return {
      bench: 'den',
      kind,
      nodes: n,
      processes,
      posts,
      pacing: rateArg == null ? 'one at a time' : `${rateArg}/s`,
      ...(floorOnly ? { floorOnly } : {}),
      ...(gossipsub == null ? {} : { gossipsub }),
      ...(connectionMonitor == null ? {} : { connectionMonitor }),
      ...(measured == null ? {} : { p50Ms: measured.p50Ms, p99Ms: measured.p99Ms, deliveryRatio: measured.deliveryRatio }),
      setupMs: Math.round(setupMs),
      ...(kind === 'public' ? { directoryMisses } : {}),
      ...(measured == null
        ? {}
        : {
            cpuUsPerDelivery: measured.cpuUsPerDelivery,
            cpuUsPerPostAuthor: measured.cpuUsPerPostAuthor,
            // the same without the background (the idle rate over the measured phase's length)
            busyCpuUsPerDelivery: measured.busyCpuUsPerDelivery,
            busyCpuUsPerPostAuthor: measured.busyCpuUsPerPostAuthor,
            idleCpuPctMembers: measured.idleCpuPctMembers
          }),
      ...floor
    }
  } finally {
    await Promise.allSettled([
      ...members.map(async m => { await m.stop() }),
      ...nodes.reverse().map(async node => { await node.stop() })
    ])
    await rm(dir, { recursive: true, force: true })
  }
}
