/**
 * The inbox policy against a real store: who is admitted, what a request
 * holds, its bounds, accept and decline, and that requests outlive a restart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InboxGate, MAX_HELD_PER_REQUEST } from '../../../src/node/inbox-gate.js'
import { ALICE, BOB, CAROL, storeFixture } from '../store/helpers.js'
import type { InboxGateDeps, InboxPolicy } from '../../../src/node/inbox-gate.js'
import type { MessageRecord, Store } from '../../../src/store/index.js'
import type { StoreFixture } from '../store/helpers.js'

let fx: StoreFixture
let store: Store
beforeEach(async () => {
  fx = await storeFixture()
  store = await fx.open()
})
afterEach(async () => { await fx.cleanup() })

let n = 0
function message (from: string, content = `m${n}`): MessageRecord {
  const id = (n++).toString(16).padStart(32, '0')
  return { messageId: id, conversationId: `conv-${from}`, direction: 'in', from, to: ALICE, type: 'text', content, sentAt: 1, receivedAt: 2, read: false, status: 'delivered' }
}

function gate (policy: InboxPolicy, extra: Partial<InboxGateDeps> = {}): InboxGate {
  return new InboxGate({ store, policy: () => policy, hasCredential: async () => false, now: () => fx.clock.now, ...extra })
}

/** admitOps inside a write, as the receiver runs it. */
async function admit (g: InboxGate, record: MessageRecord): Promise<string> {
  let decision = ''
  await store.write(async () => {
    const admission = await g.admitOps(record)
    decision = admission.decision === 'refuse' ? `refuse:${admission.reason}` : admission.decision
    return admission.decision === 'deliver' ? await store.messages.putOps(record) : admission.ops ?? []
  })
  return decision
}

describe('InboxGate', () => {
  it('open admits everyone; contacts admits contacts, trusted peers and existing conversations', async () => {
    expect(await admit(gate('open'), message(BOB))).toBe('deliver')
    const g = gate('contacts')
    await store.contacts.put({ peerId: BOB, trust: 'contact' })
    await store.contacts.put({ peerId: CAROL, trust: 'verified' })
    expect(await admit(g, message(BOB))).toBe('deliver')
    expect(await admit(g, message(CAROL))).toBe('hold')
    // a conversation that exists (we wrote first) lets its peer in
    const dave = '12D3KooWDaveDaveDaveDaveDaveDaveDaveDaveDaveDave1'
    await store.write(async () => await store.messages.putOps({ ...message(dave), direction: 'out', from: ALICE, to: dave }))
    expect(await admit(g, message(dave))).toBe('deliver')
  })

  it('verified admits a peer whose credential was found before its message was opened', async () => {
    const g = gate('verified', { hasCredential: async (peer) => peer === BOB })
    await g.prepare(BOB)
    await g.prepare(CAROL)
    expect(await admit(g, message(BOB))).toBe('deliver')
    expect(await admit(g, message(CAROL))).toBe('hold')
    // a lookup that fails shows no credential
    const eve = '12D3KooWEveEveEveEveEveEveEveEveEveEveEveEveEve1'
    const failing = gate('verified', { hasCredential: async () => { throw new Error('no card') } })
    await failing.prepare(eve)
    expect(await admit(failing, message(eve))).toBe('hold')
  })

  it('holds the first message and 5 more, refuses the 7th and counts it; held messages survive a restart', async () => {
    const g = gate('contacts')
    const sent = Array.from({ length: MAX_HELD_PER_REQUEST + 1 }, (_, i) => message(BOB, `m${i}`))
    const decisions: string[] = []
    for (const m of sent) decisions.push(await admit(g, m))
    expect(decisions).toEqual(['hold', 'hold', 'hold', 'hold', 'hold', 'hold', 'refuse:RequestHoldFull'])
    await store.close()
    store = await fx.open()
    const [request] = await store.requests.list()
    expect(request).toMatchObject({ peer: BOB, refused: 1 })
    expect(request!.held.map(m => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5'])
  })

  it('refuses a new stranger once maxPending requests wait, not a waiting one', async () => {
    const g = gate('contacts', { maxPending: 2 })
    expect(await admit(g, message(BOB))).toBe('hold')
    expect(await admit(g, message(CAROL))).toBe('hold')
    expect(await admit(g, message('12D3KooWEveEveEveEveEveEveEveEveEveEveEveEveEve1'))).toBe('refuse:TooManyRequests')
    expect(await admit(g, message(BOB))).toBe('hold')
    // an answered request makes room
    await store.write(async () => (await g.declineOps(CAROL))!.ops)
    expect(await admit(g, message('12D3KooWEveEveEveEveEveEveEveEveEveEveEveEveEve1'))).toBe('hold')
  })

  it('accept returns the held messages in order and makes the peer a contact, keeping trusted and the alias', async () => {
    const g = gate('contacts')
    await store.contacts.put({ peerId: BOB, trust: 'unknown', alias: 'bobby' })
    for (const content of ['a', 'b']) await admit(g, message(BOB, content))
    let held: MessageRecord[] = []
    await store.write(async () => {
      const accepted = (await g.acceptOps(BOB))!
      held = accepted.held
      return accepted.ops
    })
    expect(held.map(m => m.content)).toEqual(['a', 'b'])
    expect(await store.contacts.get(BOB)).toMatchObject({ trust: 'contact', alias: 'bobby' })
    expect(await store.requests.list()).toEqual([])
    expect(await g.acceptOps(BOB)).toBeUndefined()
    expect(await g.hasPending(BOB)).toBe(false)
  })

  it('decline drops the held messages and refuses the peer afterwards', async () => {
    const g = gate('contacts')
    const first = message(BOB)
    await admit(g, first)
    let dropped: string[] = []
    await store.write(async () => {
      const declined = (await g.declineOps(BOB))!
      dropped = declined.held.map(m => m.messageId)
      return declined.ops
    })
    expect(dropped).toEqual([first.messageId])
    expect(await store.requests.get(BOB)).toBeUndefined()
    expect(await admit(g, message(BOB))).toBe('refuse:RequestDeclined')
    expect(await store.requests.declinedAt(BOB)).toBe(fx.clock.now)
    // made a contact: admitted
    await store.contacts.put({ peerId: BOB, trust: 'contact' })
    expect(await admit(g, message(BOB))).toBe('deliver')
  })
})
