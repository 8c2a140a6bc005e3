/**
 * Listens with the app from `app.ts` and shuts it down gracefully: new
 * connections are refused, long-polls and WebSockets end, webhook deliveries
 * in flight finish and are recorded. Binds 127.0.0.1 unless told otherwise.
 */
import { buildApp } from './app.js'
import type { ApiOptions } from './app.js'
import type { Api } from './context.js'

export interface ServerOptions extends ApiOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 0 */
  port?: number
}

export interface ApiServer {
  app: Api
  /** http://host:port */
  url: string
  close(): Promise<void>
}

export async function startApiServer (options: ServerOptions): Promise<ApiServer> {
  const app = await buildApp(options)
  const host = options.host ?? '127.0.0.1'
  try {
    await app.listen({ host, port: options.port ?? 0 })
  } catch (err) {
    await app.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address != null ? address.port : options.port ?? 0
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    app,
    url: `http://${shownHost}:${port}`,
    close: async () => { await app.close() }
  }
}
