/**
 * The receiving path against a real store whose write fails: the message is
 * acked RETRY, nothing is stored, and its resend still opens — nothing lost.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { Identity, Session, nativePrimitives as prims } from '../../../src/crypto/index.js'
import { encodeBody, validateBody } from '../../../src/protocols/dm/body.js'
import { Ack } from '../../../src/protocols/dm/dm.pb.js'
import { conversationId } from '../../../src/node/conversation-id.js'
import { PrekeyManager } from '../../../src/node/prekeys.js'
import { Receiver } from '../../../src/node/receiver.js'
import { SessionManager } from '../../../src/node/session-manager.js'
import { TaskTracker } from '../../../src/node/tasks.js'
import { openStore } from '../../../src/store/index.js'
import type { MessageRecord, Store } from '../../../src/store/index.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => { for (const c of cleanups.splice(0)) await c() })

async function setup (extra: Partial<ConstructorParameters<typeof Receiver>[0]> = {}): Promise<{ store: Store, receiver: Receiver, received: MessageRecord[], alice: Session, convId: string, failNextWrite(): void }> {
  const dir = await mkdtemp(join(tmpdir(), 'agentmsg-receiver-'))
  const store = await openStore({ path: dir, storageKey: prims.randomBytes(32) })
  cleanups.push(async () => { await store.close(); await rm(dir, { recursive: true, force: true }) })
  const bob = Identity.generate(prims)
  const prekeys = new PrekeyManager(prims, bob, store)
  await prekeys.refresh()
  const sessions = new SessionManager({
    prims,
    identity: bob,
    storage: { get: async (key) => await store.sessions.get(key) },
    bundle: async () => { throw new Error('bob does not start sessions here') },
    prekeys: async (x3dh) => await prekeys.forHeader(x3dh)
  })
  const received: MessageRecord[] = []
  const receiver = new Receiver({
    store,
    sessions,
    tasks: new TaskTracker(store, () => {}),
    self: bob.peerId,
    peerId: 'bob',
    received: (record) => { received.push(record) },
    status: () => {},
    reply: async () => {},
    ...extra
  })
  const aliceId = Identity.generate(prims)
  const alice = Session.initiate(prims, aliceId, { identityKey: bob.publicKey, signedPrekey: prekeys.current })
  let fail = false
  const write = store.write.bind(store)
  store.write = async (ops) => {
    if (fail) {
      fail = false
      throw new Error('EIO: i/o error')
    }
    await write(ops)
  }
  return { store, receiver, received, alice, convId: conversationId(aliceId.peerId, bob.peerId), failNextWrite: () => { fail = true } }
}

describe('receiver', () => {
  it('a failed write is acked RETRY, stores nothing, and the resend opens', async () => {
    const { store, receiver, received, alice, convId, failNextWrite } = await setup()
    failNextWrite()
    const body = (content: string): Uint8Array => encodeBody(validateBody({ type: 'text', content }), convId)
    const m1 = alice.seal(body('first'))
    const m2 = alice.seal(body('second'))
    // the peer that handed the envelope over; the sender is the envelope's signed `from`
    const from = peerIdFromString('12D3KooWBKBV65mrw95FqtfhaxPu9Zix2TDpYEVPYd3D4anPog7M')

    const first = await receiver.deliver(from, m1)
    expect(first.status).toBe(Ack.Status.RETRY)
    expect((await store.messages.inbox()).total).toBe(0)
    expect(received).toEqual([])

    // the next message opens (from storage: the failed write's session state was dropped)
    expect((await receiver.deliver(from, m2)).status).toBe(Ack.Status.OK)
    // and the resend of the first one still opens: nothing lost
    expect((await receiver.deliver(from, m1)).status).toBe(Ack.Status.OK)
    expect(received.map(m => m.content)).toEqual(['second', 'first'])
    // a further copy is a duplicate
    expect((await receiver.deliver(from, m1)).status).toBe(Ack.Status.DUPLICATE)
    expect((await store.messages.inbox()).total).toBe(2)
  })
})

describe('receiver: blocked senders', () => {
  it('takes a blocked agent\'s relayed message without opening or storing it', async () => {
    const { store, receiver, received, alice, convId } = await setup({ blocked: () => true })
    const relay = peerIdFromString('12D3KooWBKBV65mrw95FqtfhaxPu9Zix2TDpYEVPYd3D4anPog7M')
    const sealed = alice.seal(encodeBody(validateBody({ type: 'text', content: 'let me in' }), convId))
    // acked, so the relay lets it go; never read
    expect((await receiver.deliver(relay, sealed, { relayed: true })).status).toBe(Ack.Status.OK)
    expect(receiver.stats.blockedDrops).toBe(1)
    expect(received).toEqual([])
    expect((await store.messages.inbox()).total).toBe(0)
  })
})
