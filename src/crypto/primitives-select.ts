import { equalBytes, fromHex } from './bytes.js'
import { nativePrimitives } from './native.js'
import { noblePrimitives } from './noble.js'
import { sodiumPrimitives } from './sodium.js'
import type { Primitives } from './primitives.js'

let selected: Primitives | undefined

/**
 * The fastest implementation that passes a known-answer probe here, decided
 * once: `sodiumPrimitives` (OpenSSL plus libsodium's Ed25519 and X25519) when the
 * optional sodium-native addon loads, else `nativePrimitives` when this
 * runtime's `node:crypto` does X25519 and Ed25519, else `noblePrimitives` (an
 * OpenSSL built without them, or a FIPS provider that refuses them).
 */
export function defaultPrimitives (): Primitives {
  selected ??= firstWorking([sodiumPrimitives(), nativePrimitives])
  return selected
}

/**
 * @internal The first of `candidates` that is there (an optional addon may
 * not be) and passes the probe, else `noblePrimitives`. Exported for its tests.
 */
export function firstWorking (candidates: Array<Primitives | undefined>): Primitives {
  return candidates.find(p => p !== undefined && works(p)) ?? noblePrimitives
}

// RFC 8032 §7.1 TEST 1
const ED25519_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'
const ED25519_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'
const ED25519_SIGNATURE = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'

function works (p: Primitives): boolean {
  try {
    // RFC 7748 §6.1 (Alice) and RFC 8032 §7.1 TEST 1 (the empty message)
    const x = p.x25519PublicKey(fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'))
    const ed = p.ed25519PublicKey(fromHex(ED25519_SEED))
    const signature = p.ed25519Sign(fromHex(ED25519_SEED), new Uint8Array(0))
    return equalBytes(x, fromHex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')) &&
      equalBytes(ed, fromHex(ED25519_PUBLIC)) &&
      equalBytes(signature, fromHex(ED25519_SIGNATURE)) &&
      p.ed25519Verify(ed, new Uint8Array(0), signature)
  } catch {
    return false
  }
}
