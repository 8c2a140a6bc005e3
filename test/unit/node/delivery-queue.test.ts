import { afterEach, describe, expect, it, vi } from 'vitest'
import { Coalescer, DeliveryQueue, GroupCommit, SENT_HOLD, SentHold } from '../../../src/node/delivery-queue.js'

describe('delivery queue', () => {
  it('keeps each peer\'s mail in order and forgets what was acked', () => {
    const q = new DeliveryQueue()
    q.add('p', 'a', Uint8Array.of(1))
    q.add('p', 'b', Uint8Array.of(2))
    q.add('r', 'c', Uint8Array.of(3))
    expect(q.pending('p').map(e => e.id)).toEqual(['a', 'b'])
    q.remove('p', 'a')
    q.remove('p', 'missing')
    expect(q.pending('p').map(e => e.id)).toEqual(['b'])
    q.remove('p', 'b')
    expect(q.pending('p')).toEqual([])
    expect(q.pending('r').map(e => e.id)).toEqual(['c'])
  })
})

describe('sent hold', () => {
  afterEach(() => { vi.useRealTimers() })

  it('releases a held sent just before its ack, and the rest when the hold ends', () => {
    vi.useFakeTimers()
    const released: string[] = []
    const hold = new SentHold<string>((item) => { released.push(item) }, 200)
    hold.hold('a', 'sent a')
    hold.hold('b', 'sent b')
    // a resend of a: the first sent is kept
    hold.hold('a', 'sent a again')
    hold.take('b')
    hold.take('missing')
    expect(released).toEqual(['sent b'])
    vi.advanceTimersByTime(199)
    expect(released).toEqual(['sent b'])
    hold.hold('c', 'sent c')
    // one window for everything held in it: c waits no longer than a
    vi.advanceTimersByTime(1)
    expect(released).toEqual(['sent b', 'sent a', 'sent c'])
    expect(hold.size).toBe(0)
    // a new window starts with the next hold
    hold.hold('d', 'sent d')
    vi.advanceTimersByTime(200)
    expect(released.at(-1)).toBe('sent d')
  })

  it('flushes everything at once (on stop), and holds 200 ms by default', () => {
    vi.useFakeTimers()
    const released: string[] = []
    const hold = new SentHold<string>((item) => { released.push(item) })
    hold.hold('a', 'x')
    hold.hold('b', 'y')
    hold.flush()
    expect(released).toEqual(['x', 'y'])
    // the flush cleared the timer: nothing is released twice
    vi.advanceTimersByTime(SENT_HOLD * 2)
    expect(released).toEqual(['x', 'y'])
    expect(SENT_HOLD).toBe(200)
  })
})

describe('coalescer', () => {
  it('writes what arrives in one turn as one batch, batches one at a time, and reports idle', async () => {
    const batches: number[][] = []
    let running = 0
    let overlapped = false
    const c = new Coalescer<number>(async (items) => {
      running++
      if (running > 1) overlapped = true
      await new Promise(resolve => setImmediate(resolve))
      batches.push(items)
      running--
    }, () => {})
    for (let i = 0; i < 5; i++) c.push(i)
    await c.idle()
    c.push(5)
    c.push(6)
    await c.idle()
    expect(batches).toEqual([[0, 1, 2, 3, 4], [5, 6]])
    expect(overlapped).toBe(false)
  })

  it('gathers everything that arrives while a flush runs into the next batch', async () => {
    const batches: number[][] = []
    let release: () => void = () => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    const c = new Coalescer<number>(async (items) => {
      batches.push(items)
      if (batches.length === 1) await gate
    }, () => {})
    c.push(0)
    // the first flush has started (and waits): pushes over several turns pile up behind it
    while (batches.length === 0) await new Promise(resolve => setImmediate(resolve))
    for (let i = 1; i <= 6; i++) {
      c.push(i)
      await new Promise(resolve => setImmediate(resolve))
    }
    release()
    await c.idle()
    expect(batches).toEqual([[0], [1, 2, 3, 4, 5, 6]])
  })

  it('with yieldTo, a flush waits for the write yieldTo has in flight, then a turn, and keeps the order', async () => {
    const order: string[] = []
    let release: () => void = () => {}
    let inFlight: Promise<void> | undefined = new Promise<void>(resolve => { release = resolve })
    const c = new Coalescer<number>(async (items) => { order.push(`flush ${items.join(',')}`) }, () => {},
      async () => { await inFlight })
    c.push(1)
    c.push(2)
    // several turns pass: the flush is still held by the write in flight
    for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve))
    expect(order).toEqual([])
    release()
    // what the finished write released (queued on the next tick) runs before the flush
    void inFlight.then(() => { process.nextTick(() => { order.push('released by the write') }) })
    inFlight = undefined
    c.push(3)
    await c.idle()
    expect(order).toEqual(['released by the write', 'flush 1,2,3'])
    // nothing in flight: it flushes without waiting on anything
    c.push(4)
    await c.idle()
    expect(order.at(-1)).toBe('flush 4')
  })

  it('reports a failed batch and goes on', async () => {
    const errors: string[] = []
    const seen: number[][] = []
    const c = new Coalescer<number>(async (items) => {
      if (items.includes(1)) throw new Error('disk full')
      seen.push(items)
    }, (err) => { errors.push(err.message) })
    c.push(1)
    await c.idle()
    c.push(2)
    await c.idle()
    expect(errors).toEqual(['disk full'])
    expect(seen).toEqual([[2]])
  })
})

describe('group commit', () => {
  it('commits builders pushed during a write together, in order', async () => {
    const writes: string[][] = []
    const gc = new GroupCommit(async (build) => {
      const ops = await build()
      await new Promise(resolve => setImmediate(resolve))
      writes.push(ops.map(o => String(o)))
    }, () => {})
    const all = [gc.push(async () => ['a' as never]), gc.push(async () => ['b' as never]), gc.push(async () => ['c' as never])]
    await Promise.all(all)
    // the first write starts alone; the two pushed while it ran go together
    expect(writes).toEqual([['a'], ['b', 'c']])
  })

  it('settled waits for the write in flight only, resolves on failure too, and at once when idle', async () => {
    const releases: Array<(err?: Error) => void> = []
    const gc = new GroupCommit(async (build) => {
      await build()
      await new Promise<void>((resolve, reject) => { releases.push((err) => { if (err == null) resolve(); else reject(err) }) })
    }, () => {})
    await gc.settled()
    const first = gc.push(async () => [])
    while (releases.length === 0) await new Promise(resolve => setImmediate(resolve))
    const second = gc.push(async () => [])
    let settled = false
    const waiting = gc.settled().then(() => { settled = true })
    for (let i = 0; i < 3; i++) await new Promise(resolve => setImmediate(resolve))
    expect(settled).toBe(false)
    releases[0]!()
    await waiting
    await first
    // the second write (queued behind) is running now and was not waited for
    while (releases.length === 1) await new Promise(resolve => setImmediate(resolve))
    const failing = gc.settled()
    releases[1]!(new Error('disk full'))
    await expect(failing).resolves.toBeUndefined()
    await expect(second).rejects.toThrow('disk full')
    await gc.settled()
  })

  it('a failed write rejects its builders and every queued one, after onFailure ran', async () => {
    const order: string[] = []
    let fail = true
    const gc = new GroupCommit(async (build) => {
      await build()
      await new Promise(resolve => setImmediate(resolve))
      if (fail) throw new Error('disk full')
    }, () => { order.push('onFailure') })
    const first = gc.push(async () => []).catch((err: Error) => { order.push(`first: ${err.message}`) })
    const queued = gc.push(async () => []).catch((err: Error) => { order.push(`queued: ${err.message}`) })
    await Promise.all([first, queued])
    expect(order).toEqual(['onFailure', 'first: disk full', 'queued: disk full'])
    fail = false
    await expect(gc.push(async () => [])).resolves.toBeUndefined()
  })
})
