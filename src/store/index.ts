/**
 * @packageDocumentation
 *
 * The node's persistent state on level (classic-level), the only code that
 * touches it. One sublevel per concern: messages, conversations, sessions,
 * outbox, replay, contacts, requests, prekeys, meta, events (the API's event log),
 * webhooks.
 *
 * Every value is sealed at rest with AES-256-GCM under the node's storage
 * key: `nonce (12) || ciphertext || tag`, with `sublevel \0 key` as
 * associated data so a value cannot be moved to another key. A value that
 * does not open is a `StoreCorruptionError`, never a crash or a silent drop.
 * Keys stay plaintext: ids, peer ids, sequence numbers and the times that
 * order indexes (list order, outbox retries, replay expiry). Index entries
 * have empty values.
 *
 * Writes that belong together (a received message, its session and its
 * replay id) are built by the stores' `*Ops` methods and committed by
 * `store.write()` in one atomic batch. Writes are serialised; builders that
 * read before they write (unread counts, the outbox bound, sequence numbers)
 * run inside `store.write(async () => ops)` so no concurrent write can lose
 * an update.
 *
 * @example
 * ```ts
 * import { openStore } from './store/index.js'
 *
 * const store = await openStore({ path: `${dataDir}/db`, storageKey })
 * await store.write(async () => [
 *   ...await store.messages.putOps(record),
 *   ...store.sessions.putOps(record.from, session.serialize()),
 *   ...store.replay.addOps(record.messageId)
 * ])
 * const { messages, total } = await store.messages.inbox({ unread: true, limit: 20 })
 * for (const message of messages) await store.messages.markRead(message.messageId)
 * await store.close()
 * ```
 */
export { openStore } from './store.js'
export type { Store, StoreOptions, StoreWrite } from './store.js'
export type { Built, StoreOp } from './context.js'
export type { ArchiveEntry, ArchiveLimits, ArchiveStore, ArchiveUsage } from './archive.js'
export type { DenFeedOptions, DenFeedPage, DenPostRecord, DenRecord, DenStore } from './dens.js'
export type { MailboxEntry, MailboxLimits, MailboxPage, MailboxStore, MailboxUsage } from './mailbox.js'
export * from './errors.js'
export { DEFAULT_QUERY_LIMIT, MAX_OUTBOX, MAX_QUERY_LIMIT, REPLAY_WINDOW, STORAGE_KEY_LENGTH } from './constants.js'
export { statusTransitionAllowed } from './messages.js'
export type {
  DeliveryStatus,
  HistoryOptions,
  HistoryPage,
  InboxOptions,
  InboxPage,
  MessageDirection,
  MessageRecord,
  MessageStore,
  MessageTask
} from './messages.js'
export type {
  ConversationListOptions,
  ConversationRecord,
  ConversationSort,
  ConversationStatus,
  ConversationStore,
  ConversationTouch
} from './conversations.js'
export type { SessionStore } from './sessions.js'
export type { OutboxAttempt, OutboxEnqueue, OutboxEntry, OutboxStore } from './outbox.js'
export type { ReplayStore } from './replay.js'
export type { ContactInput, ContactRecord, ContactStore, ContactTrust } from './contacts.js'
export type { RequestRecord, RequestStore } from './requests.js'
export type { OneTimePrekeyRecord, OwnPrekeyStore, SignedPrekeyRecord } from './prekeys.js'
export type { MetaStore } from './meta.js'
export { EVENT_RETENTION, MAX_EVENTS } from './events.js'
export type { EventStore, StoredEvent } from './events.js'
export { MAX_WEBHOOKS, WebhookLimitError } from './webhooks.js'
export type { PendingDelivery, WebhookAttempt, WebhookInput, WebhookRecord, WebhookStore } from './webhooks.js'
