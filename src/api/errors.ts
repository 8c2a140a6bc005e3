/**
 * Errors of the HTTP layer, and the one table that maps every error `name`
 * the node can throw to a status code and a stable `error` string.
 */

/** An error with its HTTP answer decided where it is thrown. */
export class ApiError extends Error {
  readonly statusCode: number
  readonly code: string

  constructor (statusCode: number, code: string, detail: string) {
    super(detail)
    this.statusCode = statusCode
    this.code = code
  }
}

export class UnauthorizedError extends ApiError {
  override name = 'UnauthorizedError'
  constructor (detail = 'a valid API key is required: Authorization: Bearer <api key>') {
    super(401, 'unauthorized', detail)
  }
}

export class NotFoundError extends ApiError {
  override name = 'NotFoundError'
  constructor (detail: string) {
    super(404, 'not_found', detail)
  }
}

/** No contact kept for that peer (the node answers `undefined` or `false`, not an error). */
export class ContactNotFoundError extends ApiError {
  override name = 'ContactNotFoundError'
  constructor (peer: string) {
    super(404, 'contact_not_found', `no contact ${peer}`)
  }
}

/** A capability of DESIGN §9 that is not built yet (ephemeral sessions). */
export class NotImplementedError extends ApiError {
  override name = 'NotImplementedError'
  constructor (detail: string) {
    super(501, 'not_implemented', detail)
  }
}

/**
 * Error names from the node, protocols and store, by the answer they get.
 * `BodyValidationError`, `DenOptionsError` and `NodeOptionsError` are 400s:
 * the request breaks a type or size rule and the detail names the field. 403 (not in DESIGN
 * §9's list, added with dens) is an agent asking for what only a den's
 * owner or members may do. 422 is kept for requests that are well formed
 * but refused by policy (`content_policy_violation`, DESIGN §8) and for a
 * speed challenge failed (`wrong_answer`, `too_slow`); a content policy's
 * refusal also names the rule (`policy`). 429s carry `Retry-After` from the
 * error's `retryAfterMs` where it has one. 502 is an issuer that
 * could not be reached, serves no challenge or broke the protocol. 503 is a
 * node that is stopping, or whose store failed a write (`store_failed`: it
 * takes no more writes until restarted, when it replays its journal).
 */
export const ERROR_STATUS: Readonly<Record<string, readonly [number, string]>> = {
  BodyValidationError: [400, 'invalid_body'],
  InvalidPeerError: [400, 'invalid_peer'],
  StoreQueryError: [400, 'bad_request'],
  DenOptionsError: [400, 'invalid_den_options'],
  NodeOptionsError: [400, 'invalid_options'],
  NotDenOwnerError: [403, 'not_den_owner'],
  DenAccessError: [403, 'den_access_denied'],
  CardNotFoundError: [404, 'card_not_found'],
  DenNotFoundError: [404, 'den_not_found'],
  RequestNotFoundError: [404, 'request_not_found'],
  WebhookLimitError: [409, 'webhook_limit'],
  ContentPolicyError: [422, 'content_policy_violation'],
  WrongAnswerError: [422, 'wrong_answer'],
  TooSlowError: [422, 'too_slow'],
  OutboxFullError: [429, 'outbox_full'],
  RateLimitedError: [429, 'rate_limited'],
  DenRateLimitError: [429, 'den_rate_limited'],
  ChallengeRateLimitedError: [429, 'challenge_rate_limited'],
  IssuerUnavailableError: [502, 'issuer_unavailable'],
  ChallengeRefusedError: [502, 'issuer_refused'],
  ChallengeFrameError: [502, 'issuer_protocol_error'],
  StoreClosedError: [503, 'stopping'],
  StoreWriteError: [503, 'store_failed']
}

/** Seconds a client should wait after `outbox_full` before it tries again. */
export const OUTBOX_FULL_RETRY_AFTER = 30

export interface ErrorBody {
  error: string
  detail: string
  /** `content_policy_violation` only: the rule that refused (`spam`, or a custom policy's name) */
  policy?: string
  /** `rate_limited` from a per-peer limit: which one (`dm`, `history`) */
  limit?: string
}

/** Seconds until a refused request may succeed: the error's own `retryAfterMs` (DMs, history reads, den posts, challenges), or a fixed wait. */
function retryAfter (err: Error & { retryAfterMs?: unknown }, code: string): number | undefined {
  if (typeof err.retryAfterMs === 'number' && err.retryAfterMs > 0) return Math.max(1, Math.ceil(err.retryAfterMs / 1000))
  if (code === 'outbox_full') return OUTBOX_FULL_RETRY_AFTER
  return undefined
}

/**
 * DESIGN §8: a content policy's refusal is `{error, policy, detail}`, its
 * `detail` the policy's own reason (the message repeats the policy name).
 */
function knownBody (err: Error & { policy?: unknown, detail?: unknown, limit?: unknown }, code: string): ErrorBody {
  if (code === 'content_policy_violation' && typeof err.policy === 'string') {
    return { error: code, policy: err.policy, detail: typeof err.detail === 'string' ? err.detail : err.message }
  }
  // a per-peer limit says which, so a client can tell it from the API's own request limit
  if (code === 'rate_limited' && typeof err.limit === 'string') return { error: code, limit: err.limit, detail: err.message }
  return { error: code, detail: err.message }
}

/** Ajv says "must NOT have additional properties": name the one it found. */
function validationDetail (message: string, validation: unknown): string {
  const extra = Array.isArray(validation)
    ? (validation as Array<{ keyword?: string, params?: { additionalProperty?: unknown } }>).find(v => v.keyword === 'additionalProperties')?.params?.additionalProperty
    : undefined
  return typeof extra === 'string' ? `${message}: ${extra}` : message
}

/**
 * The status and body for any error, and for a 429 decided here the
 * seconds for `Retry-After`; nothing of a 5xx's message leaks.
 */
export function errorResponse (err: Error & { statusCode?: number, code?: string, validation?: unknown, validationContext?: string }): { status: number, body: ErrorBody, retryAfter?: number } {
  if (err instanceof ApiError) return { status: err.statusCode, body: { error: err.code, detail: err.message } }
  const known = ERROR_STATUS[err.name]
  if (known != null) {
    const seconds = retryAfter(err, known[1])
    return { status: known[0], body: knownBody(err, known[1]), ...(seconds == null ? {} : { retryAfter: seconds }) }
  }
  if (err.validation != null) return { status: 400, body: { error: 'bad_request', detail: validationDetail(err.message, err.validation) } }
  const status = err.statusCode
  if (status === 413) return { status, body: { error: 'payload_too_large', detail: err.message } }
  if (status === 429) return { status, body: { error: 'rate_limited', detail: err.message } }
  if (status != null && status >= 400 && status < 500) return { status: 400, body: { error: 'bad_request', detail: err.message } }
  return { status: 500, body: { error: 'internal', detail: 'internal error' } }
}
