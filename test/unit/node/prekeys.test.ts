import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Identity, nativePrimitives as prims, verifySignedPrekey } from '../../../src/crypto/index.js'
import { MAX_ONE_TIME_PREKEYS, PrekeyManager, SIGNED_PREKEY_GRACE, SIGNED_PREKEY_ROTATION } from '../../../src/node/prekeys.js'
import { openStore } from '../../../src/store/index.js'
import type { Store } from '../../../src/store/index.js'

const open: Array<{ store: Store, dir: string }> = []
afterEach(async () => {
  for (const { store, dir } of open.splice(0)) {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
})

async function setup (): Promise<{ store: Store, identity: Identity, clock: { now: number }, manager: PrekeyManager }> {
  const dir = await mkdtemp(join(tmpdir(), 'agentmsg-prekeys-'))
  const store = await openStore({ path: dir, storageKey: prims.randomBytes(32) })
  open.push({ store, dir })
  const identity = Identity.generate(prims)
  const clock = { now: 1_000_000_000 }
  return { store, identity, clock, manager: new PrekeyManager(prims, identity, store, () => clock.now) }
}

describe('prekey manager', () => {
  it('rotates the signed prekey weekly and keeps the replaced one 14 days for late first messages', async () => {
    const { identity, clock, manager } = await setup()
    await manager.refresh()
    const first = manager.current
    verifySignedPrekey(prims, identity.publicKey, first)
    clock.now += SIGNED_PREKEY_ROTATION - 1
    await manager.refresh()
    expect(manager.current.id).toBe(first.id)
    clock.now += 1
    await manager.refresh()
    const second = manager.current
    expect(second.id).not.toBe(first.id)
    const store = await manager.forHeader({ ephemeralKey: new Uint8Array(32), signedPrekeyId: first.id })
    expect(store.signedPrekey(first.id)).toBeDefined()
    // the first one goes 14 days after it was replaced
    clock.now += SIGNED_PREKEY_GRACE - 1
    await manager.refresh()
    expect((await manager.forHeader({ ephemeralKey: new Uint8Array(32), signedPrekeyId: first.id })).signedPrekey(first.id)).toBeDefined()
    clock.now += 1
    await manager.refresh()
    expect((await manager.forHeader({ ephemeralKey: new Uint8Array(32), signedPrekeyId: first.id })).signedPrekey(first.id)).toBeUndefined()
  })

  it(`hands out a new one-time prekey each time, up to ${MAX_ONE_TIME_PREKEYS} unused`, async () => {
    const { store, manager } = await setup()
    await manager.refresh()
    const ids = new Set<number>()
    for (let i = 0; i < MAX_ONE_TIME_PREKEYS; i++) {
      const otp = await manager.handOut()
      expect(otp).toBeDefined()
      ids.add(otp!.id)
    }
    expect(ids.size).toBe(MAX_ONE_TIME_PREKEYS)
    expect(await manager.handOut()).toBeUndefined()
    // one used: room for one more
    const [used] = ids
    await store.prekeys.consumeOneTime(used!)
    expect(await manager.handOut()).toBeDefined()
    const header = { ephemeralKey: new Uint8Array(32), signedPrekeyId: manager.current.id, oneTimePrekeyId: [...ids][1]! }
    expect((await manager.forHeader(header)).oneTimePrekey(header.oneTimePrekeyId)).toBeDefined()
  })
})
