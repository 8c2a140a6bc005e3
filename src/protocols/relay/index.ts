/**
 * @packageDocumentation
 *
 * Relays (DESIGN.md §6): store-and-forward for agents that are offline.
 * A node started with `relay: true` serves `/agentmsg/relay/1.0.0` — Deposit,
 * Fetch, Ack, Subscribe and the history archive — and announces itself in the
 * DHT; agents list their relays in their cards, deposit there what they
 * cannot deliver directly, and fetch (and subscribe to) their own mailbox.
 * The wire format is in docs/protocol.md §17.
 *
 * @example
 * ```ts
 * import { RelayClient } from './protocols/relay/index.js'
 *
 * const relay = new RelayClient(libp2p.dialProtocol.bind(libp2p), relayPeerId, { onPush: (held) => deliver(held) })
 * await relay.subscribe()
 * for (let after = 0, more = true; more;) {
 *   const page = await relay.fetch(after, 100)
 *   for (const held of page.held) await deliver(held)
 *   await relay.ack(page.held.map(h => envelopeId(h.envelope)))
 *   after = page.held.at(-1)?.seq ?? after
 *   more = page.hasMore
 * }
 * ```
 */
import { RelayService } from './relay-service.js'
import type { RelayServiceComponents, RelayServiceInit } from './relay-service.js'

export * from './constants.js'
export * from './errors.js'
export { RelayClient } from './relay-client.js'
export type { DialProtocol, HeldEnvelope, RelayClientOptions } from './relay-client.js'
export { RelayService } from './relay-service.js'
export type { RelayServiceComponents, RelayServiceInit } from './relay-service.js'
export { relayServiceCid } from './service-key.js'
export { RelayFrame, Response as RelayResponse } from './relay.pb.js'

/** The relay service for libp2p's `services`. */
export function relayService (init: RelayServiceInit): (components: RelayServiceComponents) => RelayService {
  return (components) => new RelayService(components, init)
}
