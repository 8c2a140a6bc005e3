/**
 * Message bodies: what an agent sends, checked before anything is sealed,
 * and the padded protobuf `Body` that travels inside the envelope.
 *
 * Every body is validated on send (a typed `BodyValidationError` naming the
 * field, before anything is stored or sealed) and again on receive (an
 * invalid body from the network is rejected, never stored).
 */
import { transientBytes } from '../../crypto/transient-bytes.js'
import { decodeWithNativeStrings } from '../decode.js'
import { Body, Consent, Receipt } from './body.pb.js'
import { BodyValidationError } from './errors.js'
import {
  BODY_PADDING_BUCKET, MAX_BODY_BYTES, MAX_ID_LENGTH, MAX_MARKDOWN_CHARS, MAX_METADATA_BYTES, MAX_RECEIPT_IDS, MAX_TEXT_CHARS, MAX_URL_LENGTH
} from './constants.js'

export { Body, Consent, Receipt }

/** Body types an agent may send. `structured` is accepted as another name for `json`. */
export const BODY_TYPES = ['text', 'markdown', 'json', 'file-url', 'media', 'task-request', 'task-response'] as const
export type BodyType = typeof BODY_TYPES[number]

/** A2A task lifecycle states carried by `task-response`. */
export const TASK_STATES = ['submitted', 'working', 'input-required', 'completed', 'failed', 'canceled', 'rejected'] as const
export type TaskState = typeof TASK_STATES[number]

export interface MediaRef {
  url: string
  mimeType: string
  size?: number
  /** hex SHA-256 of the content */
  sha256?: string
}

export interface TaskInfo {
  taskId: string
  skill?: string
  /** ms since epoch (task-request) */
  deadline?: number
  idempotencyKey?: string
  /** A2A state (task-response) */
  state?: TaskState
}

/** What `node.send(to, body)` takes. */
export interface OutgoingBody {
  type: BodyType | 'structured'
  /** text, markdown, the URL of file-url, an optional note on task bodies */
  content?: string
  /** any JSON value (json, task-request, task-response) */
  payload?: unknown
  media?: MediaRef
  task?: TaskInfo
  metadata?: Record<string, unknown>
  /** hex id of the message this answers */
  replyTo?: string
  /** ms since epoch after which both sides delete the message */
  expiresAt?: number
}

/** A body after validation, normalised (`structured` → `json`, payload as JSON text). */
export interface ValidBody {
  type: BodyType
  content?: string
  payload?: unknown
  media?: MediaRef
  task?: TaskInfo
  metadata?: Record<string, unknown>
  replyTo?: string
  expiresAt?: number
}

const URL_SCHEMES = new Set(['http:', 'https:', 'ipfs:', 'ipns:'])
const HEX_ID = /^[0-9a-f]{32}$/
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i

function fail (field: string, detail: string): never {
  throw new BodyValidationError(field, detail)
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype
}

function jsonText (field: string, value: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (err) {
    fail(field, `must be JSON-serialisable: ${(err as Error).message}`)
  }
  if (text === undefined) fail(field, 'must be a JSON value')
  return text
}

function checkString (field: string, value: unknown, max: number, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) fail(field, 'is required')
    return undefined
  }
  if (typeof value !== 'string') fail(field, 'must be a string')
  if (required && value.length === 0) fail(field, 'must not be empty')
  if (value.length > max) {
    // a string longer than max UTF-16 units can still be within max code points
    const chars = charCount(value)
    if (chars > max) fail(field, `must be at most ${max} characters, got ${chars}`)
  }
  return value
}

function checkUrl (field: string, value: unknown): string {
  const url = checkString(field, value, MAX_URL_LENGTH, true)!
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    fail(field, 'must be a URL')
  }
  if (!URL_SCHEMES.has(parsed.protocol)) fail(field, `must be an http, https, ipfs or ipns URL, got ${parsed.protocol}`)
  return url
}

function checkTime (field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(field, 'must be a time in ms since the epoch')
  return value
}

/** Count user-perceived characters by code point, so an emoji is one character, not two. */
function charCount (s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

/**
 * Check a body an agent wants to send. Throws `BodyValidationError` with the
 * offending field; returns the normalised body.
 */
export function validateBody (input: unknown, options: { parsedPayload?: boolean } = {}): ValidBody {
  if (!isPlainObject(input)) fail('body', 'must be an object')
  const b = input as Partial<OutgoingBody>
  const type = b.type === 'structured' ? 'json' : b.type
  if (typeof type !== 'string' || !(BODY_TYPES as readonly string[]).includes(type)) {
    fail('type', `must be one of ${BODY_TYPES.join(', ')}`)
  }
  const out: ValidBody = { type: type as BodyType }

  switch (out.type) {
    case 'text': {
      const content = checkString('content', b.content, Number.MAX_SAFE_INTEGER, true)!
      const chars = charCount(content)
      if (chars > MAX_TEXT_CHARS) fail('content', `must be at most ${MAX_TEXT_CHARS} characters, got ${chars}`)
      out.content = content
      break
    }
    case 'markdown': {
      const content = checkString('content', b.content, Number.MAX_SAFE_INTEGER, true)!
      const chars = charCount(content)
      if (chars > MAX_MARKDOWN_CHARS) fail('content', `must be at most ${MAX_MARKDOWN_CHARS} characters, got ${chars}`)
      out.content = content
      break
    }
    case 'json':
      if (b.payload === undefined) fail('payload', 'is required')
      if (typeof b.payload === 'string' && options.parsedPayload !== true) {
        try {
          out.payload = JSON.parse(b.payload)
        } catch {
          fail('payload', 'must parse as JSON')
        }
      } else {
        out.payload = JSON.parse(jsonText('payload', b.payload))
      }
      break
    case 'file-url':
      out.content = checkUrl('content', b.content)
      break
    case 'media': {
      if (!isPlainObject(b.media)) fail('media', 'is required')
      const m = b.media as Partial<MediaRef>
      const media: MediaRef = { url: checkUrl('media.url', m.url), mimeType: checkString('media.mimeType', m.mimeType, 255, true)! }
      if (!MIME.test(media.mimeType)) fail('media.mimeType', 'must be a MIME type like image/png')
      if (m.size !== undefined) {
        if (typeof m.size !== 'number' || !Number.isSafeInteger(m.size) || m.size < 0) fail('media.size', 'must be a non-negative integer')
        media.size = m.size
      }
      if (m.sha256 !== undefined) {
        if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) fail('media.sha256', 'must be 64 lowercase hex characters')
        media.sha256 = m.sha256
      }
      out.media = media
      out.content = checkString('content', b.content, MAX_TEXT_CHARS, false)
      break
    }
    case 'task-request':
    case 'task-response': {
      if (!isPlainObject(b.task)) fail('task', 'is required')
      const t = b.task as Partial<TaskInfo>
      const task: TaskInfo = { taskId: checkString('task.taskId', t.taskId, MAX_ID_LENGTH, true)! }
      if (out.type === 'task-request') {
        const deadline = checkTime('task.deadline', t.deadline)
        if (deadline === undefined || deadline === 0) fail('task.deadline', 'is required')
        task.deadline = deadline
        task.idempotencyKey = checkString('task.idempotencyKey', t.idempotencyKey, MAX_ID_LENGTH, true)
        const skill = checkString('task.skill', t.skill, MAX_ID_LENGTH, false)
        if (skill !== undefined) task.skill = skill
      } else {
        if (typeof t.state !== 'string' || !(TASK_STATES as readonly string[]).includes(t.state)) {
          fail('task.state', `must be one of ${TASK_STATES.join(', ')}`)
        }
        task.state = t.state as TaskState
      }
      out.task = task
      if (b.payload !== undefined) out.payload = JSON.parse(jsonText('payload', b.payload))
      const content = checkString('content', b.content, MAX_TEXT_CHARS, false)
      if (content !== undefined) out.content = content
      break
    }
  }

  if (b.metadata !== undefined) {
    if (!isPlainObject(b.metadata)) fail('metadata', 'must be a JSON object')
    const text = jsonText('metadata', b.metadata)
    if (Buffer.byteLength(text) > MAX_METADATA_BYTES) fail('metadata', `must be at most ${MAX_METADATA_BYTES} bytes of JSON`)
    out.metadata = JSON.parse(text)
  }
  if (b.replyTo !== undefined) {
    if (typeof b.replyTo !== 'string' || !HEX_ID.test(b.replyTo)) fail('replyTo', 'must be a message id (32 lowercase hex characters)')
    out.replyTo = b.replyTo
  }
  const expiresAt = checkTime('expiresAt', b.expiresAt)
  if (expiresAt !== undefined) out.expiresAt = expiresAt
  return out
}

/** The protobuf fields of a validated body, before padding. */
function toProto (body: ValidBody, conversationId: string): Body {
  const proto: Body = {
    type: body.type,
    content: body.content ?? '',
    payload: body.payload === undefined ? '' : JSON.stringify(body.payload),
    metadata: body.metadata === undefined ? '' : JSON.stringify(body.metadata),
    replyTo: body.replyTo ?? '',
    conversationId,
    den: new Uint8Array(0),
    padding: new Uint8Array(0)
  }
  if (body.expiresAt !== undefined) proto.expiresAt = body.expiresAt
  if (body.media !== undefined) {
    proto.media = {
      url: body.media.url,
      mimeType: body.media.mimeType,
      size: body.media.size ?? 0,
      sha256: body.media.sha256 === undefined ? new Uint8Array(0) : new Uint8Array(Buffer.from(body.media.sha256, 'hex'))
    }
  }
  if (body.task !== undefined) {
    proto.task = {
      taskId: body.task.taskId,
      skill: body.task.skill ?? '',
      deadline: body.task.deadline ?? 0,
      idempotencyKey: body.task.idempotencyKey ?? '',
      state: body.task.state ?? ''
    }
  }
  return proto
}

/** Bodies the node itself sends: receipts, den control, answers to message requests. */
export type ControlBody = { type: 'receipt', receipt: Receipt } | { type: 'den', den: Uint8Array } | { type: 'consent', consent: Consent }

/**
 * Encode and pad to a multiple of BODY_PADDING_BUCKET bytes, so the
 * ciphertext length says only which 256-byte bucket a message is in.
 * Throws `BodyValidationError` if the encoded body exceeds MAX_BODY_BYTES.
 * The result is for sealing, not keeping: a padded body is a view of a
 * shared slab (src/crypto/transient-bytes.ts).
 */
export function encodeBody (body: ValidBody | ControlBody, conversationId: string): Uint8Array {
  const control = { content: '', payload: '', metadata: '', replyTo: '', conversationId, den: new Uint8Array(0), padding: new Uint8Array(0) }
  const proto = 'receipt' in body
    ? { ...control, type: 'receipt', receipt: body.receipt } as Body
    : 'den' in body
      ? { ...control, type: 'den', den: body.den } as Body
      : 'consent' in body
        ? { ...control, type: 'consent', consent: body.consent } as Body
        : toProto(body, conversationId)
  const encoded = withPadding(Body.encode({ ...proto, padding: NO_PADDING }))
  if (encoded.length > MAX_BODY_BYTES) fail('body', `encodes to ${encoded.length} bytes, more than ${MAX_BODY_BYTES}`)
  return encoded
}

const NO_PADDING = new Uint8Array(0)
/** `padding` (field 15, length-delimited): the last field, so protons writes it after every other */
const PADDING_TAG = (15 << 3) | 2

/**
 * The bare encoding with its padding field appended: the bytes
 * `Body.encode` writes with that padding (zeroes), without encoding twice.
 */
function withPadding (bare: Uint8Array): Uint8Array {
  const pad = paddingFor(bare.length)
  if (pad === 0) return bare
  // zeroed: the padding needs only its tag and length. Short-lived: sealed, then dropped
  const out = transientBytes(bare.length + 1 + varintLength(pad) + pad)
  out.set(bare, 0)
  let at = bare.length
  out[at++] = PADDING_TAG
  for (let n = pad; ; n >>>= 7) {
    if (n < 0x80) { out[at++] = n; break }
    out[at++] = (n & 0x7f) | 0x80
  }
  return out
}

/** The smallest padding that makes the encoded body a whole number of buckets. */
function paddingFor (bare: number): number {
  if (bare % BODY_PADDING_BUCKET === 0) return 0
  // the padding field costs a tag byte and a length varint on top of its bytes
  for (let pad = 1; ; pad++) {
    if ((bare + 1 + varintLength(pad) + pad) % BODY_PADDING_BUCKET === 0) return pad
  }
}

function varintLength (n: number): number {
  let len = 1
  while (n >= 0x80) { n >>>= 7; len++ }
  return len
}

/** A received body: decoded, its padding dropped, and validated as if it were being sent. */
export interface ReceivedBody {
  conversationId: string
  body?: ValidBody
  receipt?: Receipt
  /** type `den`: an encoded DenControl, for the den layer to check */
  den?: Uint8Array
  /** type `consent`: the answer to a message request we made */
  consent?: Consent
}

/** Decode a received body. Throws `BodyValidationError` for anything we would not send. */
export function decodeBody (bytes: Uint8Array): ReceivedBody {
  if (bytes.length > MAX_BODY_BYTES) fail('body', `is ${bytes.length} bytes, more than ${MAX_BODY_BYTES}`)
  let proto: Body
  try {
    proto = decodeWithNativeStrings(bytes, Body.codec())
  } catch (err) {
    fail('body', `does not decode: ${(err as Error).message}`)
  }
  if (proto.type === 'receipt') {
    if (proto.receipt == null || proto.receipt.kind === Receipt.Kind.KIND_UNSPECIFIED) fail('receipt', 'is required')
    if (proto.receipt.messageIds.length > MAX_RECEIPT_IDS) fail('receipt.messageIds', `must list at most ${MAX_RECEIPT_IDS} ids`)
    if (!proto.receipt.messageIds.every(id => HEX_ID.test(id))) fail('receipt.messageIds', 'must be message ids')
    return { conversationId: proto.conversationId, receipt: proto.receipt }
  }
  if (proto.type === 'den') {
    if (proto.den.length === 0) fail('den', 'is required')
    return { conversationId: proto.conversationId, den: proto.den }
  }
  if (proto.type === 'consent') {
    if (proto.consent == null || proto.consent.decision === Consent.Decision.DECISION_UNSPECIFIED) fail('consent', 'is required')
    if (proto.consent.messageIds.length > MAX_RECEIPT_IDS) fail('consent.messageIds', `must list at most ${MAX_RECEIPT_IDS} ids`)
    if (!proto.consent.messageIds.every(id => HEX_ID.test(id))) fail('consent.messageIds', 'must be message ids')
    return { conversationId: proto.conversationId, consent: proto.consent }
  }
  const parse = (field: string, text: string): unknown => {
    try {
      return JSON.parse(text)
    } catch {
      fail(field, 'must parse as JSON')
    }
  }
  const input: OutgoingBody = { type: proto.type as BodyType }
  if (proto.content !== '') input.content = proto.content
  if (proto.payload !== '') input.payload = parse('payload', proto.payload)
  if (proto.metadata !== '') input.metadata = parse('metadata', proto.metadata) as Record<string, unknown>
  if (proto.replyTo !== '') input.replyTo = proto.replyTo
  if (proto.expiresAt != null) input.expiresAt = proto.expiresAt
  if (proto.media != null) {
    input.media = { url: proto.media.url, mimeType: proto.media.mimeType }
    if (proto.media.size !== 0) input.media.size = proto.media.size
    if (proto.media.sha256.length > 0) input.media.sha256 = Buffer.from(proto.media.sha256).toString('hex')
  }
  if (proto.task != null) {
    const t: TaskInfo = { taskId: proto.task.taskId }
    if (proto.task.skill !== '') t.skill = proto.task.skill
    if (proto.task.deadline !== 0) t.deadline = proto.task.deadline
    if (proto.task.idempotencyKey !== '') t.idempotencyKey = proto.task.idempotencyKey
    if (proto.task.state !== '') t.state = proto.task.state as TaskState
    input.task = t
  }
  // the payload was JSON text on the wire and is parsed already: a string is a string value
  return { conversationId: proto.conversationId, body: validateBody(input, { parsedPayload: true }) }
}
