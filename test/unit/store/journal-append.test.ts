/**
 * A journal append that fails (a full disk): the commit fails, leaves no
 * bytes behind and nothing visible, and the store goes on.
 */
import { stat } from 'node:fs/promises'
import * as fs from 'node:fs'
import type * as Fs from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { incoming, storeFixture } from './helpers.js'
import type { StoreFixture } from './helpers.js'

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof Fs>()
  return { ...real, writeSync: vi.fn(real.writeSync), ftruncateSync: vi.fn(real.ftruncateSync) }
})

const real = await vi.importActual<typeof Fs>('node:fs')

let fx: StoreFixture
beforeEach(async () => { fx = await storeFixture() })
afterEach(async () => { await fx.cleanup() })

const noSpace = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })

describe('a failed journal append', () => {
  it('fails its commit, cut back to the bytes before it, with nothing visible; the next commit goes through', async () => {
    const store = await fx.open()
    await store.meta.put('before', 1)
    const file = join(fx.dir, 'db', 'journal')
    const size = (await stat(file)).size
    const write = vi.mocked(fs.writeSync)
    // half the record reaches the file, then the disk is full
    write.mockImplementationOnce(((fd: number, buffer: Buffer, offset: number, length: number) => real.writeSync(fd, buffer, offset, Math.floor(length / 2))) as typeof fs.writeSync)
    write.mockImplementationOnce(() => { throw noSpace() })
    const msg = incoming('conv-1')
    await expect(store.messages.put(msg)).rejects.toMatchObject({ code: 'ENOSPC' })
    expect((await stat(file)).size).toBe(size)
    expect(await store.messages.get(msg.messageId)).toBeUndefined()
    expect(await store.conversations.get('conv-1')).toBeUndefined()
    expect((await store.messages.history('conv-1')).messages).toEqual([])

    await store.messages.put(msg)
    expect((await store.messages.history('conv-1')).messages).toEqual([msg])
    await store.close()
    const again = await fx.open()
    expect((await again.messages.history('conv-1')).messages).toEqual([msg])
    expect(await again.meta.get('before')).toBe(1)
  })

  it('once its bytes cannot be cut back either, refuses every later append: what follows them would never be read back', async () => {
    const store = await fx.open()
    vi.mocked(fs.writeSync).mockImplementationOnce(() => { throw noSpace() })
    vi.mocked(fs.ftruncateSync).mockImplementationOnce(() => { throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' }) })
    await expect(store.meta.put('a', 1)).rejects.toMatchObject({ code: 'ENOSPC' })
    await expect(store.meta.put('b', 2)).rejects.toThrow('could not be undone')
    expect(await store.meta.get('a')).toBeUndefined()
    expect(await store.meta.get('b')).toBeUndefined()
  })
})
