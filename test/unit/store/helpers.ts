import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { Level } from 'level'
import { openStore } from '../../../src/store/index.js'
import type { MessageRecord, Store, StoreOptions } from '../../../src/store/index.js'

export const ALICE = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAlice1'
export const BOB = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBob12'
export const CAROL = '12D3KooWCarolCarolCarolCarolCarolCarolCarolCaro1'

/** A temp directory per test file, and stores opened in it closed and removed afterwards. */
export interface StoreFixture {
  dir: string
  storageKey: Uint8Array
  /** a clock the test moves */
  clock: { now: number }
  open(options?: Partial<StoreOptions>): Promise<Store>
  cleanup(): Promise<void>
}

export async function storeFixture (): Promise<StoreFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'agentmsg-store-'))
  const storageKey = new Uint8Array(randomBytes(32))
  const clock = { now: 1_700_000_000_000 }
  const opened: Store[] = []
  return {
    dir,
    storageKey,
    clock,
    async open (options = {}) {
      const store = await openStore({ path: join(dir, 'db'), storageKey, now: () => clock.now, ...options })
      opened.push(store)
      return store
    },
    async cleanup () {
      for (const store of opened) await store.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** The raw database under the store (the store must be closed). */
export async function rawEntries (dir: string): Promise<Array<[string, Uint8Array]>> {
  const db = new Level<string, Uint8Array>(join(dir, 'db'), { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  try {
    return await db.iterator().all()
  } finally {
    await db.close()
  }
}

export async function withRawDb (dir: string, fn: (db: Level<string, Uint8Array>) => Promise<void>): Promise<void> {
  const db = new Level<string, Uint8Array>(join(dir, 'db'), { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  try {
    await fn(db)
  } finally {
    await db.close()
  }
}

let counter = 0

/** A fresh message id: 32 lowercase hex characters. */
export function messageId (): string {
  return (++counter).toString(16).padStart(8, '0') + randomBytes(12).toString('hex')
}

export function incoming (conversationId: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageId: messageId(),
    conversationId,
    direction: 'in',
    from: BOB,
    to: ALICE,
    type: 'text',
    content: 'hello',
    sentAt: 1_700_000_000_000,
    receivedAt: 1_700_000_000_100,
    read: false,
    status: 'delivered',
    ...overrides
  }
}

export function outgoing (conversationId: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageId: messageId(),
    conversationId,
    direction: 'out',
    from: ALICE,
    to: BOB,
    type: 'text',
    content: 'hi',
    sentAt: 1_700_000_000_000,
    read: false,
    status: 'queued',
    ...overrides
  }
}

export function contains (haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle) !== -1
}
