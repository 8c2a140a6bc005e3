import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { FrameReader, encodeLength, readFrame, readFrames, writeFrame } from '../../../src/protocols/framing.js'

const bytes = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill)

describe('framing', () => {
  it('encodes lengths as unsigned LEB128 varints', () => {
    expect([...encodeLength(0)]).toEqual([0])
    expect([...encodeLength(127)]).toEqual([127])
    expect([...encodeLength(128)]).toEqual([0x80, 0x01])
    expect([...encodeLength(300)]).toEqual([0xac, 0x02])
    expect([...encodeLength(0xffffffff)]).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f])
    expect(() => encodeLength(-1)).toThrow(RangeError)
  })

  it('carries frames both ways and ends cleanly when the writer closes', async () => {
    const [a, b] = await streamPair()
    const frames = [bytes(0), bytes(1, 1), bytes(300, 2), bytes(70_000, 3)]
    const sent = (async () => {
      for (const f of frames) await writeFrame(a, f)
      await a.close()
    })()
    const got: Uint8Array[] = []
    for await (const f of readFrames(b, { maxLength: 100_000 })) got.push(f)
    await sent
    expect(got).toEqual(frames)
  })

  it('keeps bytes after the first frame for the next reader', async () => {
    const [a, b] = await streamPair()
    // two frames in a single send: the first reader must not swallow the second
    a.send(new Uint8Array([3, 1, 2, 3, 2, 9, 9]))
    expect([...await readFrame(b, { maxLength: 10 })]).toEqual([1, 2, 3])
    expect([...await readFrame(b, { maxLength: 10 })]).toEqual([9, 9])
  })

  it('refuses a frame above maxLength before reading its body, and aborts the stream', async () => {
    const [a, b] = await streamPair()
    await writeFrame(a, bytes(1025))
    await expect(readFrame(b, { maxLength: 1024 })).rejects.toMatchObject({ name: 'FrameTooLargeError' })
    expect(b.status).toBe('aborted')
  })

  it('refuses an over-long length prefix', async () => {
    const [a, b] = await streamPair()
    a.send(new Uint8Array([0x80, 0x80, 0x80]))
    await expect(readFrame(b, { maxLength: 100 })).rejects.toMatchObject({ name: 'FrameTooLargeError' })
  })

  it('tells a clean end from a truncated frame', async () => {
    const [a, b] = await streamPair()
    await a.close()
    await expect(readFrame(b, { maxLength: 10 })).rejects.toMatchObject({ name: 'StreamEndedError' })

    const [c, d] = await streamPair()
    c.send(new Uint8Array([5, 1, 2]))
    await c.close()
    await expect(readFrame(d, { maxLength: 10 })).rejects.toMatchObject({ name: 'TruncatedFrameError' })
  })

  it('gives up at the signal without hurting the stream', async () => {
    const [a, b] = await streamPair()
    const reader = new FrameReader(b, { maxLength: 10 })
    await expect(reader.read({ signal: AbortSignal.timeout(50) })).rejects.toThrow()
    await writeFrame(a, bytes(2))
    expect(await reader.read()).toEqual(bytes(2))
    reader.unwrap()
  })

  it('writeFrame refuses frames above its maxLength', async () => {
    const [a] = await streamPair()
    await expect(writeFrame(a, bytes(11), { maxLength: 10 })).rejects.toMatchObject({ name: 'FrameTooLargeError' })
  })
})
