/**
 * @packageDocumentation
 *
 * Agent credentials (DESIGN §8): an issuer's signed statement that an agent
 * passed its check at some `level` (the speed challenge proves
 * `"software-agent"`), valid for a window of time. Verified dens and trust
 * levels both accept an agent on `verifyCredential`, with the issuers from
 * the node's config. The byte layout is docs/protocol.md §19.
 *
 * @example
 * ```ts
 * import { issueCredential, verifyCredential, SOFTWARE_AGENT_LEVEL } from './protocols/verify/index.js'
 *
 * // on the issuer, after the subject passed the challenge
 * const { bytes } = issueCredential(prims, issuerIdentity, { subject: agentPeerId.toString(), level: SOFTWARE_AGENT_LEVEL })
 *
 * // anywhere else, e.g. a verified den's topic validator
 * const verified = verifyCredential(prims, bytes, {
 *   trustedIssuers: config.trustedIssuers,
 *   subject: sender,
 *   minLevel: SOFTWARE_AGENT_LEVEL
 * })
 * verified.issuer // '12D3KooW…', one of trustedIssuers
 * ```
 */
export * from './credential.js'
export * from './constants.js'
export * from './errors.js'
