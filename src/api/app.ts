/**
 * Builds the fastify instance of the local API (DESIGN §9): plugins, every
 * route, one error handler. `server.ts` listens; tests use `app.inject()`.
 *
 * Order of a request: rate limit (onRequest: headers on every response, 429
 * with Retry-After) → API key (preValidation: 401) → schema validation (400
 * naming the field)
 * → route → the error handler, which maps error names to `{error, detail}`.
 */
import fastifyRateLimit from '@fastify/rate-limit'
import fastifySwagger from '@fastify/swagger'
import fastifyWebsocket from '@fastify/websocket'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import fastify from 'fastify'
import { Type } from 'typebox'
import { ApiKeys } from './api-key.js'
import { NotFoundError, UnauthorizedError, errorResponse } from './errors.js'
import { createMetrics } from './metrics.js'
import { contactRoutes } from './routes/contacts.js'
import { denRoutes } from './routes/dens.js'
import { eventRoutes } from './routes/events.js'
import { historyRoutes } from './routes/history.js'
import { meRoutes } from './routes/me.js'
import { requestRoutes } from './routes/requests.js'
import { verifyRoutes } from './routes/verify.js'
import { messageRoutes } from './routes/messages.js'
import { webhookRoutes } from './routes/webhooks.js'
import { WebhookDispatcher } from './webhooks.js'
import type { Api, ApiContext } from './context.js'
import type { WebhookDispatcherOptions } from './webhooks.js'
import type { AgentNode } from '../node/agent-node.js'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Registry } from 'prom-client'

const second = 1000
/** How long a closing API waits for the requests in flight to be answered. */
const CLOSE_GRACE = 5 * second

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default
function makeAjv (coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, strict: false })
  addFormats(ajv)
  return ajv
}
const bodyAjv = makeAjv(false)
const textAjv = makeAjv('array')

export interface ApiOptions {
  node: AgentNode
  /** the API key, or an `ApiKeys` that also writes regenerated keys to the data dir */
  apiKey: string | ApiKeys
  /** @default 6000 requests a minute per client */
  rateLimit?: { max: number, timeWindow: number }
  /** Largest request body, bytes. @default 256 KiB */
  bodyLimit?: number
  /** Longest long-poll, seconds. @default 60 */
  maxLongPoll?: number
  webhooks?: WebhookDispatcherOptions
  /** Registry for `/metrics` (share it with `prometheusMetrics({ registry })` for libp2p's metrics). */
  registry?: Registry
  /** fastify's logger (pino); off by default. Request bodies and headers are never logged. */
  logger?: boolean
}


/** The API, ready for `inject()` or `listen()`; webhook delivery runs from here until `app.close()`. */
export async function buildApp (options: ApiOptions): Promise<Api> {
  const { node } = options
  if (!node.eventLog.enabled) {
    throw new TypeError('the HTTP API serves the durable event log: create the node with `eventLog: true`')
  }
  const keys = typeof options.apiKey === 'string' ? new ApiKeys(options.apiKey) : options.apiKey
  const app: Api = fastify({
    logger: options.logger === true ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    // at close, once the requests in flight are answered (preClose below), every connection
    // ends: also keep-alives a client opened and never used, which node does not count as idle
    forceCloseConnections: true
  }).withTypeProvider<TypeBoxTypeProvider>()
  // query strings and paths are text: their numbers and booleans are coerced; JSON bodies are taken as sent
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema))

  const metrics = createMetrics(node, options.registry)
  const webhooks = new WebhookDispatcher(node.eventLog, node.webhookStore, {
    self: node.peerId,
    ...options.webhooks,
    onFailure: () => { metrics.webhookFailure(); options.webhooks?.onFailure?.() }
  })
  const closing = new AbortController()
  const ctx: ApiContext = { node, keys, webhooks, metrics, maxLongPoll: options.maxLongPoll ?? 60, closing: closing.signal }

  app.setErrorHandler(async (err: Error & { statusCode?: number }, _req, reply) => {
    const { status, body, retryAfter } = errorResponse(err)
    if (status === 500) app.log.error({ err: { name: err.name, message: err.message } }, 'request failed')
    if (retryAfter != null) void reply.header('retry-after', String(retryAfter))
    return await reply.code(status).send(body)
  })
  await app.register(fastifyRateLimit, {
    global: true,
    max: options.rateLimit?.max ?? 6000,
    timeWindow: options.rateLimit?.timeWindow ?? 60 * second,
    errorResponseBuilder: (_req, context) => Object.assign(new Error(`rate limit of ${context.max} requests per ${context.after} exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`), { statusCode: context.statusCode, name: 'RateLimitError' })
  })
  // after the rate limit (a route-level onRequest hook): a wrong key costs a request like any other
  app.addHook('preValidation', async (req) => {
    if (req.routeOptions.config.public === true) return
    const header = req.headers.authorization
    const token = header?.startsWith('Bearer ') === true ? header.slice(7).trim() : undefined
    if (!keys.verify(token)) throw new UnauthorizedError()
  })
  // the not-found handler is rate limited and authenticated too
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, async (req) => { throw new NotFoundError(`no route ${req.method} ${req.url.split('?')[0]}`) })

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'agentmsg local API', version: '0.1.0', description: 'The HTTP + WebSocket API of a local agentmsg node (DESIGN §9). Errors are {error, detail}.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the key in <data-dir>/api-key' } } },
      security: [{ bearer: [] }]
    }
  })
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } })

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger())
  app.get('/metrics', {
    schema: { tags: ['operations'], summary: 'Prometheus metrics (text exposition format)', produces: ['text/plain'], response: { 200: Type.String() } }
  }, async (_req, reply) => {
    const registry = metrics.registry
    return await reply.type(registry.contentType).send(await registry.metrics())
  })
  app.post('/v1/auth/regenerate', {
    schema: { tags: ['operations'], summary: 'Replace the API key (and its file); the old one stops working at once. The new key is shown once.', response: { 200: Type.Object({ apiKey: Type.String() }) } }
  }, async () => ({ apiKey: await keys.regenerate() }))

  meRoutes(app, ctx)
  messageRoutes(app, ctx)
  denRoutes(app, ctx)
  historyRoutes(app, ctx)
  eventRoutes(app, ctx)
  webhookRoutes(app, ctx)
  verifyRoutes(app, ctx)
  requestRoutes(app, ctx)
  contactRoutes(app, ctx)

  app.addHook('onReady', async () => { await webhooks.start() })
  // plain requests being answered (WebSockets end in their plugin's own preClose)
  const answering = new Set<unknown>()
  let answered: (() => void) | undefined
  app.addHook('onRequest', async (req, reply) => {
    if (req.headers.upgrade?.toLowerCase() === 'websocket') return
    answering.add(reply.raw)
    reply.raw.once('close', () => {
      answering.delete(reply.raw)
      if (answering.size === 0) answered?.()
    })
  })
  app.addHook('preClose', async () => {
    // long-polls answer at once; then every request in flight gets its answer before connections end
    closing.abort()
    if (answering.size === 0) return
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, CLOSE_GRACE)
      answered = () => { clearTimeout(timer); resolve() }
    })
  })
  app.addHook('onClose', async () => {
    await webhooks.stop()
    metrics.close()
  })
  return app
}
