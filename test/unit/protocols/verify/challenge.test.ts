/**
 * The speed challenge with fake components and stream pairs: the task
 * function against node:crypto, and what each side does with frames that
 * break the protocol.
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { afterEach, describe, expect, it } from 'vitest'
import { Identity, defaultPrimitives } from '../../../../src/crypto/index.js'
import { readFrame, writeFrame } from '../../../../src/protocols/framing.js'
import { peerIdString } from '../../../../src/protocols/peer-id.js'
import {
  CHALLENGE_FRAME_VERSION, ChallengeFrame, ChallengeResult, VERIFY_PROTOCOL, makeTasks, requestCredential, solveTask, verifyCredential, verifyService
} from '../../../../src/protocols/verify/index.js'
import type { VerifyService } from '../../../../src/protocols/verify/index.js'
import type { PeerId, Stream, StreamHandler } from '@libp2p/interface'

const prims = defaultPrimitives()
const issuerIdentity = Identity.generate(prims)
const issuerPeer = peerIdFromString(peerIdString(issuerIdentity.peerId))
const proverPeer = peerIdFromString(peerIdString(Identity.generate(prims).peerId))

const running: VerifyService[] = []
afterEach(async () => { await Promise.all(running.splice(0).map(async s => { await s.stop() })) })

/** An issuer service and a way to open streams to it as the prover. */
async function issuer (): Promise<{ service: VerifyService, open(): Promise<Stream> }> {
  let handler: StreamHandler | undefined
  const service = verifyService({ identity: issuerIdentity, primitives: prims })({
    registrar: { handle: async (_p: string, h: StreamHandler) => { handler = h }, unhandle: async () => {} } as never
  })
  await service.start()
  running.push(service)
  return {
    service,
    open: async () => {
      const [outbound, inbound] = await streamPair()
      void handler!(inbound, { remotePeer: proverPeer } as never)
      return outbound
    }
  }
}

const frame = (fields: Partial<ChallengeFrame>): Uint8Array => ChallengeFrame.encode({ version: CHALLENGE_FRAME_VERSION, ...fields })

describe('challenge tasks', () => {
  it('answer = the first 8 bytes of SHA-256 applied k times, as node:crypto computes it', () => {
    for (const task of makeTasks(prims, 4, 100)) {
      let digest: Buffer = Buffer.from(task.seed)
      for (let i = 0; i < 100; i++) digest = createHash('sha256').update(digest).digest()
      expect(Buffer.from(solveTask(prims, task)).equals(digest.subarray(0, 8))).toBe(true)
    }
    // SHA-256(32 zero bytes) = 66687aad f862bd77 ...
    expect(Buffer.from(solveTask(prims, { seed: new Uint8Array(32), iterations: 1 })).toString('hex')).toBe('66687aadf862bd77')
  })

  it('refuses tasks this protocol does not set', () => {
    expect(() => solveTask(prims, { seed: new Uint8Array(31), iterations: 1 })).toThrow(/expected 32 bytes, got 31/)
    expect(() => solveTask(prims, { seed: new Uint8Array(32), iterations: 1e9 })).toThrow(/iterations/)
  })
})

describe('issuer', () => {
  it('issues a credential about the stream\'s remote peer', async () => {
    const { open } = await issuer()
    const bytes = await requestCredential(async () => await open(), issuerPeer, { primitives: prims })
    expect(verifyCredential(prims, bytes, { trustedIssuers: [issuerPeer.toString()], subject: proverPeer.toString() }).level).toBe('software-agent')
  })

  it('resets the stream on an unknown version, a frame of the wrong kind, or an oversize frame, and issues nothing', async () => {
    const { service, open } = await issuer()
    const bad = [
      ChallengeFrame.encode({ version: 2, request: { level: '' } }),
      frame({ answers: { answers: [] } }),
      frame({ request: { level: 'x'.repeat(100) } })
    ]
    for (const bytes of bad) {
      const stream = await open()
      await writeFrame(stream, bytes)
      await expect(readFrame(stream, { maxLength: 4096 })).rejects.toThrow()
    }
    expect(service.stats).toMatchObject({ issued: 0, rejectedFrames: 3 })
  })

  it('answers a level it does not give with BAD_REQUEST', async () => {
    const { open } = await issuer()
    const stream = await open()
    await writeFrame(stream, frame({ request: { level: 'human' } }))
    const result = ChallengeFrame.decode(await readFrame(stream, { maxLength: 4096 })).result
    expect(result?.refusal).toBe(ChallengeResult.Refusal.BAD_REQUEST)
  })
})

describe('prover', () => {
  it('will not compute a hostile challenge (too many iterations): ChallengeFrameError', async () => {
    const dial = async (_peer: PeerId, protocol: string): Promise<Stream> => {
      expect(protocol).toBe(VERIFY_PROTOCOL)
      const [outbound, inbound] = await streamPair()
      void (async () => {
        await readFrame(inbound, { maxLength: 64 })
        await writeFrame(inbound, frame({ challenge: { tasks: [{ seed: new Uint8Array(32), iterations: 1e9 }], deadlineMs: 1000 } }))
      })()
      return outbound
    }
    await expect(requestCredential(dial, issuerPeer, { primitives: prims })).rejects.toMatchObject({ name: 'ChallengeFrameError' })
  })
})
