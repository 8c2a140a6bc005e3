/** The DHT key relays announce themselves under: the CID of RELAY_SERVICE_KEY. */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { RELAY_SERVICE_KEY } from './constants.js'

let cid: CID | undefined

export function relayServiceCid (): CID {
  cid ??= CID.createV1(raw.code, sha256.digest(new TextEncoder().encode(RELAY_SERVICE_KEY)) as Awaited<ReturnType<typeof sha256.digest>>)
  return cid
}
