/**
 * Serialized crypto sessions, one per peer, sealed like every other value.
 *
 * Keys (sublevel `sessions`): `peerId` → sealed session bytes.
 */
import { StoreQueryError } from './errors.js'
import { keyPart } from './keys.js'
import type { Bucket, StoreContext, StoreOp } from './context.js'

export interface SessionStore {
  get(peerId: string): Promise<Uint8Array | undefined>
  /**
   * `handOver`: the caller gives the buffer up (a session just serialised),
   * so it is sealed as it is, not copied first; the caller must not touch it
   * again.
   */
  putOps(peerId: string, session: Uint8Array, handOver?: boolean): StoreOp[]
  put(peerId: string, session: Uint8Array): Promise<void>
  deleteOps(peerId: string): StoreOp[]
  delete(peerId: string): Promise<void>
}

export class LevelSessionStore implements SessionStore {
  readonly #ctx: StoreContext
  readonly #bucket: Bucket

  constructor (ctx: StoreContext) {
    this.#ctx = ctx
    this.#bucket = ctx.bucket('sessions')
  }

  async get (peerId: string): Promise<Uint8Array | undefined> {
    // the caller's own copy: it may wipe it
    return await this.#bucket.get(keyPart(peerId, 'peerId'))
  }

  putOps (peerId: string, session: Uint8Array, handOver = false): StoreOp[] {
    if (!(session instanceof Uint8Array)) throw new StoreQueryError('sessions: session must be a Uint8Array')
    return [this.#bucket.put(keyPart(peerId, 'peerId'), session, handOver)]
  }

  async put (peerId: string, session: Uint8Array): Promise<void> {
    await this.#ctx.write(this.putOps(peerId, session))
  }

  deleteOps (peerId: string): StoreOp[] {
    return [this.#bucket.del(keyPart(peerId, 'peerId'))]
  }

  async delete (peerId: string): Promise<void> {
    await this.#ctx.write(this.deleteOps(peerId))
  }
}
