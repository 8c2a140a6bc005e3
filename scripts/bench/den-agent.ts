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
 * - `{ t: 'floor', formed, mesh, denMesh }` answering `floor`: every node has
 *   subscribed to the floor topic (scripts/bench/den.ts, FLOOR_TOPIC) and
 *   `formed` tells whether, within 30 s, each saw on it every peer it sees on
 *   the den's topic and had a floor mesh of min(Dlo, its den mesh);
 *   `mesh`, `denMesh`: each node's mesh size on each topic then, `unformed`:
 *   what the nodes that did not make it saw. From then on the nodes' gossipsub
 *   `message` events on that topic are reported like `den.message` events, in
 *   `r`, with the id `floor/<index>` the message carries;
 * - `{ t: 'cpu', us, stats }` answering `cpu`: the CPU time (user + system,
 *   µs) of this process since the previous `cpu` request (or start), and,
 *   over the same span and summed over its nodes, the den validator's
 *   counters and what gossipsub received and sent (see `GossipCounts`).
 *
 * parent → child: `{ t: 'join', denId, kind }`, `{ t: 'floor', topic, denTopic }`,
 * `{ t: 'cpu' }`, `{ t: 'diag', ... }`, `{ t: 'stop' }`.
 * With `AGENTMSG_BENCH_DEN_PHASE_PROF` set (the bench's `--phase-prof`), the
 * V8 profiler runs from the first `cpu` request to the second (the first
 * measured phase: the den's, or the floor's with `--floor-only`) and writes
 * its profile to that file.
 * The child stops its nodes and exits on `stop` and when the IPC channel
 * disconnects (the parent exited or died).
 */
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createAgentNode } from '../../src/node/agent-node.js'
import { BENCH_POSTS_PER_MINUTE, GOSSIPSUB_ENV, MONITOR_ENV, PHASE_PROF_ENV, floorId } from './den.js'
import { startPhaseProfile } from './dm.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { PeerId } from '@libp2p/interface'
import type { DenPostRecord } from '../../src/store/index.js'

export type DenChildMessage =
  | { t: 'ready', peerIds: string[] }
  | { t: 'joined', directoryMisses: number }
  | { t: 'r', r: Array<[number, string, number]> }
  | { t: 'floor', formed: boolean, mesh: number[], denMesh: number[], unformed: FloorView[] }
  | { t: 'cpu', us: number, stats: PhaseStats }
  | { t: 'error', message: string }
  | { t: 'diag', nodes: Array<{ member: number, subscribers: number, mesh: number, connections: number, joined: boolean, bootstrap: boolean, owner: boolean, closed: number, ownerIdentified: boolean, ownerInPubsub: boolean }> }
export type DenParentMessage = { t: 'join', denId: string, kind: string, owner: string } | { t: 'floor', topic: string, denTopic: string } | { t: 'cpu' } | { t: 'diag', topic: string, denId: string, owner: string, members: number[] } | { t: 'stop' }

/**
 * What a node's gossipsub received and sent, counted by wrapping its RPC
 * entry points (diagnostics only: the bench's own instrumentation, not an
 * API). `copies`: messages received, first copies and duplicates alike.
 */
export interface GossipCounts {
  rpcsIn: number
  copies: number
  idontwantIn: number
  ihaveIn: number
  rpcsOut: number
}
export interface PhaseStats extends GossipCounts { accepted: number, rejected: number, ignored: number }

const zeroStats = (): PhaseStats => ({ accepted: 0, rejected: 0, ignored: 0, rpcsIn: 0, copies: 0, idontwantIn: 0, ihaveIn: 0, rpcsOut: 0 })

interface GossipInternals {
  handleReceivedRpc(from: unknown, rpc: { messages: unknown[], control?: { idontwant?: Array<{ messageIDs: unknown[] }>, ihave?: Array<{ messageIDs: unknown[] }> } }): Promise<void>
  sendRpc(id: string, rpc: unknown): boolean
  sendRpcInBatch(tosend: Set<string>, rpc: unknown): void
}

/** Counts one node's gossipsub RPCs into `counts`. */
function countGossip (pubsub: unknown, counts: GossipCounts): void {
  const g = pubsub as GossipInternals
  const received = g.handleReceivedRpc.bind(g)
  g.handleReceivedRpc = async (from, rpc) => {
    counts.rpcsIn++
    counts.copies += rpc.messages.length
    for (const { messageIDs } of rpc.control?.idontwant ?? []) counts.idontwantIn += messageIDs.length
    for (const { messageIDs } of rpc.control?.ihave ?? []) counts.ihaveIn += messageIDs.length
    await received(from, rpc)
  }
  const sendOne = g.sendRpc.bind(g)
  g.sendRpc = (id, rpc) => {
    const sent = sendOne(id, rpc)
    if (sent) counts.rpcsOut++
    return sent
  }
  const sendBatch = g.sendRpcInBatch.bind(g)
  g.sendRpcInBatch = (tosend, rpc) => {
    sendBatch(tosend, rpc)
    counts.rpcsOut += tosend.size
  }
}

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

/** gossipsub options over the defaults (the bench's --gossipsub) */
const gossipsubJson = process.env[GOSSIPSUB_ENV]
const gossipsub = gossipsubJson == null ? undefined : JSON.parse(gossipsubJson) as Record<string, unknown>
/** libp2p's connection monitor options over the defaults (the bench's --connection-monitor) */
const monitorJson = process.env[MONITOR_ENV]
const connectionMonitor = monitorJson == null ? undefined : JSON.parse(monitorJson) as Record<string, unknown>


const nodes: AgentNode[] = []
/** connections each node saw closed */
const closed: number[] = []
const peerOf = (addr: string): PeerId => peerIdFromString(multiaddr(addr).getComponents().findLast(c => c.name === 'p2p')!.value!)
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
/** this process's nodes' gossipsub, summed */
const gossip: GossipCounts = { rpcsIn: 0, copies: 0, idontwantIn: 0, ihaveIn: 0, rpcsOut: 0 }
let statsFrom = zeroStats()
let cpuRequests = 0
const phaseProfFile = process.env[PHASE_PROF_ENV]
let stopProfile: Promise<() => Promise<void>> | undefined
process.on('message', (msg: DenParentMessage) => {
  if (msg.t === 'stop') stop()
  else if (msg.t === 'cpu') {
    // the first request opens the measured phase, the second closes it
    cpuRequests++
    if (phaseProfFile != null && cpuRequests === 1) stopProfile = startPhaseProfile(phaseProfFile)
    if (phaseProfFile != null && cpuRequests === 2) void stopProfile?.then(async stopIt => { await stopIt() })
    const cpu = process.cpuUsage(cpuFrom)
    cpuFrom = process.cpuUsage()
    const now = zeroStats()
    for (const node of nodes) {
      now.accepted += node.dens.stats.accepted
      now.rejected += node.dens.stats.rejected
      now.ignored += node.dens.stats.ignored
    }
    for (const key of ['rpcsIn', 'copies', 'idontwantIn', 'ihaveIn', 'rpcsOut'] as const) now[key] = gossip[key]
    const stats = zeroStats()
    for (const key of Object.keys(stats) as Array<keyof PhaseStats>) stats[key] = now[key] - statsFrom[key]
    statsFrom = now
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
        joined: (await node.dens.get(msg.denId))?.joined === true,
        // whom it is connected to: the bootstrap node (DHT, directory) and the den's owner
        bootstrap: node.libp2p.getConnections(peerOf(bootstrap)).length > 0,
        owner: node.libp2p.getConnections(peerOf(msg.owner)).length > 0,
        closed: closed[member - first] ?? 0,
        // identify told us the owner speaks gossipsub (else gossipsub never opens its streams to it)
        ownerIdentified: (await node.libp2p.peerStore.get(peerOf(msg.owner)).catch(() => undefined))?.protocols.some(p => p.startsWith('/meshsub/')) === true,
        ownerInPubsub: pubsub.getPeers().some(p => p.equals(peerOf(msg.owner)))
      }
    })).then(list => { post({ t: 'diag', nodes: list }) })
  } else if (msg.t === 'floor') {
    joinFloor(msg.topic, msg.denTopic).then(post, (err: unknown) => {
      post({ t: 'error', message: `floor: ${(err as Error).message}` })
    })
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

/** Records that `member` received message `id` at `at` (its clock, stamped first thing in the event handler). */
function receipt (member: number, id: string, at: number): void {
  if (pending.length === 0) setImmediate(flush)
  pending.push([member, id, at])
}

/** What a member saw of the floor topic and the den's (subscribers it is connected to, mesh peers). */
export interface FloorView { member: number, subscribers: number, denSubscribers: number, mesh: number, denMesh: number }

/** A node's gossipsub, with what the bench reads that its public interface does not show. */
type Gossip = AgentNode['libp2p']['services']['pubsub'] & { opts: { Dlo: number }, getMeshPeers(topic: string): string[] }
const gossipOf = (node: AgentNode): Gossip => node.libp2p.services.pubsub as Gossip

/**
 * Subscribes every node to the floor's plain topic, on the libp2p instance
 * and connections it had in the den run, and stamps the gossipsub `message`
 * events on it (no agentmsg code runs for them: no validator is registered
 * for the topic, and the den manager ignores it). Resolves once each node
 * sees there every peer it sees on the den's topic, with a floor mesh of
 * min(Dlo, its den mesh) (gossipsub grafts at its heartbeat), or after 30 s.
 */
async function joinFloor (topic: string, denTopic: string): Promise<Extract<DenChildMessage, { t: 'floor' }>> {
  for (const [i, node] of nodes.entries()) {
    const pubsub = gossipOf(node)
    pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic !== topic) return
      const at = performance.timeOrigin + performance.now()
      const id = floorId(evt.detail.data)
      if (id != null) receipt(first + i, id, at)
    })
    pubsub.subscribe(topic)
  }
  const view = (node: AgentNode, i: number): FloorView => {
    const pubsub = gossipOf(node)
    return { member: first + i, subscribers: pubsub.getSubscribers(topic).length, denSubscribers: pubsub.getSubscribers(denTopic).length, mesh: pubsub.getMeshPeers(topic).length, denMesh: pubsub.getMeshPeers(denTopic).length }
  }
  // as formed as the den's: a member whose only peer (the author) pruned it from a full mesh has no mesh
  // on either topic, and is reached by the author's flood publish on both
  const formed = (v: FloorView, node: AgentNode): boolean => v.subscribers >= v.denSubscribers && v.mesh >= Math.min(gossipOf(node).opts.Dlo, v.denMesh)
  const ok = await waitFor(async () => nodes.every((node, i) => formed(view(node, i), node)), 30_000, 'the floor mesh').then(() => true, () => false)
  const meshOn = (t: string): number[] => nodes.map(node => gossipOf(node).getMeshPeers(t).length)
  const unformed = nodes.map(view).filter((v, i) => !formed(v, nodes[i]!))
  return { t: 'floor', formed: ok, mesh: meshOn(topic), denMesh: meshOn(denTopic), unformed }
}

try {
  await Promise.all(Array.from({ length: count }, async (_, i) => {
    const node = await createAgentNode({
      dataDir: join(dataDir, String(first + i)),
      bootstrap: [bootstrap],
      listen: ['/ip4/127.0.0.1/tcp/0'],
      discoverRelays: 0,
      denPostsPerMinute: BENCH_POSTS_PER_MINUTE,
      libp2p: { bootstrapOptions: { timeout: 0 }, gossipsub, connectionMonitor }
    })
    nodes[i] = node
    countGossip(node.libp2p.services.pubsub, gossip)
    node.libp2p.addEventListener('connection:close', () => { closed[i] = (closed[i] ?? 0) + 1 })
    node.addEventListener('den.message', (evt) => {
      const at = performance.timeOrigin + performance.now()
      receipt(first + i, (evt as CustomEvent<DenPostRecord>).detail.messageId, at)
    })
  }))
} catch (err) {
  console.error('den-agent: start failed', err)
  stop()
}
if (!stopping) post({ t: 'ready', peerIds: nodes.map(n => n.peerId) })
