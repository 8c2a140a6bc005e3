/**
 * Prometheus metrics for `/metrics`: messages in and out, delivery latency,
 * outbox depth, webhook failures, validator rejections, the node's counters,
 * and libp2p's own metrics when the node was built with
 * `prometheusMetrics({ registry })` on the same registry.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { AgentNode, NodeStats, StatusChange } from '../node/agent-node.js'

/** Messages whose queue time is remembered for the latency histogram, at most. */
const MAX_TRACKED = 10_000

export interface ApiMetrics {
  readonly registry: Registry
  webhookFailure(): void
  /** Stop listening to the node. */
  close(): void
}

export function createMetrics (node: AgentNode, registry: Registry = new Registry()): ApiMetrics {
  const received = new Counter({ name: 'agentmsg_messages_received_total', help: 'Messages received and stored', registers: [registry] })
  const sent = new Counter({ name: 'agentmsg_messages_sent_total', help: 'Messages queued for sending', registers: [registry] })
  const failed = new Counter({ name: 'agentmsg_messages_failed_total', help: 'Messages refused by their recipient', registers: [registry] })
  const latency = new Histogram({
    name: 'agentmsg_message_delivery_seconds',
    help: 'End-to-end latency: from queued on this node to the recipient\'s ack after it persisted the message',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry]
  })
  const webhookFailures = new Counter({ name: 'agentmsg_webhook_failures_total', help: 'Webhook delivery attempts that failed', registers: [registry] })
  // den topic validators arrive with dens; the series exists from the start so dashboards need not change
  new Counter({ name: 'agentmsg_validator_rejections_total', help: 'Den messages refused by the topic validator', registers: [registry] })
  new Gauge({
    name: 'agentmsg_outbox_depth',
    help: 'Envelopes waiting for an ack',
    registers: [registry],
    async collect () { this.set(await node.outboxDepth().catch(() => 0)) }
  })
  // the node's counters since start, read when scraped
  const counters: Array<[name: string, help: string, value: (stats: NodeStats) => number]> = [
    ['agentmsg_rejected_envelopes', 'Envelopes refused since start (bad signature, undecryptable, invalid body)', s => s.rejectedEnvelopes + s.rejectedFrames],
    ['agentmsg_duplicate_envelopes', 'Envelopes received again and dropped since start (replays, resends)', s => s.duplicates],
    ['agentmsg_policy_refusals', 'Messages refused since start by the receiving rate limit or the content policy', s => s.policyRefusals],
    ['agentmsg_requests_held', 'Messages held in message requests since start (inbox policy)', s => s.held],
    ['agentmsg_blocked_drops', 'Messages from blocked agents that came through a relay and were dropped unread', s => s.blockedDrops]
  ]
  for (const [name, help, value] of counters) {
    new Gauge({ name, help, registers: [registry], collect () { this.set(value(node.stats)) } })
  }

  const queuedAt = new Map<string, number>()
  const onReceived = (): void => { received.inc() }
  const onStatus = (evt: Event): void => {
    const change = (evt as CustomEvent<StatusChange>).detail
    if (change.status === 'queued') {
      sent.inc()
      if (queuedAt.size >= MAX_TRACKED) queuedAt.delete(queuedAt.keys().next().value!)
      queuedAt.set(change.messageId, performance.now())
    } else if (change.status === 'delivered') {
      const start = queuedAt.get(change.messageId)
      queuedAt.delete(change.messageId)
      if (start !== undefined) latency.observe((performance.now() - start) / 1000)
    } else if (change.status === 'failed') {
      failed.inc()
      queuedAt.delete(change.messageId)
    }
  }
  node.addEventListener('message.received', onReceived)
  node.addEventListener('message.status', onStatus)
  return {
    registry,
    webhookFailure: () => { webhookFailures.inc() },
    close: () => {
      node.removeEventListener('message.received', onReceived)
      node.removeEventListener('message.status', onStatus)
    }
  }
}
