import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { DM_FRAME_VERSION } from '../../../../src/protocols/dm/constants.js'
import { DmFrame } from '../../../../src/protocols/dm/dm.pb.js'
import { FrameWriter, envelopeFrameHeader } from '../../../../src/protocols/dm/frame-writer.js'
import { FrameReader } from '../../../../src/protocols/framing.js'
import type { Stream } from '@libp2p/interface'

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill)

/** Counts `send` calls on a stream. */
function countSends (stream: Stream): { sends: number } {
  const counter = { sends: 0 }
  const send = stream.send.bind(stream)
  stream.send = (data) => {
    counter.sends++
    return send(data)
  }
  return counter
}

describe('FrameWriter', () => {
  it('writes the envelope frame header DmFrame.encode writes, for every length prefix size', () => {
    for (const n of [1, 127, 128, 300, 16_383, 16_384, 65_536]) {
      const envelope = bytes(n, 7)
      const header = envelopeFrameHeader(n)
      const joined = new Uint8Array(header.length + n)
      joined.set(header)
      joined.set(envelope, header.length)
      expect(joined).toEqual(DmFrame.encode({ version: DM_FRAME_VERSION, envelope } as DmFrame))
    }
  })

  it('hands frames written in one turn to the stream in one send, and they read back as written', async () => {
    const [a, b] = await streamPair()
    const counter = countSends(a)
    const writer = new FrameWriter(a)
    const frames = Array.from({ length: 50 }, (_, i) => bytes(10 + i, i))
    for (const frame of frames) expect(writer.write(frame.subarray(0, 3), frame.subarray(3))).toBeUndefined()
    expect(counter.sends).toBe(0)
    const reader = new FrameReader(b, { maxLength: 1000 })
    const got: Uint8Array[] = []
    for (let i = 0; i < frames.length; i++) got.push(await reader.read() as Uint8Array)
    expect(got).toEqual(frames)
    expect(counter.sends).toBe(1)

    // a later turn is a later send
    writer.write(bytes(4, 9))
    expect([...await reader.read() as Uint8Array]).toEqual([9, 9, 9, 9])
    expect(counter.sends).toBe(2)
  })

  it('flush() sends at once, so a stream can be closed right after', async () => {
    const [a, b] = await streamPair()
    const writer = new FrameWriter(a)
    writer.write(bytes(5, 1))
    writer.flush()
    await a.close()
    const reader = new FrameReader(b, { maxLength: 100 })
    expect([...await reader.read() as Uint8Array]).toEqual([1, 1, 1, 1, 1])
    expect(await reader.read()).toBeUndefined()
  })

  it('drops frames for a stream that is no longer writable, and a stream whose send throws is aborted', async () => {
    const [a] = await streamPair()
    const writer = new FrameWriter(a)
    writer.write(bytes(5, 1))
    await a.close()
    expect(() => { writer.flush() }).not.toThrow()

    const [c] = await streamPair()
    const failing = new FrameWriter(c)
    c.send = () => { throw new Error('boom') }
    failing.write(bytes(5, 1))
    failing.flush()
    expect(c.status).toBe('aborted')
    expect(() => failing.write(bytes(1, 1))).toThrow('boom')
  })
})
