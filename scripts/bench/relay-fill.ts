/**
 * Fills a relay's store for `npm run bench -- relay --large`, in its own
 * process so the relay measured afterwards starts with its own memory:
 * `envelopes` envelopes of 300 bytes, round-robin over the recipients in
 * blocks of 10 (one store batch per block). Reports `{ n, fillSec }` over IPC.
 *
 * usage: relay-fill.ts <relay-data-dir> <recipients.json> <envelopes>
 */
import { readFile } from 'node:fs/promises'
import { openDataDir } from '../../src/node/data-dir.js'
import { openStore } from '../../src/store/index.js'

export interface FillResult { n: number, fillSec: number }

const [relayDir, recipientsFile, envelopesArg] = process.argv.slice(2)
const envelopes = Number(envelopesArg)
if (process.send == null || relayDir == null || recipientsFile == null || !Number.isInteger(envelopes)) {
  console.error('usage (with an IPC channel): relay-fill.ts <relay-data-dir> <recipients.json> <envelopes>')
  process.exit(2)
}
const recipients = JSON.parse(await readFile(recipientsFile, 'utf8')) as string[]
const perRecipient = Math.ceil(envelopes / recipients.length)
const { storePath, storageKey } = await openDataDir(relayDir)
const store = await openStore({ path: storePath, storageKey, mailbox: { maxEnvelopes: perRecipient } })
const started = performance.now()
const body = new Uint8Array(300).fill(7)
let n = 0
for (let round = 0; round < perRecipient; round += 10) {
  for (const recipient of recipients) {
    await store.write(async () => {
      const ops = []
      for (let i = round; i < Math.min(round + 10, perRecipient) && n < envelopes; i++, n++) {
        ops.push(...(await store.mailbox.depositOps({ recipient, id: n.toString(16).padStart(32, '0'), envelope: body })).ops)
      }
      return ops
    })
  }
}
await store.close()
process.send({ n, fillSec: (performance.now() - started) / 1000 } satisfies FillResult, () => { process.exit(0) })
