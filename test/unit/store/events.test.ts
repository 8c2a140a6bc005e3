import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EVENT_RETENTION } from '../../../src/store/index.js'
import { rawEntries, storeFixture } from './helpers.js'
import type { StoreFixture } from './helpers.js'

describe('event log', () => {
  let fx: StoreFixture
  beforeEach(async () => { fx = await storeFixture() })
  afterEach(async () => { await fx.cleanup() })

  it('gives committed events increasing cursors, in the same batch as other writes', async () => {
    const store = await fx.open()
    expect(store.events.last).toBe(0)
    const heard: number[] = []
    store.events.subscribe(e => heard.push(e.cursor))
    await store.write(async () => [
      ...store.meta.putOps('x', 1),
      ...store.events.appendOps('message.status', { messageId: 'a', status: 'sent' }),
      ...store.events.appendOps('message.status', { messageId: 'b', status: 'sent' })
    ])
    await store.events.append('message.read', { messageId: 'a' })
    const all = await store.events.after(0)
    expect(all.map(e => e.type)).toEqual(['message.status', 'message.status', 'message.read'])
    expect(all.map(e => e.cursor)).toEqual(heard)
    expect(heard[0]).toBeGreaterThanOrEqual(1)
    expect(heard[1]).toBeGreaterThan(heard[0]!)
    expect(heard[2]).toBeGreaterThan(heard[1]!)
    expect(store.events.last).toBe(heard[2])
    expect(await store.events.after(heard[0]!, 1)).toMatchObject([{ cursor: heard[1], data: { messageId: 'b' } }])
  })

  it('keeps nothing when the log is off, and the other writes of the batch still land', async () => {
    const store = await fx.open({ eventLog: false })
    expect(store.events.enabled).toBe(false)
    await store.write(async () => [...store.meta.putOps('x', 1), ...store.events.appendOps('message.status', { messageId: 'a' })])
    await store.events.append('message.read', { messageId: 'a' })
    expect(await store.events.after(0)).toEqual([])
    expect(await store.meta.get('x')).toBe(1)
  })

  it('a failed batch leaves no event and tells no listener', async () => {
    const store = await fx.open()
    const heard: unknown[] = []
    store.events.subscribe(e => heard.push(e))
    await expect(store.write(async () => [
      ...store.events.appendOps('message.status', {}),
      ...store.meta.putOps('', 1) // throws while building
    ])).rejects.toThrow()
    expect(heard).toEqual([])
    expect(await store.events.after(0)).toEqual([])
  })

  it('survives a restart: cursors keep increasing, values are sealed', async () => {
    let store = await fx.open()
    await store.events.append('message.received', { content: 'secret words' })
    const first = store.events.last
    await store.close()
    expect((await rawEntries(fx.dir)).some(([, v]) => Buffer.from(v).includes('secret words'))).toBe(false)
    store = await fx.open()
    expect(store.events.last).toBe(first)
    await store.events.append('message.read', {})
    expect(store.events.last).toBeGreaterThan(first)
    expect((await store.events.after(0)).map(e => e.type)).toEqual(['message.received', 'message.read'])
  })

  it('wait() returns at once when events exist after the cursor, else on the next commit or abort', async () => {
    const store = await fx.open()
    await store.events.append('a', {})
    await store.events.wait(0)
    const last = store.events.last
    let woke = false
    const waiting = store.events.wait(last).then(() => { woke = true })
    await Promise.resolve()
    expect(woke).toBe(false)
    await store.events.append('b', {})
    await waiting
    expect(woke).toBe(true)
    const controller = new AbortController()
    const aborted = store.events.wait(store.events.last, controller.signal)
    controller.abort()
    await aborted
  })

  it('keeps the newest maxEvents and nothing older than 30 days', async () => {
    const store = await fx.open({ maxEvents: 5 })
    for (let i = 0; i < 8; i++) await store.events.append('e', { i })
    expect(await store.events.prune()).toBe(3)
    expect((await store.events.after(0)).map(e => (e.data as { i: number }).i)).toEqual([3, 4, 5, 6, 7])
    fx.clock.now += EVENT_RETENTION / 2
    await store.events.append('e', { i: 8 })
    fx.clock.now += EVENT_RETENTION / 2 + 1
    expect(await store.events.prune()).toBe(5) // one over the count bound, four past the age bound
    expect((await store.events.after(0)).map(e => (e.data as { i: number }).i)).toEqual([8])
    expect(store.events.size).toBe(1)
  })

  it('rejects bad cursors and limits', async () => {
    const store = await fx.open()
    await expect(store.events.after(-1)).rejects.toMatchObject({ name: 'StoreQueryError' })
    await expect(store.events.after(0, 0)).rejects.toMatchObject({ name: 'StoreQueryError' })
  })
})

describe('webhook store', () => {
  let fx: StoreFixture
  beforeEach(async () => { fx = await storeFixture() })
  afterEach(async () => { await fx.cleanup() })

  it('holds at most 10 webhooks, keeps secrets sealed, removes owed deliveries with its webhook', async () => {
    let store = await fx.open()
    for (let i = 0; i < 10; i++) await store.webhooks.add({ id: `h${i}`, url: `http://127.0.0.1/${i}`, events: ['message.received'], secret: `hunter-${i}` }, 0)
    await expect(store.webhooks.add({ id: 'h10', url: 'http://x', events: [], secret: 's' }, 0)).rejects.toMatchObject({ name: 'WebhookLimitError' })
    await store.events.append('message.received', { n: 1 })
    const owed = await store.webhooks.fanOut(await store.events.after(0), e => JSON.stringify(e))
    expect(owed).toHaveLength(10)
    expect(await store.webhooks.fannedOut()).toBe(store.events.last)
    expect(await store.webhooks.remove('h3')).toBe(true)
    expect(await store.webhooks.remove('h3')).toBe(false)
    expect((await store.webhooks.pending()).map(d => d.webhookId)).not.toContain('h3')
    await store.close()
    expect((await rawEntries(fx.dir)).some(([, v]) => Buffer.from(v).includes('hunter-'))).toBe(false)
    store = await fx.open()
    expect(await store.webhooks.pending()).toHaveLength(9)
  })

  it('fans out only wanted events after the webhook existed, once', async () => {
    const store = await fx.open()
    await store.events.append('message.received', {})
    await store.webhooks.add({ id: 'h', url: 'http://x', events: ['message.read'], secret: 's' }, store.events.last)
    await store.events.append('message.read', {})
    await store.events.append('message.status', {})
    const events = await store.events.after(0)
    const owed = await store.webhooks.fanOut(events, e => e.type)
    expect(owed.map(d => d.body)).toEqual(['message.read'])
    expect(await store.webhooks.fanOut(events, e => e.type)).toEqual([])
  })

  it('records attempts and reschedules or finishes a delivery', async () => {
    const store = await fx.open()
    await store.webhooks.add({ id: 'h', url: 'http://x', events: ['e'], secret: 's' }, 0)
    await store.events.append('e', {})
    const [d] = await store.webhooks.fanOut(await store.events.after(0), () => '{}')
    await store.webhooks.recordAttempt(d!, { cursor: d!.cursor, type: 'e', attempt: 1, at: 1, ok: false, error: 'HTTP 500', nextAt: 5001 })
    expect(await store.webhooks.pending()).toMatchObject([{ attempts: 1, nextAt: 5001 }])
    await store.webhooks.recordAttempt(d!, { cursor: d!.cursor, type: 'e', attempt: 2, at: 2, ok: true, status: 204 })
    expect(await store.webhooks.pending()).toEqual([])
    expect((await store.webhooks.get('h'))!.attempts.map(a => a.ok)).toEqual([false, true])
  })
})
