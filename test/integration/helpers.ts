/**
 * Shared helpers for integration tests that run several real libp2p nodes in
 * one process: temporary directories, polling with a timeout, and test nodes
 * built by `createAgentLibp2p` on loopback TCP with real level datastores.
 *
 * @example
 * ```ts
 * const nodes = new TestNodes()
 * afterAll(async () => { await nodes.stopAll() })
 *
 * const boot = await nodes.start({ dhtServer: true })
 * const alice = await nodes.start({ bootstrap: [boot.tcpAddr], services: (dir) => ({ card: cardService({ identity: dir.identity }) }) })
 * await waitFor(() => alice.node.getConnections(boot.peerId).length > 0)
 * ```
 */
import { join } from 'node:path'
import { openDataDir } from '../../src/node/data-dir.js'
import { createAgentLibp2p } from '../../src/node/libp2p.js'
import { tempDir } from '../temp-dirs.js'
import type { DataDir } from '../../src/node/data-dir.js'
import type { AgentLibp2p, AgentLibp2pOptions } from '../../src/node/libp2p.js'
import type { PeerId, ServiceMap } from '@libp2p/interface'
import type { ServiceFactoryMap } from 'libp2p'

export { removeTempDirs, tempDir } from '../temp-dirs.js'

export interface WaitForOptions {
  /** @default 10_000 */
  timeout?: number
  /** @default 25 */
  interval?: number
  /** what we were waiting for, for the timeout error (a function: evaluated at the timeout, to show the state then) */
  message?: string | (() => string)
}

/**
 * Calls `fn` until it returns something other than `undefined`, `null` or
 * `false` (a throw counts as not yet) and returns that; rejects after
 * `timeout` with the last error as the cause. This is how tests wait — never
 * with a bare sleep.
 */
export async function waitFor<T> (fn: () => T | Promise<T>, options: WaitForOptions = {}): Promise<Exclude<T, undefined | null | false>> {
  const timeout = options.timeout ?? 10_000
  const interval = options.interval ?? 25
  const deadline = Date.now() + timeout
  let lastError: unknown
  while (true) {
    try {
      const value = await fn()
      if (value !== undefined && value !== null && value !== false) {
        return value as Exclude<T, undefined | null | false>
      }
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const what = typeof options.message === 'function' ? options.message() : options.message
      throw new Error(`waitFor timed out after ${timeout} ms${what != null ? `: ${what}` : ''}`, { cause: lastError })
    }
    await new Promise(resolve => setTimeout(resolve, interval))
  }
}

export interface TestNodeOptions<S extends ServiceMap = Record<string, never>> extends Omit<AgentLibp2pOptions<S>, 'privateKey' | 'datastorePath' | 'services'> {
  /** reuse a data dir (same PeerId, same datastore) — how a restart is tested */
  dataDir?: string
  passphrase?: string
  /** extra services, made with the node's data dir (its identity) at hand */
  services?(dir: DataDir): ServiceFactoryMap<S>
}

export interface TestNode<S extends ServiceMap = Record<string, never>> {
  node: AgentLibp2p<S>
  dir: DataDir
  peerId: PeerId
  /** the node's loopback TCP address with /p2p/<peer id>: a bootstrap entry */
  tcpAddr: string
  stop(): Promise<void>
}

/**
 * One node: a data dir (new, or `dataDir`), a level datastore in it, the
 * default agentmsg services plus `services`, listening on loopback TCP only
 * (WebSockets off to save ports and time; pass `listen` to change that).
 * Bootstrap dialling starts at once rather than after libp2p's 1 s default.
 */
export async function startTestNode<S extends ServiceMap = Record<string, never>> (options: TestNodeOptions<S> = {}): Promise<TestNode<S>> {
  const { dataDir, passphrase, services, ...rest } = options
  const dir = await openDataDir(dataDir ?? join(await tempDir(), 'node'), { passphrase })
  const node = await createAgentLibp2p<S>({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrapOptions: { timeout: 0 },
    ...rest,
    privateKey: dir.privateKey,
    datastorePath: dir.datastorePath,
    services: services?.(dir)
  })
  const tcp = node.getMultiaddrs().find(ma => ma.toString().includes('/tcp/') && !ma.toString().includes('/ws'))
  if (tcp == null) throw new Error('test node has no TCP address')
  return {
    node,
    dir,
    peerId: node.peerId,
    tcpAddr: tcp.toString(),
    stop: async () => { await node.stop() }
  }
}

/** Tracks the nodes a test file starts so `stopAll()` in `afterEach`/`afterAll` stops every one. */
export class TestNodes {
  readonly #nodes = new Set<Pick<TestNode, 'stop'>>()

  async start<S extends ServiceMap = Record<string, never>> (options: TestNodeOptions<S> = {}): Promise<TestNode<S>> {
    const node = await startTestNode(options)
    this.#nodes.add(node)
    return node
  }

  /** `count` nodes with the same options, started in parallel (like kad-dht's `TestDHT.spawn`). */
  async spawn<S extends ServiceMap = Record<string, never>> (count: number, options: TestNodeOptions<S> = {}): Promise<Array<TestNode<S>>> {
    return Promise.all(Array.from({ length: count }, async () => this.start(options)))
  }

  /** Stops one node (e.g. before restarting it from the same data dir). */
  async stop (node: Pick<TestNode, 'stop'>): Promise<void> {
    this.#nodes.delete(node)
    await node.stop()
  }

  async stopAll (): Promise<void> {
    const nodes = [...this.#nodes]
    this.#nodes.clear()
    await Promise.allSettled(nodes.map(async n => n.stop()))
  }
}
