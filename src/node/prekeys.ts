/**
 * The node's own X3DH prekeys (DESIGN §3): one signed prekey, rotated weekly,
 * the previous ones kept 14 days for late first messages; one-time prekeys
 * minted when the card protocol hands one out, so none is ever handed out
 * twice, and deleted with the message that used it.
 */
import { generateOneTimePrekeys, generateSignedPrekey } from '../crypto/index.js'
import type { Identity, OneTimePrekeyPublic, PrekeyStore, Primitives, SignedPrekey, SignedPrekeyPublic, X3dhHeader } from '../crypto/index.js'
import type { Store } from '../store/index.js'

const day = 24 * 60 * 60 * 1000

/** A new signed prekey after this long. */
export const SIGNED_PREKEY_ROTATION = 7 * day
/** A replaced signed prekey still opens first messages for this long. */
export const SIGNED_PREKEY_GRACE = 14 * day
/** One-time prekeys handed out and not used yet, at most. */
export const MAX_ONE_TIME_PREKEYS = 1000

export class PrekeyManager {
  readonly #prims: Primitives
  readonly #identity: Identity
  readonly #store: Store
  readonly #now: () => number
  #signed: SignedPrekey[] = []

  constructor (prims: Primitives, identity: Identity, store: Store, now: () => number = Date.now) {
    this.#prims = prims
    this.#identity = identity
    this.#store = store
    this.#now = now
  }

  /** Load the signed prekeys, rotate when due, and drop those past their grace period. */
  async refresh (): Promise<void> {
    const now = this.#now()
    let signed = await this.#store.prekeys.listSigned()
    const newest = signed.reduce<typeof signed[number] | undefined>((a, b) => (a == null || b.createdAt > a.createdAt ? b : a), undefined)
    if (newest == null || now - newest.createdAt >= SIGNED_PREKEY_ROTATION) {
      const id = await this.#store.prekeys.nextId()
      const fresh = generateSignedPrekey(this.#prims, this.#identity, id, now)
      await this.#store.prekeys.putSigned(fresh)
      signed = [...signed, fresh]
    }
    const current = signed.reduce((a, b) => (b.createdAt > a.createdAt ? b : a))
    for (const old of signed) {
      // kept for GRACE after the one that replaced it
      if (old !== current && now - old.createdAt >= SIGNED_PREKEY_ROTATION + SIGNED_PREKEY_GRACE) {
        await this.#store.prekeys.removeSigned(old.id)
      }
    }
    this.#signed = (await this.#store.prekeys.listSigned()).sort((a, b) => b.createdAt - a.createdAt)
  }

  /** The signed prekey that goes in our card. */
  get current (): SignedPrekeyPublic {
    const spk = this.#signed[0]
    if (spk == null) throw new Error('prekeys: refresh() has not run')
    return { id: spk.id, publicKey: spk.publicKey, signature: spk.signature }
  }

  /** A new one-time prekey for one peer, or nothing when too many are out. */
  async handOut (): Promise<OneTimePrekeyPublic | undefined> {
    if (await this.#store.prekeys.countOneTime() >= MAX_ONE_TIME_PREKEYS) return undefined
    const id = await this.#store.prekeys.nextId()
    const [otp] = generateOneTimePrekeys(this.#prims, id, 1)
    await this.#store.prekeys.putOneTime([otp!])
    return { id: otp!.id, publicKey: otp!.publicKey }
  }

  /** The prekeys an incoming X3DH header names, as the crypto core reads them. */
  async forHeader (x3dh: X3dhHeader): Promise<PrekeyStore> {
    const oneTime = x3dh.oneTimePrekeyId == null ? undefined : await this.#store.prekeys.oneTime(x3dh.oneTimePrekeyId)
    const signed = this.#signed
    return {
      signedPrekey: id => signed.find(s => s.id === id),
      oneTimePrekey: id => (oneTime?.id === id ? oneTime : undefined),
      consumeOneTimePrekey: () => {}
    }
  }
}
