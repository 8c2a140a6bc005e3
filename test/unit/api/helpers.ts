/**
 * An agent node with its API app (for `inject()`), and a second plain node
 * it is connected to directly, so messages flow without a bootstrap node.
 */
import { createAgentNode } from '../../../src/node/agent-node.js'
import { buildApp } from '../../../src/api/index.js'
import { tempDir, waitFor } from '../../integration/helpers.js'
import type { ApiOptions } from '../../../src/api/index.js'
import type { Api } from '../../../src/api/context.js'
import type { AgentNode, AgentNodeOptions } from '../../../src/node/agent-node.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export const KEY = 'amk_test-key-0123456789'
export const auth = { authorization: `Bearer ${KEY}` }

export interface ApiFixture {
  node: AgentNode
  app: Api
  dataDir: string
  close(): Promise<void>
}

/** `options` for what a test needs besides (inbox policy, limits, content policy). */
export async function startNode (dataDir?: string, options: Partial<AgentNodeOptions> = {}): Promise<AgentNode> {
  return await createAgentNode({ dataDir: dataDir ?? await tempDir(), listen: ['/ip4/127.0.0.1/tcp/0'], dhtServer: true, eventLog: true, dm: { retryMin: 50, retryMax: 500 }, ...options })
}

/** A node and its app (ready); `dataDir` to restart one, `nodeOptions` for `startNode`. */
export async function apiFixture (options: Partial<ApiOptions> & { dataDir?: string, nodeOptions?: Partial<AgentNodeOptions> } = {}): Promise<ApiFixture> {
  const { dataDir: dir, nodeOptions, ...apiOptions } = options
  const dataDir = dir ?? await tempDir()
  const node = await startNode(dataDir, nodeOptions)
  const app = await buildApp({ apiKey: KEY, ...apiOptions, node })
  await app.ready()
  return {
    node,
    app,
    dataDir,
    close: async () => {
      await app.close()
      await node.stop()
    }
  }
}

/** Connect `a` to `b` and wait until `a` can resolve `b`'s card from `b` itself. */
export async function connect (a: AgentNode, b: AgentNode): Promise<void> {
  const addr = b.libp2p.getMultiaddrs()[0] as Multiaddr
  await a.libp2p.dial(addr)
  await waitFor(async () => await a.getCard(b.peerId).then(() => true, () => false), { timeout: 15_000 })
}
