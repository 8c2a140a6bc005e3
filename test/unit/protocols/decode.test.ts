import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeWithNativeStrings } from '../../../src/protocols/decode.js'
import { Body, Receipt } from '../../../src/protocols/dm/body.pb.js'
import { encodeBody } from '../../../src/protocols/dm/body.js'

const conv = '0123456789abcdef0123456789abcdef'

describe('decodeWithNativeStrings', () => {
  it('decodes what protons decodes, for any text (multi-byte, astral, empty)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 40 }), (content, metadata) => {
      const bytes = Body.encode({ ...Body.decode(encodeBody({ type: 'text', content: content === '' ? 'x' : content }, conv)), metadata, replyTo: metadata })
      expect(decodeWithNativeStrings(bytes, Body.codec())).toEqual(Body.decode(bytes))
    }), { numRuns: 300 })
  })

  it('nested messages and repeated strings (a receipt) come out the same', () => {
    const ids = ['aa'.repeat(16), 'bb'.repeat(16), 'cc'.repeat(16)]
    const bytes = encodeBody({ type: 'receipt', receipt: { kind: Receipt.Kind.READ, messageIds: ids, taskId: 'täsk-1' } }, conv)
    const decoded = decodeWithNativeStrings(bytes, Body.codec())
    expect(decoded).toEqual(Body.decode(bytes))
    expect(decoded.receipt?.messageIds).toEqual(ids)
    expect(decoded.receipt?.taskId).toBe('täsk-1')
  })

  it('malformed UTF-8 becomes U+FFFD, without throwing', () => {
    const bytes = encodeBody({ type: 'text', content: 'aé b' }, conv)
    // é is C3 A9: make its second byte no continuation byte
    const at = Buffer.from(bytes).indexOf(Buffer.from([0xc3, 0xa9]))
    expect(at).toBeGreaterThan(0)
    const broken = Uint8Array.from(bytes)
    broken[at + 1] = 0x28
    expect(decodeWithNativeStrings(broken, Body.codec()).content).toBe('a\ufffd( b')
  })

  it('keeps the codec\'s limits and errors', () => {
    expect(() => decodeWithNativeStrings(Uint8Array.of(0x0a, 0x05, 0x61), Body.codec())).toThrow()
    const receipt = encodeBody({ type: 'receipt', receipt: { kind: Receipt.Kind.READ, messageIds: ['aa'.repeat(16), 'bb'.repeat(16)], taskId: '' } }, conv)
    expect(() => decodeWithNativeStrings(receipt, Body.codec(), { limits: { receipt: { messageIds: 1 } } })).toThrow()
  })
})
