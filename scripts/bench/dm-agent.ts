/**
 * The receiving agent of the dm bench (scripts/bench/dm.ts) in its own
 * process. Talks to the parent over Node IPC only (its stdout stays silent:
 * the bench's stdout is one JSON line).
 *
 * usage: spawn(process.execPath, ['--import', 'tsx', 'dm-agent.ts', <data-dir>, <bootstrap-multiaddr>],
 *   { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
 *
 * child → parent:
 * - `{ t: 'ready', peerId }` once the node has started (joined the bootstrap
 *   network, card published) and handles the raw echo protocol;
 * - unbatched (the default): `{ t: 'r', id, at }` per `message.received`,
 *   posted from the event handler: the message id and the child's clock
 *   when the event fired (`performance.timeOrigin + performance.now()`, ms
 *   since the epoch);
 * - batched: `{ t: 'n', n }`, the number received since the last report,
 *   every 100 messages or 1 ms after the first unreported one;
 * - `{ t: 'mode', batch, cpuUs }` acknowledging a mode change; leaving batched
 *   mode it carries the CPU time (user + system, µs) this process used while
 *   batched, i.e. over the pipelined phase. With AGENTMSG_BENCH_PHASE_PROF
 *   set (the bench's --phase-prof), the batched phase runs under the V8
 *   profiler and its profile is written to that file before the reply.
 *
 * parent → child: `{ t: 'mode', batch: boolean }`, `{ t: 'stop' }`.
 * The child stops its node and exits on `stop` and when the IPC channel
 * disconnects (the parent exited or died).
 */
import { createAgentNode } from '../../src/node/agent-node.js'
import { PHASE_PROF_ENV, RAW_PROTOCOL, rawHandler, startPhaseProfile } from './dm.js'
import type { AgentNode } from '../../src/node/agent-node.js'
import type { MessageRecord } from '../../src/store/index.js'

export type ChildMessage =
  | { t: 'ready', peerId: string }
  | { t: 'r', id: string, at: number }
  | { t: 'n', n: number }
  | { t: 'mode', batch: boolean, cpuUs?: number }
export type ParentMessage = { t: 'mode', batch: boolean } | { t: 'stop' }

const BATCH_COUNT = 100
const BATCH_MS = 1

const send = process.send?.bind(process)
if (send == null) {
  console.error('dm-agent: needs an IPC channel (spawn with stdio [..., "ipc"])')
  process.exit(2)
}
const post = (msg: ChildMessage): void => { if (process.connected) send(msg) }

const [dataDir, bootstrap] = process.argv.slice(2)
if (dataDir == null || bootstrap == null) {
  console.error('usage: dm-agent.ts <data-dir> <bootstrap-multiaddr>')
  process.exit(2)
}

let node: AgentNode | undefined
let stopping = false
/** Stops the node (if it is up) and exits; a node that does not stop within 5 s is abandoned. */
function stop (): void {
  if (stopping) return
  stopping = true
  if (node == null) process.exit(0) // still starting: nothing worth stopping cleanly
  setTimeout(() => { process.exit(1) }, 5_000).unref()
  node.stop().then(() => { process.exit(0) }, (err: unknown) => {
    console.error('dm-agent: stop failed', err)
    process.exit(1)
  })
}
process.on('disconnect', stop)
const phaseProf = process.env[PHASE_PROF_ENV]
let stopProfile: (() => Promise<void>) | undefined
process.on('message', (msg: ParentMessage) => {
  if (msg.t === 'stop') stop()
  else if (msg.t === 'mode') {
    flush()
    const cpu = process.cpuUsage(batchCpu)
    batch = msg.batch
    if (batch) {
      // profile the batched (pipelined) phase only, when asked
      const profiling = phaseProf == null ? Promise.resolve(undefined) : startPhaseProfile(phaseProf)
      void profiling.then((stopIt) => {
        stopProfile = stopIt
        batchCpu = process.cpuUsage()
        post({ t: 'mode', batch })
      })
    } else {
      const cpuUs = cpu.user + cpu.system
      // the profile is written before the reply, so the parent does not stop this process first
      const stopping = stopProfile?.() ?? Promise.resolve()
      stopProfile = undefined
      void stopping.catch((err: unknown) => { console.error('dm-agent: profile', err) }).then(() => { post({ t: 'mode', batch, cpuUs }) })
    }
  }
})

let batch = false
/** CPU usage when batched mode began */
let batchCpu: NodeJS.CpuUsage | undefined
let unreported = 0
let timer: ReturnType<typeof setTimeout> | undefined
function flush (): void {
  clearTimeout(timer)
  timer = undefined
  if (unreported === 0) return
  post({ t: 'n', n: unreported })
  unreported = 0
}

try {
  // a throughput bench: the 120-DMs-a-minute limit per peer is lifted
  node = await createAgentNode({ dataDir, bootstrap: [bootstrap], listen: ['/ip4/127.0.0.1/tcp/0'], libp2p: { bootstrapOptions: { timeout: 0 } }, rateLimits: { dmsPerMinute: Infinity } })
} catch (err) {
  console.error('dm-agent: start failed', err)
  process.exit(1)
}
node.addEventListener('message.received', (evt) => {
  if (!batch) {
    // at once, from the handler (a synchronous pipe write, ~30 µs here, before B acks)
    post({ t: 'r', id: (evt as CustomEvent<MessageRecord>).detail.messageId, at: performance.timeOrigin + performance.now() })
    return
  }
  if (++unreported >= BATCH_COUNT) flush()
  else timer ??= setTimeout(flush, BATCH_MS)
})
await node.libp2p.handle(RAW_PROTOCOL, async (stream) => { await rawHandler(stream) })
post({ t: 'ready', peerId: node.peerId })
