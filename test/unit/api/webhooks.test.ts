/**
 * Webhook delivery with a manual clock: signed POSTs, the retry schedule,
 * exactly one successful delivery, and retries that survive a restart.
 */
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import { afterAll, describe, expect, it } from 'vitest'
import { WEBHOOK_RETRY_DELAYS } from '../../../src/api/index.js'
import { waitFor } from '../../integration/helpers.js'
import { apiFixture, auth, connect, startNode } from './helpers.js'
import type { Clock } from '../../../src/api/index.js'
import type { AddressInfo } from 'node:net'

const SECRET = 'whsec-0123456789abcdef'

/** Timers that fire only when the test moves the clock. */
class ManualClock implements Clock {
  t = Date.now()
  readonly timers = new Set<{ at: number, fn: () => void }>()
  /** delays asked for, in order */
  readonly delays: number[] = []

  now (): number { return this.t }
  setTimeout (fn: () => void, ms: number): unknown {
    const timer = { at: this.t + ms, fn }
    this.delays.push(ms)
    this.timers.add(timer)
    return timer
  }

  clearTimeout (handle: unknown): void { this.timers.delete(handle as { at: number, fn: () => void }) }
  advance (ms: number): void {
    this.t += ms
    for (const timer of [...this.timers]) {
      if (timer.at <= this.t) {
        this.timers.delete(timer)
        timer.fn()
      }
    }
  }
}

interface Hit { body: string, headers: Record<string, string | string[] | undefined>, answered: number }

/** A webhook receiver answering with `answer()` (a status) for each POST. */
async function receiver (answer: (n: number) => number): Promise<{ url: string, hits: Hit[], close(): Promise<void> }> {
  const hits: Hit[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      const answered = answer(hits.length + 1)
      hits.push({ body, headers: req.headers, answered })
      res.writeHead(answered).end()
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits,
    close: async () => { await new Promise(resolve => server.close(resolve)) }
  }
}

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => {})
})

function verify (hit: Hit): void {
  const expected = 'sha256=' + createHmac('sha256', SECRET).update(hit.body).digest('hex')
  expect(hit.headers['x-agentmsg-signature']).toBe(expected)
}

describe('webhooks', () => {
  it('fails twice, then succeeds: delivered once, signed, after 5 s and 30 s; attempts listed', async () => {
    const clock = new ManualClock()
    const hook = await receiver(n => n <= 2 ? 500 : 204)
    cleanups.push(hook.close)
    const alice = await apiFixture({ webhooks: { clock } })
    cleanups.push(alice.close)
    const bob = await startNode()
    cleanups.push(async () => { await bob.stop() })
    await connect(bob, alice.node)

    const created = await alice.app.inject({ method: 'POST', url: '/v1/webhooks', headers: auth, payload: { url: hook.url, events: ['message.received'], secret: SECRET } })
    expect(created.statusCode).toBe(201)
    const { messageId } = await bob.send(alice.node.peerId, { type: 'text', content: 'ping' })

    await waitFor(() => clock.timers.size === 1)
    clock.advance(0)
    await waitFor(() => hook.hits.length === 1 && clock.timers.size === 1)
    expect(clock.delays.at(-1)).toBe(WEBHOOK_RETRY_DELAYS[0])
    clock.advance(5_000)
    await waitFor(() => hook.hits.length === 2 && clock.timers.size === 1)
    expect(clock.delays.at(-1)).toBe(WEBHOOK_RETRY_DELAYS[1])
    clock.advance(30_000)
    await waitFor(async () => {
      const list = (await alice.app.inject({ url: '/v1/webhooks', headers: auth })).json()
      return list.webhooks[0].attempts.length === 3 && list.webhooks[0]
    })

    const accepted = hook.hits.filter(h => h.answered === 204)
    expect(accepted).toHaveLength(1)
    expect(hook.hits).toHaveLength(3)
    expect(clock.timers.size).toBe(0)
    for (const hit of hook.hits) verify(hit)
    // the same bytes every time
    expect(new Set(hook.hits.map(h => h.body)).size).toBe(1)
    const event = JSON.parse(accepted[0]!.body)
    expect(event).toMatchObject({ type: 'message.received', data: { messageId, content: 'ping' } })
    expect(accepted[0]!.headers['x-agentmsg-cursor']).toBe(String(event.cursor))
    expect(accepted[0]!.headers['x-agentmsg-attempt']).toBe('3')

    const [listed] = (await alice.app.inject({ url: '/v1/webhooks', headers: auth })).json().webhooks
    expect(listed.pending).toBe(0)
    expect(listed.attempts.map((a: { ok: boolean, status: number }) => [a.ok, a.status])).toEqual([[false, 500], [false, 500], [true, 204]])
    expect(JSON.stringify(listed)).not.toContain(SECRET)
    const metrics = (await alice.app.inject({ url: '/metrics', headers: auth })).body
    expect(metrics).toContain('agentmsg_webhook_failures_total 2')
  })

  it('retries survive a restart', async () => {
    let up = false
    const hook = await receiver(() => up ? 200 : 503)
    cleanups.push(hook.close)
    const clock = new ManualClock()
    const alice = await apiFixture({ webhooks: { clock } })
    const bob = await startNode()
    cleanups.push(async () => { await bob.stop() })
    await connect(bob, alice.node)
    await alice.app.inject({ method: 'POST', url: '/v1/webhooks', headers: auth, payload: { url: hook.url, events: ['message.received'], secret: SECRET } })
    await bob.send(alice.node.peerId, { type: 'text', content: 'while the receiver is down' })
    await waitFor(() => clock.timers.size === 1)
    clock.advance(0)
    await waitFor(async () => {
      const list = (await alice.app.inject({ url: '/v1/webhooks', headers: auth })).json()
      return list.webhooks[0].attempts.length === 1
    })
    await alice.close()

    up = true
    const clock2 = new ManualClock()
    clock2.t = clock.t
    const again = await apiFixture({ dataDir: alice.dataDir, webhooks: { clock: clock2 } })
    cleanups.push(again.close)
    // picked up from the store, due 5 s after the failed attempt
    await waitFor(() => clock2.timers.size === 1)
    expect(clock2.delays).toEqual([WEBHOOK_RETRY_DELAYS[0]])
    clock2.advance(5_000)
    await waitFor(() => hook.hits.some(h => h.answered === 200))
    await waitFor(async () => (await again.app.inject({ url: '/v1/webhooks', headers: auth })).json().webhooks[0].pending === 0)
    expect(hook.hits.map(h => h.answered)).toEqual([503, 200])
    verify(hook.hits[1]!)
    expect(JSON.parse(hook.hits[1]!.body).data.content).toBe('while the receiver is down')
  })
})
