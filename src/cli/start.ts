/**
 * `agentmsg start` (and `bootstrap`, `relay`): the node and its API in the
 * foreground. One ready line when both are up; SIGINT or SIGTERM stops
 * both cleanly (a second signal exits at once).
 */
import { chmod, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { ApiKeys, apiKeyPath, generateApiKey, readApiKey, writeApiKey } from '../api/api-key.js'
import { startApiServer } from '../api/server.js'
import { createAgentNode } from '../node/agent-node.js'
import { API_FILE } from './client.js'
import type { InboxPolicy } from '../node/agent-node.js'

export interface StartOptions {
  dataDir: string
  passphrase?: string
  name?: string
  listen?: string[]
  bootstrap?: string[]
  dhtServer?: boolean
  relay?: boolean
  useRelay?: string[]
  issuer?: boolean
  trustIssuer?: string[]
  /** absent: what `PUT /v1/me` last saved, else open */
  inboxPolicy?: InboxPolicy
  /** per-peer rate limits (defaults 120 and 300) */
  dmsPerMinute?: number
  historyReadsPerMinute?: number
  apiHost: string
  apiPort: number
  apiRateLimit?: number
  json?: boolean
}

export interface Output {
  out(line: string): void
  err(line: string): void
  /** stderr is a terminal: progress may be shown (and redrawn) with `status` */
  tty?: boolean
  /** Replace the progress line on the terminal; `undefined` clears it. */
  status?(text: string | undefined): void
}

export async function start (options: StartOptions, io: Output): Promise<void> {
  let key = await readApiKey(options.dataDir)
  const registry = new Registry()
  const node = await createAgentNode({
    dataDir: options.dataDir,
    passphrase: options.passphrase,
    name: options.name,
    listen: options.listen != null && options.listen.length > 0 ? options.listen : undefined,
    bootstrap: options.bootstrap,
    dhtServer: options.dhtServer,
    relay: options.relay === true,
    issuer: options.issuer === true,
    ...(options.useRelay != null && options.useRelay.length > 0 ? { relays: options.useRelay } : {}),
    trustedIssuers: options.trustIssuer,
    ...(options.inboxPolicy == null ? {} : { inboxPolicy: options.inboxPolicy }),
    rateLimits: { dmsPerMinute: options.dmsPerMinute, historyReadsPerMinute: options.historyReadsPerMinute },
    eventLog: true,
    libp2p: { metrics: prometheusMetrics({ registry, preserveExistingMetrics: true }) }
  })
  if (key == null) {
    // started without `init`: make the key, but do not print it (it is in the file)
    key = generateApiKey()
    await writeApiKey(options.dataDir, key)
    io.err(`created an API key in ${apiKeyPath(options.dataDir)}`)
  }
  let server
  try {
    server = await startApiServer({
      node,
      apiKey: new ApiKeys(key, options.dataDir),
      host: options.apiHost,
      port: options.apiPort,
      registry,
      ...(options.apiRateLimit == null ? {} : { rateLimit: { max: options.apiRateLimit, timeWindow: 60_000 } })
    })
  } catch (err) {
    await node.stop()
    throw err
  }
  const apiFile = join(options.dataDir, API_FILE)
  await writeFile(apiFile, JSON.stringify({ url: server.url, pid: process.pid }) + '\n', { mode: 0o600 })
  await chmod(apiFile, 0o600)

  const relay = options.relay === true
  const ready = { event: 'ready', peerId: node.peerId, listen: node.addresses, api: server.url, relay, relays: node.relays }
  io.out(options.json === true
    ? JSON.stringify(ready)
    : `agentmsg ready: peer ${node.peerId}${relay ? ' (relay)' : ''}, listening on ${node.addresses.join(' ')}, API ${server.url}` +
      (node.relays.length > 0 ? `, relays ${node.relays.join(' ')}` : ''))

  // once: a second signal finds the default handler and ends the process at once
  const signal = await new Promise<string>(resolve => {
    process.once('SIGINT', () => { resolve('SIGINT') })
    process.once('SIGTERM', () => { resolve('SIGTERM') })
  })
  io.err(`${signal}: stopping`)
  await server.close()
  await node.stop()
  await rm(apiFile, { force: true })
}
