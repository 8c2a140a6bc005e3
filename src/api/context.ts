import type { ApiKeys } from './api-key.js'
import type { ApiMetrics } from './metrics.js'
import type { WebhookDispatcher } from './webhooks.js'
import type { AgentNode } from '../node/agent-node.js'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'

/** The fastify instance with TypeBox types. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

/** What the routes share. */
export interface ApiContext {
  node: AgentNode
  keys: ApiKeys
  webhooks: WebhookDispatcher
  metrics: ApiMetrics
  /** longest long-poll wait, seconds */
  maxLongPoll: number
  /** aborted when the API closes: long-polls answer at once */
  closing: AbortSignal
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** served without the API key */
    public?: boolean
  }
}
