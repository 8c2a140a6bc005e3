/**
 * Agent nodes for integration tests: started in temp dirs with fast retries,
 * tracked so each test stops what it started.
 *
 * @example
 * ```ts
 * const agents = new Agents()
 * afterEach(async () => { await agents.stopAll() })
 *
 * const { bootstrap } = await agents.network()
 * const alice = await agents.start({ bootstrap })
 * ```
 */
import { createAgentNode } from '../../src/node/agent-node.js'
import { tempDir, waitFor } from './helpers.js'
import type { AgentNode, AgentNodeOptions } from '../../src/node/agent-node.js'

export class Agents {
  readonly #running = new Set<AgentNode>()

  /** An agent node (started unless `start: false`) in a fresh temp dir unless `dataDir` is given. */
  readonly start = async (options: Partial<AgentNodeOptions> = {}): Promise<AgentNode> => {
    const node = await createAgentNode({ dataDir: options.dataDir ?? await tempDir(), dm: { retryMin: 50, retryMax: 500 }, ...options })
    this.#running.add(node)
    return node
  }

  readonly stop = async (node: AgentNode): Promise<void> => {
    this.#running.delete(node)
    await node.stop()
  }

  readonly stopAll = async (): Promise<void> => {
    await Promise.all([...this.#running].map(this.stop))
  }

  /** A bootstrap node serving the DHT, and the address to give agents. */
  readonly network = async (): Promise<{ boot: AgentNode, bootstrap: string[] }> => {
    const boot = await this.start({ dhtServer: true, name: 'bootstrap' })
    return { boot, bootstrap: [boot.addresses.find(a => !a.includes('/ws'))!] }
  }
}

/** Everything `node` emits as `event`, in order, from now on. */
export function collect<T> (node: AgentNode, event: string): T[] {
  const seen: T[] = []
  node.addEventListener(event, (evt) => { seen.push((evt as CustomEvent<T>).detail) })
  return seen
}

/** Waits until `from` can resolve `to`'s card. */
export async function cardFound (from: AgentNode, to: AgentNode, timeout = 30_000): Promise<void> {
  await waitFor(async () => await from.getCard(to.peerId).then(() => true, () => false), { timeout })
}
