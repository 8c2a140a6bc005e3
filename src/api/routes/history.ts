/**
 * `POST /v1/history/restore`: bring conversations and messages back from
 * the encrypted history archive at our relays (a fresh data dir with the
 * same identity, DESIGN §6). Answers `{restored, skipped, relays}`; a
 * client that accepts `application/x-ndjson` gets a progress line
 * `{"restored": n}` as records arrive, then that result as the last line.
 */
import { Readable } from 'node:stream'
import type { Static } from 'typebox'
import { errorResponse } from '../errors.js'
import { ErrorBody, RestoreResult } from '../schemas.js'
import type { Api, ApiContext } from '../context.js'

export function historyRoutes (app: Api, { node }: ApiContext): void {
  app.post('/v1/history/restore', {
    schema: {
      tags: ['history'],
      summary: 'Restore history from the archive at our relays; records already here are kept as they are',
      description: 'With `Accept: application/x-ndjson` the answer streams `{"restored": n}` progress lines and ends with the result (or `{"error", "detail"}`).',
      response: { 200: RestoreResult, 503: ErrorBody }
    }
  }, async (req, reply) => {
    if (!(req.headers.accept ?? '').includes('application/x-ndjson')) return await node.restoreHistory()
    const lines = new Readable({ read () {} })
    // fewer lines than records: one per 100 ms at most, and the last count always
    let last = 0
    const progress = (restored: number): void => {
      if (Date.now() - last < 100) return
      last = Date.now()
      lines.push(JSON.stringify({ restored }) + '\n')
    }
    node.restoreHistory(progress).then(
      (result) => { lines.push(JSON.stringify(result) + '\n') },
      (err: Error) => { lines.push(JSON.stringify(errorResponse(err).body) + '\n') }
    ).finally(() => { lines.push(null) })
    // a stream is sent as it is, past the response schema
    return await reply.type('application/x-ndjson').send(lines as unknown as Static<typeof RestoreResult>)
  })
}
