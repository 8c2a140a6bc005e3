/**
 * How CLI commands reach the running node: its API URL (from `--api-url`
 * or the `api.json` that `agentmsg start` writes in the data dir) and the
 * key in `<data-dir>/api-key`.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readApiKey } from '../api/api-key.js'

export const API_FILE = 'api.json'

export class CliError extends Error {
  override name = 'CliError'
  readonly code: string
  readonly exitCode: number

  constructor (code: string, detail: string, exitCode = 1) {
    super(detail)
    this.code = code
    this.exitCode = exitCode
  }
}

export interface ClientOptions {
  dataDir: string
  apiUrl?: string
  apiKey?: string
}

export interface Client {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>
}

async function apiUrlOf (dataDir: string): Promise<string> {
  try {
    const { url } = JSON.parse(await readFile(join(dataDir, API_FILE), 'utf8')) as { url: string }
    return url
  } catch {
    throw new CliError('not_running', `no running node found for ${dataDir}: start one with \`agentmsg start --data-dir ${dataDir}\` (or pass --api-url)`)
  }
}

export async function connectClient (options: ClientOptions): Promise<Client> {
  const base = (options.apiUrl ?? await apiUrlOf(options.dataDir)).replace(/\/$/, '')
  const key = options.apiKey ?? await readApiKey(options.dataDir)
  if (key == null) throw new CliError('no_api_key', `no API key in ${join(options.dataDir, 'api-key')}: run \`agentmsg init\` first (or pass --api-key)`)
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let res: Response
      try {
        res = await fetch(base + path, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) })
        })
      } catch (err) {
        throw new CliError('unreachable', `the node's API at ${base} does not answer (${(err as Error).message}): is \`agentmsg start\` running?`)
      }
      const text = await res.text()
      const json = text.length > 0 && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) as unknown : text
      if (!res.ok) {
        const error = json as { error?: string, detail?: string }
        throw new CliError(error.error ?? `http_${res.status}`, error.detail ?? `HTTP ${res.status}`, res.status === 501 ? 3 : 1)
      }
      return json as T
    }
  }
}
