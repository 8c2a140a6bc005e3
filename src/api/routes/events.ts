/**
 * `GET /v1/events?after=<cursor>`: the durable event log. With a WebSocket
 * upgrade it replays every event after the cursor, then streams new ones as
 * they are committed; without one it long-polls (answers at once when events
 * exist after the cursor, else waits up to `timeout` seconds for one).
 * Without `after`, only events from now on. A consumer that keeps the last
 * cursor it saw and reconnects with it misses nothing the log still holds
 * (the newest 100 000 events, 30 days).
 */
import { Type } from 'typebox'
import { apiEvent } from '../format.js'
import { ErrorBody, Event, EventsQuery } from '../schemas.js'
import type { Api, ApiContext } from '../context.js'
import type { WebSocket } from 'ws'

/** Events read from the log per page while replaying. */
const PAGE = 500

async function sendText (socket: WebSocket, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.send(text, (err) => { if (err == null) resolve(); else reject(err) })
  })
}

export function eventRoutes (app: Api, { node, maxLongPoll, closing }: ApiContext): void {
  const log = node.eventLog
  app.route({
    method: 'GET',
    url: '/v1/events',
    schema: {
      tags: ['events'],
      summary: 'Events after a cursor: WebSocket (replay, then live) or long-poll',
      querystring: EventsQuery,
      response: {
        200: Type.Object({
          events: Type.Array(Event),
          cursor: Type.Integer({ description: 'the last event\'s cursor (or `after` when none came): pass it as `after` next time' })
        }),
        400: ErrorBody
      }
    },
    handler: async (req, reply) => {
      const after = req.query.after ?? log.last
      const limit = req.query.limit ?? 100
      const timeout = Math.min(req.query.timeout ?? 25, maxLongPoll)
      let events = await log.after(after, limit)
      if (events.length === 0 && timeout > 0) {
        const gone = new AbortController()
        const onClose = (): void => { gone.abort() }
        // the client went away: stop waiting for it
        reply.raw.once('close', onClose)
        try {
          await log.wait(after, AbortSignal.any([gone.signal, closing, AbortSignal.timeout(timeout * 1000)]))
        } finally {
          reply.raw.off('close', onClose)
        }
        events = await log.after(after, limit)
      }
      return { events: events.map(e => apiEvent(e, node.peerId)), cursor: events.at(-1)?.cursor ?? after }
    },
    wsHandler: (socket, req) => {
      let cursor = req.query.after ?? log.last
      const closed = new AbortController()
      socket.on('close', () => { closed.abort() })
      void (async () => {
        while (!closed.signal.aborted) {
          const events = await log.after(cursor, PAGE)
          if (events.length === 0) {
            await log.wait(cursor, closed.signal)
            continue
          }
          for (const event of events) {
            if (closed.signal.aborted) return
            await sendText(socket, JSON.stringify(apiEvent(event, node.peerId)))
            cursor = event.cursor
          }
        }
      })().catch(() => {
        if (!closed.signal.aborted) socket.close(1011, 'event stream failed')
      })
    }
  })
}
