/**
 * Member nodes of the den bench (scripts/bench/den.ts): one process hosting
 * several agent nodes, talking to the parent over Node IPC only (stdout stays
 * silent: the bench's stdout is one JSON line).
 *
 * usage: spawn(process.execPath, ['--import', 'tsx', 'den-agent.ts', <data-dir>, <bootstrap-multiaddr>, <count>, <first-index>],
 *   { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
 *
 * child → parent:
 * - `{ t: 'ready', peerIds }` once every node has started;
 * - `{ t: 'joined' }` once every node is in the den: a public den joined by
 *   id as soon as the node knows it from the directory, a private den once
 *   the owner's invitation (over the 1:1 session) has made the node a member;
 * - `{ t: 'r', r: [[member, id, at], ...] }`: `den.message` events, `member`
 *   the global index of the node (first-index + its index here), `at` the
 *   child's clock when the event fired (`performance.timeOrigin +
 *   performance.now()`, ms since the epoch). Stamped in the event handler and
 *   sent together once the turn of the event loop is over;
 * - `{ t: 'cpu', us, stats }` answering `cpu`: the CPU time (user + system,
 *   µs) of this process since the previous `cpu` request (or start), and the
 *   summed den validator counters of its nodes.
 *
 * parent → child: `{ t: 'join', denId, kind }`, `{ t: 'cpu' }`, `{ t: 'stop' }`.
 * The child stops its nodes and exits on `stop` and when the IPC channel
 * disconnects (the parent exited or died).
 */
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createAgentNode } from '../../src/node/agent-node.js'
import { BENCH_POSTS_PER_MINUTE } from './den.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { DenPostRecord } from '../../src/store/index.js'

export type DenChildMessage =
  | { t: 'ready', peerIds: string[] }
  | { t: 'joined', directoryMisses: number }
  | { t: 'r', r: Array<[number, string, number]> }
  | { t: 'cpu', us: number, stats: { accepted: number, rejected: number, ignored: number } }
  | { t: 'error', message: string }
  | { t: 'diag', nodes: Array<{ member: number, subscribers: number, mesh: number, connections: number, joined: boolean }> }
export type DenParentMessage = { t: 'join', denId: string, kind: string, owner: string } | { t: 'cpu' } | { t: 'diag', topic: string, denId: string, members: number[] } | { t: 'stop' }

const send = process.send?.bind(process)
if (send == null) {
  console.error('den-agent: needs an IPC channel (spawn with stdio [..., "ipc"])')
  process.exit(2)
}
const post = (msg: DenChildMessage): void => { if (process.connected) send(msg) }

const [dataDir, bootstrap, countArg, firstArg] = process.argv.slice(2)
const count = Number(countArg)
const first = Number(firstArg)
if (dataDir == null || bootstrap == null || !(count > 0) || !(first >= 0)) {
  console.error('usage: den-agent.ts <data-dir> <bootstrap-multiaddr> <count> <first-index>')
  process.exit(2)
}

const nodes: AgentNode[] = []
let stopping = false
/** Stops the nodes and exits; nodes that do not stop within 10 s are abandoned. */
function stop (): void {
  if (stopping) return
  stopping = true
  setTimeout(() => { process.exit(1) }, 10_000).unref()
  Promise.allSettled(nodes.map(async node => { await node.stop() })).then(() => { process.exit(0) }, () => { process.exit(1) })
}
process.on('disconnect', stop)

let cpuFrom = process.cpuUsage()
process.on('message', (msg: DenParentMessage) => {
  if (msg.t === 'stop') stop()
  else if (msg.t === 'cpu') {
    const cpu = process.cpuUsage(cpuFrom)
    cpuFrom = process.cpuUsage()
    const stats = { accepted: 0, rejected: 0, ignored: 0 }
    for (const node of nodes) {
      stats.accepted += node.dens.stats.accepted
      stats.rejected += node.dens.stats.rejected
      stats.ignored += node.dens.stats.ignored
    }
    post({ t: 'cpu', us: cpu.user + cpu.system, stats })
  } else if (msg.t === 'diag') {
    const pick = nodes.map((node, i) => ({ node, member: first + i })).filter(({ member }) => msg.members.includes(member))
    void Promise.all(pick.map(async ({ node, member }) => {
      const pubsub = node.libp2p.services.pubsub
      return {
        member,
        subscribers: pubsub.getSubscribers(msg.topic).length,
        mesh: (pubsub as unknown as { getMeshPeers(topic: string): string[] }).getMeshPeers(msg.topic).length,
        connections: node.libp2p.getConnections().length,
        joined: (await node.dens.get(msg.denId))?.joined === true
      }
    })).then(list => { post({ t: 'diag', nodes: list }) })
  } else if (msg.t === 'join') {
    joinAll(msg.denId, msg.kind, msg.owner).then((directoryMisses) => { post({ t: 'joined', directoryMisses }) }, (err: unknown) => {
      post({ t: 'error', message: `join: ${(err as Error).message}` })
    })
  }
})

/** Polls `fn` (no event tells that a den arrived from the directory or a 1:1 invitation); rejects after `timeout` ms. */
async function waitFor (fn: () => Promise<boolean>, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout
  while (!await fn()) {
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

/** How long a member waits for a public den to reach it through the directory topic before it asks the owner. */
const DIRECTORY_WAIT = 15_000

/** Resolves with the number of nodes that did not learn of a public den from the directory topic in time. */
async function joinAll (denId: string, kind: string, owner: string): Promise<number> {
  let misses = 0
  await Promise.all(nodes.map(async (node) => {
    if (kind === 'private') {
      // the owner's DenControl over the 1:1 session makes us a member (and joined)
      await waitFor(async () => (await node.dens.list()).some(d => d.denId === denId), 120_000, 'the invitation')
      return
    }
    const known = async (): Promise<boolean> => (await node.dens.get(denId)) != null
    try {
      await waitFor(known, DIRECTORY_WAIT, 'the den in the directory')
    } catch {
      // gossip missed us: connecting to a peer that has the den syncs its directory (the owner here)
      misses++
      // many members may dial at once, and the owner turns some away: try again (a new connection asks again)
      for (let attempt = 1; !await known(); attempt++) {
        try {
          await node.libp2p.hangUp(multiaddr(owner)).catch(() => {})
          await node.libp2p.dial(multiaddr(owner), { signal: AbortSignal.timeout(10_000) })
          await waitFor(known, 5_000, 'the den in the owner\'s directory')
        } catch (err) {
          if (attempt >= 10) throw err
          await new Promise(resolve => setTimeout(resolve, 100 * attempt))
        }
      }
    }
    await node.dens.join(denId)
  }))
  return misses
}

/** Receipts stamped in this turn of the event loop, sent at its end (one IPC write for several nodes). */
let pending: Array<[number, string, number]> = []
function flush (): void {
  const batch = pending
  pending = []
  post({ t: 'r', r: batch })
}

try {
  await Promise.all(Array.from({ length: count }, async (_, i) => {
    const node = await createAgentNode({
      dataDir: join(dataDir, String(first + i)),
      bootstrap: [bootstrap],
      listen: ['/ip4/127.0.0.1/tcp/0'],
      discoverRelays: 0,
      denPostsPerMinute: BENCH_POSTS_PER_MINUTE,
      libp2p: { bootstrapOptions: { timeout: 0 } }
    })
    nodes[i] = node
    node.addEventListener('den.message', (evt) => {
      const at = performance.timeOrigin + performance.now()
      if (pending.length === 0) setImmediate(flush)
      pending.push([first + i, (evt as CustomEvent<DenPostRecord>).detail.messageId, at])
    })
  }))
} catch (err) {
  console.error('den-agent: start failed', err)
  stop()
}
if (!stopping) post({ t: 'ready', peerIds: nodes.map(n => n.peerId) })
