/**
 * The per-peer rate limits and the content rules at their edges, on an
 * injected clock.
 */
import { describe, expect, it } from 'vitest'
import { ContentRules, SPAM_TRACKED, SpamGuard } from '../../../src/node/content-policy.js'
import { PeerLimits, checkRateLimits } from '../../../src/node/limits.js'
import type { ValidBody } from '../../../src/protocols/dm/body.js'

const text = (content: string): ValidBody => ({ type: 'text', content })
const peer = (i: number): string => `peer-${i}`

describe('PeerLimits', () => {
  it('allows 120 DMs a minute to one peer, refuses the 121st with the wait for one token, and refills evenly', () => {
    const clock = { now: 0 }
    const limits = new PeerLimits({}, () => clock.now)
    for (let i = 0; i < 120; i++) limits.sendDm('bob')
    let refused: unknown
    try { limits.sendDm('bob') } catch (err) { refused = err }
    expect(refused).toMatchObject({ name: 'RateLimitedError', limit: 'dm', retryAfterMs: 500 })
    // another peer has its own bucket
    limits.sendDm('carol')
    clock.now += 499
    let almost: { retryAfterMs?: number } = {}
    try { limits.sendDm('bob') } catch (err) { almost = err as { retryAfterMs: number } }
    // 1 ms of the 500 a token takes is left (rounded up)
    expect(almost.retryAfterMs).toBeGreaterThanOrEqual(1)
    expect(almost.retryAfterMs).toBeLessThanOrEqual(2)
    clock.now += 1
    limits.sendDm('bob')
  })

  it('refuses a peer past its receiving limit, each peer on its own bucket', () => {
    const clock = { now: 0 }
    const limits = new PeerLimits({ dmsPerMinute: 2 }, () => clock.now)
    expect([limits.receiveDm('a'), limits.receiveDm('a'), limits.receiveDm('a'), limits.receiveDm('b')]).toEqual([true, true, false, true])
    clock.now += 30_000
    expect(limits.receiveDm('a')).toBe(true)
  })

  it('limits history reads per conversation, 300 a minute by default', () => {
    const limits = new PeerLimits({}, () => 0)
    for (let i = 0; i < 300; i++) limits.readHistory('c1')
    expect(() => { limits.readHistory('c1') }).toThrow(expect.objectContaining({ name: 'RateLimitedError', limit: 'history', retryAfterMs: 200 }))
    limits.readHistory('c2')
  })

  it('Infinity turns a limit off; anything but a positive integer is a NodeOptionsError', () => {
    const limits = new PeerLimits({ dmsPerMinute: Infinity }, () => 0)
    for (let i = 0; i < 10_000; i++) limits.sendDm('bob')
    expect(checkRateLimits({})).toEqual({ dmsPerMinute: 120, historyReadsPerMinute: 300, denPostsPerMinute: 20 })
    for (const bad of [0, -1, 1.5, Number.NaN, '10' as unknown as number]) {
      expect(() => checkRateLimits({ dmsPerMinute: bad })).toThrow(expect.objectContaining({ name: 'NodeOptionsError' }))
    }
  })
})

describe('SpamGuard', () => {
  it('lets the same content go to 10 distinct agents within 10 minutes and refuses the 11th', () => {
    const clock = { now: 0 }
    const guard = new SpamGuard({}, () => clock.now)
    for (let i = 0; i < 10; i++) expect(guard.check(text('offer'), peer(i))).toBe('allow')
    // one of them again is not a new recipient
    expect(guard.check(text('offer'), peer(3))).toBe('allow')
    expect(guard.check(text('offer'), peer(10))).toMatchObject({ policy: 'spam' })
    // other content, or the same as another type, is not the same content
    expect(guard.check(text('another offer'), peer(10))).toBe('allow')
    expect(guard.check({ type: 'markdown', content: 'offer' }, peer(10))).toBe('allow')
    // ten minutes after the first ones, they no longer count
    clock.now += 10 * 60_000
    expect(guard.check(text('offer'), peer(10))).toBe('allow')
  })

  it('tells task bodies apart by task id (a worker answers many requesters alike)', () => {
    const guard = new SpamGuard({ spamRecipients: 1 }, () => 0)
    const done = (taskId: string): ValidBody => ({ type: 'task-response', payload: { ok: true }, task: { taskId, state: 'completed' } })
    expect(guard.check(done('t1'), peer(1))).toBe('allow')
    expect(guard.check(done('t2'), peer(2))).toBe('allow')
    expect(guard.check(done('t1'), peer(3))).toMatchObject({ policy: 'spam' })
  })

  it('keys content on type, text, payload and media, not on metadata or replyTo', () => {
    const guard = new SpamGuard({ spamRecipients: 1 }, () => 0)
    const json = (payload: unknown, extra: Partial<ValidBody> = {}): ValidBody => ({ type: 'json', payload, ...extra })
    expect(guard.check(json({ a: 1 }), peer(1))).toBe('allow')
    expect(guard.check(json({ a: 2 }), peer(2))).toBe('allow')
    expect(guard.check(json({ a: 1 }, { metadata: { n: 1 }, replyTo: 'x' }), peer(3))).toMatchObject({ policy: 'spam' })
    const media = (url: string): ValidBody => ({ type: 'media', content: 'look', media: { url, mimeType: 'image/png' } })
    expect(guard.check(media('https://x.test/a.png'), peer(1))).toBe('allow')
    expect(guard.check(media('https://x.test/b.png'), peer(2))).toBe('allow')
    expect(guard.check(media('https://x.test/a.png'), peer(3))).toMatchObject({ policy: 'spam' })
  })

  it('tracks at most SPAM_TRACKED contents, forgetting the least recently sent', () => {
    const guard = new SpamGuard({ spamRecipients: 1 }, () => 0)
    guard.check(text('first'), peer(1))
    for (let i = 0; i < SPAM_TRACKED; i++) guard.check(text(`c${i}`), peer(1))
    // "first" was forgotten: a new recipient is allowed again
    expect(guard.check(text('first'), peer(2))).toBe('allow')
    expect(guard.check(text(`c${SPAM_TRACKED - 1}`), peer(2))).toMatchObject({ policy: 'spam' })
  })

  it('refuses options out of range', () => {
    expect(() => new SpamGuard({ spamRecipients: 0 })).toThrow(expect.objectContaining({ name: 'NodeOptionsError' }))
    expect(() => new SpamGuard({ spamWindowMs: -1 })).toThrow(expect.objectContaining({ name: 'NodeOptionsError' }))
  })
})

describe('ContentRules', () => {
  const context = { peer: 'bob', conversationId: 'c'.repeat(32) }

  it('runs the custom policy on send and on receive, and the spam rule on send only', async () => {
    const seen: string[] = []
    const rules = new ContentRules({
      spamRecipients: 1,
      policy: (body, ctx) => {
        seen.push(ctx.direction)
        return body.content === 'bad' ? { policy: 'no-bad', detail: 'bad is bad' } : 'allow'
      }
    })
    await rules.checkSend(text('fine'), context)
    await expect(rules.checkSend(text('bad'), context)).rejects.toMatchObject({ name: 'ContentPolicyError', policy: 'no-bad', detail: 'bad is bad' })
    await expect(rules.checkReceive(text('bad'), context)).rejects.toMatchObject({ policy: 'no-bad' })
    // spam is a send-side rule: receiving the same content from many is not refused here
    await rules.checkReceive(text('fine'), { ...context, peer: 'carol' })
    await expect(rules.checkSend(text('fine'), { ...context, peer: 'carol' })).rejects.toMatchObject({ policy: 'spam' })
    expect(seen).toEqual(['send', 'send', 'receive', 'receive', 'send'])
    expect(rules.hasReceivePolicy).toBe(true)
    expect(new ContentRules().hasReceivePolicy).toBe(false)
  })

  it('refuses when the policy throws, rejects, or answers something else', async () => {
    const throwing = new ContentRules({ policy: () => { throw new Error('model offline') } })
    await expect(throwing.checkSend(text('x'), context)).rejects.toMatchObject({ name: 'ContentPolicyError', policy: 'content-policy' })
    const rejecting = new ContentRules({ policy: async () => await Promise.reject(new Error('timeout')) })
    await expect(rejecting.checkReceive(text('x'), context)).rejects.toMatchObject({ name: 'ContentPolicyError' })
    const odd = new ContentRules({ policy: () => 'deny' as unknown as 'allow' })
    await expect(odd.checkSend(text('x'), context)).rejects.toMatchObject({ name: 'ContentPolicyError' })
    const asyncAllow = new ContentRules({ policy: async () => 'allow' as const })
    await asyncAllow.checkSend(text('x'), context)
  })
})
