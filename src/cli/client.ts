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
  /** A request answered in NDJSON (`Accept: application/x-ndjson`): `onLine` gets each line as it arrives. */
  stream(method: string, path: string, onLine: (value: unknown) => void): Promise<void>
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
  const call = async (method: string, path: string, body: unknown, accept?: string): Promise<Response> => {
    let res: Response
    try {
      res = await fetch(base + path, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(accept === undefined ? {} : { accept }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' })
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
    } catch (err) {
      throw new CliError('unreachable', `the node's API at ${base} does not answer (${(err as Error).message}): is \`agentmsg start\` running?`)
    }
    if (!res.ok) {
      const text = await res.text()
      const error = (text.length > 0 && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : {}) as { error?: string, detail?: string }
      throw new CliError(error.error ?? `http_${res.status}`, error.detail ?? `HTTP ${res.status}`, res.status === 501 ? 3 : 1)
    }
    return res
  }
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await call(method, path, body)
      const text = await res.text()
      return (text.length > 0 && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) as unknown : text) as T
    },
    async stream (method: string, path: string, onLine: (value: unknown) => void): Promise<void> {
      const res = await call(method, path, undefined, 'application/x-ndjson')
      const decoder = new TextDecoder()
      let buffered = ''
      for await (const chunk of res.body ?? []) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true })
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) if (line.trim().length > 0) onLine(JSON.parse(line))
      }
      if (buffered.trim().length > 0) onLine(JSON.parse(buffered))
    }
  }
}
