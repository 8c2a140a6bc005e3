/**
 * The draining agent of the relay bench (scripts/bench/relay.ts) in its own
 * process, as a real agent would be: it starts its node from a data dir and
 * counts `message.received` until it has `expected`, on its own clock.
 *
 * usage: spawn(process.execPath, ['--import', 'tsx', 'relay-agent.ts', <data-dir>, <relay-multiaddr>, <expected>],
 *   { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
 *
 * child → parent: `{ t: 'drained', ms, cpuUs }` (from `start()` until the last
 * message was received and persisted; CPU time this process used meanwhile),
 * or `{ t: 'error', message }`. The child stops and exits after either, and
 * when its IPC channel closes.
 */
import { createAgentNode } from '../../src/node/agent-node.js'

export type RelayChildMessage = { t: 'drained', ms: number, cpuUs: number } | { t: 'error', message: string }

const send = process.send?.bind(process)
const [dataDir, relay, expectedArg] = process.argv.slice(2)
const expected = Number(expectedArg)
if (send == null || dataDir == null || relay == null || !Number.isInteger(expected)) {
  console.error('usage (with an IPC channel): relay-agent.ts <data-dir> <relay-multiaddr> <expected>')
  process.exit(2)
}
const post = (msg: RelayChildMessage): void => { if (process.connected) send(msg) }

const node = await createAgentNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [relay], relays: [relay], start: false })
const exit = (): void => { void node.stop().finally(() => process.exit(0)) }
process.on('disconnect', exit)
let received = 0
const cpu = process.cpuUsage()
const started = performance.now()
node.addEventListener('message.received', () => {
  if (++received !== expected) return
  const used = process.cpuUsage(cpu)
  post({ t: 'drained', ms: performance.now() - started, cpuUs: used.user + used.system })
  exit()
})
node.start().catch((err: Error) => {
  post({ t: 'error', message: err.message })
  exit()
})
