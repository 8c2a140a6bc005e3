import { equalBytes, fromHex } from './bytes.js'
import { nativePrimitives } from './native.js'
import { noblePrimitives } from './noble.js'
import type { Primitives } from './primitives.js'

let selected: Primitives | undefined

/**
 * `nativePrimitives` when this runtime's `node:crypto` does X25519 and
 * Ed25519, `noblePrimitives` otherwise (an OpenSSL built without them, or a
 * FIPS provider that refuses them). Decided once, by a known-answer probe.
 */
export function defaultPrimitives (): Primitives {
  selected ??= nativeWorks() ? nativePrimitives : noblePrimitives
  return selected
}

function nativeWorks (): boolean {
  try {
    // RFC 7748 §6.1 (Alice) and RFC 8032 §7.1 TEST 1
    const x = nativePrimitives.x25519PublicKey(fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'))
    const ed = nativePrimitives.ed25519PublicKey(fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'))
    return equalBytes(x, fromHex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')) &&
      equalBytes(ed, fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'))
  } catch {
    return false
  }
}
