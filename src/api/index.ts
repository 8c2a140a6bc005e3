/**
 * @packageDocumentation
 *
 * The local HTTP + WebSocket API of an agent node (DESIGN §9): fastify with
 * TypeBox schemas (validation and `/openapi.json` from one source), an API
 * key, rate limits, the durable event log over WebSocket or long-poll,
 * signed webhooks with persisted retries, and Prometheus `/metrics`.
 *
 * @example
 * ```ts
 * import { createAgentNode } from '../index.js'
 * import { startApiServer } from './index.js'
 *
 * const node = await createAgentNode({ dataDir: './alice', eventLog: true })
 * const api = await startApiServer({ node, apiKey: 'amk_...', port: 8080 })
 * // curl -H "Authorization: Bearer amk_..." http://127.0.0.1:8080/v1/me
 * await api.close()
 * await node.stop()
 * ```
 */
export { buildApp } from './app.js'
export type { ApiOptions } from './app.js'
export { startApiServer } from './server.js'
export type { ApiServer, ServerOptions } from './server.js'
export { ApiKeys, generateApiKey, readApiKey, writeApiKey, apiKeyPath } from './api-key.js'
export { WebhookDispatcher, signWebhook, WEBHOOK_RETRY_DELAYS, WEBHOOK_TIMEOUT } from './webhooks.js'
export type { Clock, WebhookDispatcherOptions } from './webhooks.js'
export { fingerprint, safetyNumber } from './fingerprint.js'
export { ERROR_STATUS } from './errors.js'
