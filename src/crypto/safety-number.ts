/**
 * Fingerprints and safety numbers (DESIGN §3), for comparing identity keys
 * out of band, in the shape Signal made familiar: digits in groups of five.
 *
 * - fingerprint of one key: 30 digits. SHA-512("agentmsg/v1/fingerprint" ||
 *   Ed25519 public key); each of the first six 5-byte chunks, read big-endian,
 *   mod 100 000, as five digits.
 * - safety number of two agents: both fingerprints, the smaller first (the
 *   same 60 digits on both sides).
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'

const LABEL = 'agentmsg/v1/fingerprint'

function digits (publicKey: Uint8Array): string {
  const hash = createHash('sha512').update(LABEL).update(publicKey).digest()
  const groups: string[] = []
  for (let i = 0; i < 6; i++) {
    const chunk = hash.readUIntBE(i * 5, 5)
    groups.push(String(chunk % 100_000).padStart(5, '0'))
  }
  return groups.join(' ')
}

function publicKeyOf (peerId: string): Uint8Array {
  const key = peerIdFromString(peerId).publicKey
  if (key == null) throw new Error('peer id carries no public key')
  return key.raw
}

/** 30 digits in six groups for one agent's identity key. */
export function fingerprint (peerId: string): string {
  return digits(publicKeyOf(peerId))
}

/** 60 digits in twelve groups, the same whichever side computes it. */
export function safetyNumber (a: string, b: string): string {
  return [fingerprint(a), fingerprint(b)].sort().join(' ')
}
