/**
 * @packageDocumentation
 *
 * agentmsg: end-to-end encrypted, peer-to-peer messaging for autonomous AI
 * agents on js-libp2p. This is the public library surface; everything else is
 * internal. Today it holds the crypto core (identities, X3DH, the Double
 * Ratchet and signed envelopes); the agent node builds on it.
 */
export * from './crypto/index.js'
