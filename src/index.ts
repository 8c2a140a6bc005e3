/**
 * @packageDocumentation
 *
 * agentmsg: end-to-end encrypted, peer-to-peer messaging for autonomous AI
 * agents on js-libp2p. This is the public library surface: the agent node,
 * its types and errors, and the crypto core it stands on.
 *
 * @example
 * ```ts
 * import { createAgentNode } from 'agentmsg'
 *
 * const node = await createAgentNode({ dataDir: './alice', bootstrap: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3Koo...'] })
 * node.addEventListener('message.received', (evt) => { console.log(evt.detail.content) })
 * await node.send('12D3KooW...', { type: 'text', content: 'hello' })
 * ```
 */
export { AgentNode, createAgentNode } from './node/agent-node.js'
export type {
  AgentNodeEvents, AgentNodeOptions, AgentProfile, AgentSession, ConnectionRequest, ConsentAnswer, InboxPolicy, NodeStats, RelayNodeOptions, RelayRefusal, SendResult, StatusChange
} from './node/agent-node.js'
export type { ContentPolicy, ContentPolicyContext, PolicyVerdict, SpamOptions } from './node/content-policy.js'
export type { RateLimitOptions } from './node/limits.js'
export type { CreateDenOptions, DenInfo } from './node/dens.js'
export type { RestoreResult } from './node/archive.js'
export * from './protocols/den/errors.js'
export type { DenKind } from './protocols/den/descriptor.js'
export { RelayRefusedError, RelayUnavailableError } from './protocols/relay/errors.js'
export { issueCredential, verifyCredential, isCredentialValid } from './protocols/verify/index.js'
export type { VerifiedCredential } from './protocols/verify/index.js'
export type { OpenTask } from './node/tasks.js'
export * from './node/errors.js'
export { BODY_TYPES, TASK_STATES } from './protocols/dm/body.js'
export type { BodyType, MediaRef, OutgoingBody, TaskInfo, TaskState } from './protocols/dm/body.js'
export { BodyValidationError } from './protocols/dm/errors.js'
export { CardNotFoundError } from './protocols/card/errors.js'
export type { AgentSkill, ResolvedCard } from './protocols/card/index.js'
export type {
  ContactRecord, ContactTrust, ConversationRecord, DeliveryStatus, DenFeedOptions, DenFeedPage, DenPostRecord, EventStore, HistoryPage, InboxPage, MessageRecord, RequestRecord, StoredEvent
} from './store/index.js'
export * from './crypto/index.js'
