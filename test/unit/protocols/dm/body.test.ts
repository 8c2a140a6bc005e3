import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Body, Consent, decodeBody, encodeBody, validateBody } from '../../../../src/protocols/dm/body.js'
import { BODY_PADDING_BUCKET, MAX_MARKDOWN_CHARS, MAX_METADATA_BYTES, MAX_TEXT_CHARS } from '../../../../src/protocols/dm/constants.js'
import type { OutgoingBody } from '../../../../src/protocols/dm/body.js'
import type { BodyValidationError } from '../../../../src/protocols/dm/errors.js'

const conv = '0123456789abcdef0123456789abcdef'

function refused (input: unknown): { name: string, field: string } | undefined {
  try {
    validateBody(input)
  } catch (err) {
    const e = err as BodyValidationError
    return { name: e.name, field: e.field }
  }
  return undefined
}

describe('message bodies', () => {
  it(`text: ${MAX_TEXT_CHARS} characters accepted (emoji count once), one more refused`, () => {
    expect(refused({ type: 'text', content: 'a'.repeat(MAX_TEXT_CHARS) })).toBeUndefined()
    expect(refused({ type: 'text', content: '😀'.repeat(MAX_TEXT_CHARS) })).toBeUndefined()
    expect(refused({ type: 'text', content: 'a'.repeat(MAX_TEXT_CHARS + 1) })).toEqual({ name: 'BodyValidationError', field: 'content' })
    expect(refused({ type: 'text', content: '' })).toEqual({ name: 'BodyValidationError', field: 'content' })
    expect(refused({ type: 'text' })).toEqual({ name: 'BodyValidationError', field: 'content' })
    expect(refused({ type: 'text', content: 42 })).toEqual({ name: 'BodyValidationError', field: 'content' })
  })

  it(`markdown: up to ${MAX_MARKDOWN_CHARS} characters`, () => {
    expect(refused({ type: 'markdown', content: '#'.repeat(MAX_MARKDOWN_CHARS) })).toBeUndefined()
    expect(refused({ type: 'markdown', content: '#'.repeat(MAX_MARKDOWN_CHARS + 1) })?.field).toBe('content')
  })

  it('json must parse; structured is the same type', () => {
    expect(validateBody({ type: 'json', payload: { a: [1, 2] } }).payload).toEqual({ a: [1, 2] })
    expect(validateBody({ type: 'structured', payload: '{"b":true}' })).toEqual({ type: 'json', payload: { b: true } })
    expect(refused({ type: 'json', payload: '{not json' })?.field).toBe('payload')
    expect(refused({ type: 'json' })?.field).toBe('payload')
    expect(refused({ type: 'json', payload: 10n })?.field).toBe('payload')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(refused({ type: 'json', payload: cyclic })?.field).toBe('payload')
  })

  it('file-url must be an http(s) or ipfs URL', () => {
    expect(refused({ type: 'file-url', content: 'https://example.com/report.pdf' })).toBeUndefined()
    expect(refused({ type: 'file-url', content: 'ipfs://bafy' })).toBeUndefined()
    expect(refused({ type: 'file-url', content: 'not a url' })?.field).toBe('content')
    expect(refused({ type: 'file-url', content: 'javascript:alert(1)' })?.field).toBe('content')
  })

  it('media needs a URL and a MIME type', () => {
    expect(refused({ type: 'media', media: { url: 'https://x.test/a.png', mimeType: 'image/png', size: 10 } })).toBeUndefined()
    expect(refused({ type: 'media', media: { url: 'https://x.test/a.png', mimeType: 'png' } })?.field).toBe('media.mimeType')
    expect(refused({ type: 'media', media: { url: 'https://x.test/a.png', mimeType: 'image/png', size: -1 } })?.field).toBe('media.size')
    expect(refused({ type: 'media' })?.field).toBe('media')
  })

  it('tasks carry id, deadline and idempotency key; responses an A2A state', () => {
    const request = { type: 'task-request', task: { taskId: 't1', deadline: 1_900_000_000_000, idempotencyKey: 'k1', skill: 'review' }, payload: { pr: 42 } }
    expect(refused(request)).toBeUndefined()
    expect(refused({ ...request, task: { taskId: 't1', idempotencyKey: 'k1' } })?.field).toBe('task.deadline')
    expect(refused({ ...request, task: { taskId: 't1', deadline: 1 } })?.field).toBe('task.idempotencyKey')
    expect(refused({ type: 'task-response', task: { taskId: 't1', state: 'completed' } })).toBeUndefined()
    expect(refused({ type: 'task-response', task: { taskId: 't1', state: 'done' } })?.field).toBe('task.state')
  })

  it('refuses unknown and control types, bad metadata and replyTo', () => {
    expect(refused({ type: 'receipt' })?.field).toBe('type')
    expect(refused({ type: 'html', content: 'x' })?.field).toBe('type')
    expect(refused('text')?.field).toBe('body')
    expect(refused({ type: 'text', content: 'x', metadata: [1] })?.field).toBe('metadata')
    expect(refused({ type: 'text', content: 'x', metadata: { big: 'x'.repeat(MAX_METADATA_BYTES) } })?.field).toBe('metadata')
    expect(refused({ type: 'text', content: 'x', replyTo: 'nope' })?.field).toBe('replyTo')
    expect(refused({ type: 'text', content: 'x', expiresAt: -5 })?.field).toBe('expiresAt')
  })

  it('round-trips every type, padded to 256-byte buckets', () => {
    const bodies: OutgoingBody[] = [
      { type: 'text', content: 'hi', metadata: { lang: 'en' }, replyTo: conv, expiresAt: 123 },
      { type: 'markdown', content: '# Title' },
      { type: 'json', payload: { nested: { x: [1, 'two', null] } } },
      { type: 'file-url', content: 'https://example.com/f' },
      { type: 'media', media: { url: 'https://x.test/a.png', mimeType: 'image/png', size: 99, sha256: 'ab'.repeat(32) } },
      { type: 'task-request', task: { taskId: 't', deadline: 5, idempotencyKey: 'k', skill: 's' }, payload: [1] },
      { type: 'task-response', task: { taskId: 't', state: 'failed' }, content: 'timeout' }
    ]
    for (const b of bodies) {
      const valid = validateBody(b)
      const wire = encodeBody(valid, conv)
      expect(wire.length % BODY_PADDING_BUCKET).toBe(0)
      expect(decodeBody(wire)).toEqual({ conversationId: conv, body: valid })
    }
  })

  it('pads every length to a whole bucket', () => {
    fc.assert(fc.property(fc.string({ maxLength: MAX_TEXT_CHARS }), (content) => {
      fc.pre(content.length > 0)
      const wire = encodeBody(validateBody({ type: 'text', content }), conv)
      expect(wire.length % BODY_PADDING_BUCKET).toBe(0)
      expect(decodeBody(wire).body?.content).toBe(content)
    }), { numRuns: 300 })
  })

  it('writes the bytes protons writes with the padding as a field, for any length', () => {
    fc.assert(fc.property(fc.string({ maxLength: 1200 }), fc.string({ maxLength: 300 }), (content, metadata) => {
      fc.pre(content.length > 0)
      const wire = encodeBody(validateBody({ type: 'text', content, metadata: { note: metadata } }), conv)
      const decoded = Body.decode(wire)
      const again = Body.encode({ ...decoded, padding: new Uint8Array(decoded.padding.length) })
      expect(Buffer.from(wire).equals(Buffer.from(again))).toBe(true)
      expect(decoded.padding.every(b => b === 0)).toBe(true)
    }), { numRuns: 300 })
  })

  it('counts characters as code points and metadata as bytes, everywhere', () => {
    expect(refused({ type: 'media', media: { url: 'https://x.test/a.png', mimeType: 'image/png' }, content: '😀'.repeat(MAX_TEXT_CHARS) })).toBeUndefined()
    expect(refused({ type: 'task-response', task: { taskId: '😀'.repeat(128), state: 'completed' } })).toBeUndefined()
    expect(refused({ type: 'task-response', task: { taskId: 'x'.repeat(129), state: 'completed' } })?.field).toBe('task.taskId')
    // 3 bytes a character in UTF-8: fewer than MAX_METADATA_BYTES characters, more bytes
    expect(refused({ type: 'text', content: 'x', metadata: { note: '€'.repeat(Math.ceil(MAX_METADATA_BYTES / 3)) } })?.field).toBe('metadata')
  })

  it('a task deadline of 0 is no deadline', () => {
    expect(refused({ type: 'task-request', task: { taskId: 't', deadline: 0, idempotencyKey: 'k' } })?.field).toBe('task.deadline')
  })

  it('a JSON string payload stays a string across the wire', () => {
    const valid = validateBody({ type: 'json', payload: '"just a string"' })
    expect(valid.payload).toBe('just a string')
    expect(decodeBody(encodeBody(valid, conv)).body?.payload).toBe('just a string')
    const number = validateBody({ type: 'json', payload: 42 })
    expect(decodeBody(encodeBody(number, conv)).body?.payload).toBe(42)
  })

  it('a received body that breaks the rules is refused, not delivered', () => {
    const bad = Body.encode({ type: 'text', content: 'x'.repeat(MAX_TEXT_CHARS + 1), payload: '', metadata: '', replyTo: '', conversationId: conv, padding: new Uint8Array(0) })
    expect(() => decodeBody(bad)).toThrow(expect.objectContaining({ name: 'BodyValidationError' }))
    expect(() => decodeBody(Uint8Array.of(0xff, 0xff))).toThrow(expect.objectContaining({ name: 'BodyValidationError' }))
  })

  it('a consent body carries the decision and the held message ids; one without a decision or with bad ids is refused', () => {
    const ids = ['a'.repeat(32), 'b'.repeat(32)]
    const encoded = encodeBody({ type: 'consent', consent: { decision: Consent.Decision.DECLINED, messageIds: ids } }, conv)
    expect(encoded.length % BODY_PADDING_BUCKET).toBe(0)
    expect(decodeBody(encoded)).toEqual({ conversationId: conv, consent: { decision: Consent.Decision.DECLINED, messageIds: ids } })
    const raw = (consent: Consent): Uint8Array => Body.encode({ type: 'consent', content: '', payload: '', metadata: '', replyTo: '', conversationId: conv, den: new Uint8Array(0), consent, padding: new Uint8Array(0) })
    expect(() => decodeBody(raw({ decision: Consent.Decision.DECISION_UNSPECIFIED, messageIds: [] }))).toThrow(expect.objectContaining({ name: 'BodyValidationError', field: 'consent' }))
    expect(() => decodeBody(raw({ decision: Consent.Decision.ACCEPTED, messageIds: ['not-an-id'] }))).toThrow(expect.objectContaining({ field: 'consent.messageIds' }))
    // an agent cannot send one itself
    expect(refused({ type: 'consent' })).toMatchObject({ field: 'type' })
  })
})
