import type { ValidBody } from '../protocols/dm/body.js'
import type { MessageRecord } from '../store/index.js'

/** The fields of a message record that come from its body. */
export function recordFields (body: ValidBody): Pick<MessageRecord, 'type' | 'content' | 'payload' | 'metadata' | 'replyTo' | 'expiresAt' | 'task'> {
  const out: ReturnType<typeof recordFields> = { type: body.type }
  if (body.content !== undefined) out.content = body.content
  if (body.payload !== undefined) out.payload = body.payload
  // the message object of DESIGN §9 has content and payload but no media field
  if (body.media !== undefined) out.payload = { media: body.media }
  if (body.metadata !== undefined) out.metadata = body.metadata
  if (body.replyTo !== undefined) out.replyTo = body.replyTo
  if (body.expiresAt !== undefined) out.expiresAt = body.expiresAt
  if (body.task !== undefined) out.task = { ...body.task }
  return out
}
