/**
 * @packageDocumentation
 *
 * Agent credentials (DESIGN §8): an issuer's signed statement that an agent
 * passed its check at some `level` (the speed challenge proves
 * `"software-agent"`), valid for a window of time. Verified dens and trust
 * levels both accept an agent on `verifyCredential`, with the issuers from
 * the node's config. The byte layout is docs/protocol.md §19.
 *
 * An issuer (a node started with `issuer: true`) serves the speed challenge
 * `/agentmsg/verify/1.0.0` (docs/protocol.md §20): 64 fresh SHA-256 tasks to
 * answer within 1 s, which software does in milliseconds and a person cannot.
 * `requestCredential` is the prover's side.
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
 *
 * // a prover earning one from an issuer
 * const bytes = await requestCredential(libp2p.dialProtocol.bind(libp2p), issuerPeerId, { primitives: prims })
 * ```
 */
import { VerifyService } from './verify-service.js'
import type { VerifyServiceComponents, VerifyServiceInit } from './verify-service.js'

export * from './credential.js'
export * from './constants.js'
export * from './errors.js'
export * from './tasks.js'
export { VerifyService } from './verify-service.js'
export type { VerifyServiceComponents, VerifyServiceInit } from './verify-service.js'
export { requestCredential } from './verify-client.js'
export type { RequestCredentialOptions } from './verify-client.js'
export { ChallengeFrame, Result as ChallengeResult } from './challenge.pb.js'

/** The speed-challenge issuer for libp2p's `services`. */
export function verifyService (init: VerifyServiceInit): (components: VerifyServiceComponents) => VerifyService {
  return (components) => new VerifyService(components, init)
}
