/**
 * `POST /v1/verify {issuer}`: run that issuer's speed challenge (DESIGN §8,
 * docs/protocol.md §20) and keep the credential. Refusals map in the one
 * table in `errors.ts`: a wrong or late answer 422, over the issuer's
 * attempts per hour 429 with `Retry-After`, an issuer that cannot be
 * reached, serves no challenge or breaks the protocol 502.
 */
import { Type } from 'typebox'
import { iso } from '../format.js'
import { ErrorBody, VerifyPost } from '../schemas.js'
import type { Static } from 'typebox'
import type { Api, ApiContext } from '../context.js'

const VerifyResult = Type.Object({
  credential: Type.Object({
    subject: Type.String({ description: 'our peer id' }),
    issuer: Type.String(),
    level: Type.String({ description: '"software-agent"' }),
    issuedAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' })
  })
})

export function verifyRoutes (app: Api, { node }: ApiContext): void {
  app.post('/v1/verify', {
    schema: {
      tags: ['verify'],
      summary: 'Run an issuer\'s speed challenge and keep the credential (shown in verified dens and our card)',
      body: VerifyPost,
      response: { 200: VerifyResult, 400: ErrorBody, 422: ErrorBody, 429: ErrorBody, 502: ErrorBody }
    }
  }, async (req): Promise<Static<typeof VerifyResult>> => {
    const { issuer } = req.body as Static<typeof VerifyPost>
    const verified = await node.verify(issuer)
    return {
      credential: { subject: verified.subject, issuer: verified.issuer, level: verified.level, issuedAt: iso(verified.issuedAt), expiresAt: iso(verified.expiresAt) }
    }
  })
}
