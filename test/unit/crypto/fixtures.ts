import { Identity } from '../../../src/crypto/identity.js'
import { generateOneTimePrekeys, generateSignedPrekey } from '../../../src/crypto/prekeys.js'
import type { OneTimePrekey, PrekeyBundle, SignedPrekey } from '../../../src/crypto/prekeys.js'
import type { Primitives } from '../../../src/crypto/primitives.js'
import type { PrekeyStore } from '../../../src/crypto/session.js'

/** One agent's keys as a test needs them: identity, prekeys, and a bundle to hand out. */
export interface TestAgent {
  identity: Identity
  signedPrekey: SignedPrekey
  oneTimePrekeys: Map<number, OneTimePrekey>
  prekeys: PrekeyStore
  consumed: number[]
  bundle(withOneTime?: boolean): PrekeyBundle
}

export function makeAgent (prims: Primitives, oneTimeCount = 4): TestAgent {
  const identity = Identity.generate(prims)
  const signedPrekey = generateSignedPrekey(prims, identity, 1)
  const oneTimePrekeys = new Map(generateOneTimePrekeys(prims, 100, oneTimeCount).map(k => [k.id, k]))
  const consumed: number[] = []
  const agent: TestAgent = {
    identity,
    signedPrekey,
    oneTimePrekeys,
    consumed,
    prekeys: {
      signedPrekey: (id) => id === signedPrekey.id ? signedPrekey : undefined,
      oneTimePrekey: (id) => oneTimePrekeys.get(id),
      consumeOneTimePrekey: (id) => { oneTimePrekeys.delete(id); consumed.push(id) }
    },
    bundle (withOneTime = true) {
      const otp = withOneTime ? oneTimePrekeys.values().next().value : undefined
      const b: PrekeyBundle = {
        identityKey: identity.publicKey,
        signedPrekey: { id: signedPrekey.id, publicKey: signedPrekey.publicKey, signature: signedPrekey.signature }
      }
      if (otp != null) b.oneTimePrekey = { id: otp.id, publicKey: otp.publicKey }
      return b
    }
  }
  return agent
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s)
export const str = (b: Uint8Array): string => new TextDecoder().decode(b)

/** Expect `fn` to throw an error whose `name` is `name`. */
export function thrownName (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as Error).name
  }
  return undefined
}
