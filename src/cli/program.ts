/**
 * The `agentmsg` command line (DESIGN §10). `init`, `start`, `bootstrap`
 * and `relay` run here; every other command talks to the running node
 * through its HTTP API with the key from the data dir. Every flag has an
 * `AGENTMSG_*` environment twin (`--api-port` ↔ `AGENTMSG_API_PORT`;
 * repeatable flags take a comma-separated list there), every command
 * `--help` and `--json`.
 *
 * `requests` and `contacts` list by default and take `accept|decline <peer>`
 * and `set|remove <peer>`; `start --inbox-policy` decides whose first
 * messages wait as requests.
 *
 * Exit codes: 0 ok, 1 error (the API's `error` code is printed), 2 bad
 * usage, 3 the capability is not built yet (the API's 501).
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Command, InvalidArgumentError, Option } from 'commander'
import { apiKeyPath, generateApiKey, readApiKey, writeApiKey } from '../api/api-key.js'
import { EVENT_TYPES, INBOX_POLICIES, TRUST_LEVELS } from '../api/schemas.js'
import { openDataDir } from '../node/data-dir.js'
import { CliError, connectClient } from './client.js'
import { start } from './start.js'
import type { Output, StartOptions } from './start.js'

const VERSION = '0.1.0'

interface Common {
  dataDir: string
  apiUrl?: string
  apiKey?: string
  json?: boolean
}

/** `--api-port <n>` → AGENTMSG_API_PORT */
function envName (flags: string): string {
  const long = /--([a-z0-9-]+)/.exec(flags)?.[1] ?? flags
  return 'AGENTMSG_' + long.replaceAll('-', '_').toUpperCase()
}

function opt (flags: string, description: string): Option {
  return new Option(flags, description).env(envName(flags))
}

const list = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map(v => v.trim()).filter(v => v.length > 0)]
/** A repeatable multiaddr flag whose addresses must name their peer (`/p2p/<id>`). */
const peerAddrs = (value: string, previous: string[] = []): string[] => {
  const added = list(value)
  for (const addr of added) {
    try {
      if (multiaddr(addr).getComponents().every(c => c.name !== 'p2p')) throw new Error('no /p2p/')
    } catch {
      throw new InvalidArgumentError(`expected a multiaddr ending in /p2p/<peer id>, got ${addr}`)
    }
  }
  return [...previous, ...added]
}
const int = (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer')
  return n
}
const positive = (value: string): number => {
  const n = int(value)
  if (n < 1) throw new InvalidArgumentError('expected a positive integer')
  return n
}
const json = (value: string): unknown => {
  try {
    return JSON.parse(value)
  } catch {
    throw new InvalidArgumentError('expected JSON')
  }
}

/** The options every command takes. */
function common (cmd: Command, api = true): Command {
  cmd.addOption(opt('--data-dir <dir>', 'the agent\'s data directory').default(join(homedir(), '.agentmsg'), '~/.agentmsg'))
  if (api) {
    cmd.addOption(opt('--api-url <url>', 'the running node\'s API (default: from <data-dir>/api.json)'))
    cmd.addOption(opt('--api-key <key>', 'the API key (default: <data-dir>/api-key)'))
  }
  cmd.addOption(opt('--json', 'print JSON'))
  return cmd
}

function nodeOptions (cmd: Command): Command {
  return cmd
    .addOption(opt('--passphrase <passphrase>', 'encrypts the identity file (needed at every start once set)'))
    .addOption(opt('--name <name>', 'the name in this agent\'s card'))
    .addOption(opt('--listen <multiaddr>', 'listen address, repeatable (default: loopback TCP and WebSockets, random ports)').argParser(list))
    .addOption(opt('--bootstrap <multiaddr>', 'bootstrap peer with /p2p/<id>, repeatable').argParser(list))
    .addOption(opt('--api-host <host>', 'where the API listens').default('127.0.0.1'))
    .addOption(opt('--api-port <n>', 'API port; 0 picks a free one (printed)').argParser(int).default(0))
    .addOption(opt('--api-rate-limit <n>', 'API requests a minute per client').argParser(int))
}

export function buildProgram (io: Output): Command {
  const print = (value: unknown, human: () => string, asJson?: boolean): void => {
    io.out(asJson === true ? JSON.stringify(value, null, 2) : human())
  }
  const client = async (o: Common) => await connectClient({ dataDir: o.dataDir, apiUrl: o.apiUrl, apiKey: o.apiKey })

  const program = new Command('agentmsg')
    .description('End-to-end encrypted peer-to-peer messaging for AI agents')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => { io.out(s.trimEnd()) }, writeErr: (s) => { io.err(s.trimEnd()) } })

  common(program.command('init').description('Create the identity and the API key (the key is shown once)'), false)
    .addOption(opt('--passphrase <passphrase>', 'encrypt the identity file'))
    .action(async (o: Common & { passphrase?: string }) => {
      const dir = await openDataDir(o.dataDir, { passphrase: o.passphrase })
      const peerId = peerIdFromPrivateKey(dir.privateKey).toString()
      dir.storageKey.fill(0)
      const existing = await readApiKey(o.dataDir)
      if (existing != null) {
        print({ peerId, dataDir: o.dataDir, apiKeyFile: apiKeyPath(o.dataDir), created: false }, () =>
          `already initialised: peer ${peerId}; the API key is in ${apiKeyPath(o.dataDir)}`, o.json)
        return
      }
      const apiKey = generateApiKey()
      await writeApiKey(o.dataDir, apiKey)
      print({ peerId, dataDir: o.dataDir, apiKey, apiKeyFile: apiKeyPath(o.dataDir), created: true }, () => [
        `peer ${peerId}`,
        `API key (shown once; also in ${apiKeyPath(o.dataDir)}, mode 0600):`,
        apiKey
      ].join('\n'), o.json)
    })

  /** `start` runs an agent; `bootstrap` a DHT server; `relay` a DHT server that also holds mail for offline agents. */
  const run = (name: 'start' | 'bootstrap' | 'relay', description: string): void => {
    const cmd = nodeOptions(common(program.command(name).description(description), false))
    if (name === 'start') {
      cmd.addOption(opt('--dht-server', 'serve the DHT for others (bootstrap nodes do)'))
        .addOption(opt('--relay', 'also serve as a relay: hold mail for offline agents and their history archives'))
        .addOption(opt('--use-relay <multiaddr>', 'relay this agent lists in its card (with /p2p/<id>), repeatable; default: up to two found in the DHT').argParser(peerAddrs))
        .addOption(opt('--issuer', 'serve the speed challenge: sign software-agent credentials (30 days) for agents that pass it'))
        .addOption(opt('--trust-issuer <peer-id>', 'issuer whose credentials count (posts in verified dens, the verified inbox policy), repeatable').argParser(list))
        .addOption(opt('--inbox-policy <policy>', 'whose messages reach the inbox: open (everyone), verified (a credential from a trusted issuer), contacts; ' +
          'anyone else\'s first message waits as a message request (default: as last set, else open)').choices(INBOX_POLICIES))
        .addOption(opt('--dms-per-minute <n>', 'messages a minute one agent may be sent, and may send us (default 120)').argParser(positive))
        .addOption(opt('--history-reads-per-minute <n>', 'reads a minute of one conversation\'s history (default 300)').argParser(positive))
    }
    cmd.action(async (o: Common & Record<string, unknown>) => {
      await start({
        dataDir: o.dataDir,
        passphrase: o.passphrase as string | undefined,
        name: (o.name as string | undefined) ?? (name === 'start' ? undefined : name),
        listen: o.listen as string[] | undefined,
        bootstrap: o.bootstrap as string[] | undefined,
        dhtServer: name !== 'start' || o.dhtServer === true,
        relay: name === 'relay' || o.relay === true,
        useRelay: o.useRelay as string[] | undefined,
        issuer: o.issuer as boolean | undefined,
        trustIssuer: o.trustIssuer as string[] | undefined,
        inboxPolicy: o.inboxPolicy as StartOptions['inboxPolicy'],
        dmsPerMinute: o.dmsPerMinute as number | undefined,
        historyReadsPerMinute: o.historyReadsPerMinute as number | undefined,
        apiHost: o.apiHost as string,
        apiPort: o.apiPort as number,
        apiRateLimit: o.apiRateLimit as number | undefined,
        json: o.json
      }, io)
    })
  }
  run('start', 'Run the node and its API in the foreground until SIGINT or SIGTERM')
  run('bootstrap', 'Run a bootstrap node (serves the DHT) with its API, in the foreground')
  run('relay', 'Run a relay node (serves the DHT, holds mail for offline agents and their history archives) with its API, in the foreground')

  common(program.command('id').description('This agent: peer id, fingerprint, inbox policy, addresses'))
    .action(async (o: Common) => {
      const me = await (await client(o)).request<{ peerId: string, name: string, addrs: string[], fingerprint: string, inboxPolicy: string }>('GET', '/v1/me')
      print(me, () => [`${me.peerId} (${me.name})`, `fingerprint ${me.fingerprint}`, `inbox policy ${me.inboxPolicy}`, ...me.addrs].join('\n'), o.json)
    })

  common(program.command('send').description('Send a message').argument('<to>', 'peer id').argument('[content...]', 'text (or markdown, or a URL for file-url)'))
    .addOption(opt('--type <type>', 'text, markdown, json, file-url, media, task-request, task-response').default('text'))
    .addOption(opt('--payload <json>', 'JSON payload (json and task bodies)').argParser(json))
    .addOption(opt('--metadata <json>', 'JSON object').argParser(json))
    .addOption(opt('--reply-to <messageId>', 'the message this answers'))
    .addOption(opt('--task-id <id>', 'task bodies: the task'))
    .addOption(opt('--deadline <time>', 'task-request: ISO 8601 time'))
    .addOption(opt('--idempotency-key <key>', 'task-request: repeated requests get the first answer'))
    .addOption(opt('--state <state>', 'task-response: submitted, working, completed, failed, ...'))
    .action(async (to: string, words: string[], o: Common & Record<string, unknown>) => {
      const body: Record<string, unknown> = { to, type: o.type }
      if (words.length > 0) body.content = words.join(' ')
      if (o.payload !== undefined) body.payload = o.payload
      if (o.metadata !== undefined) body.metadata = o.metadata
      if (o.replyTo !== undefined) body.replyTo = o.replyTo
      if (o.taskId !== undefined) {
        body.task = {
          taskId: o.taskId,
          ...(o.deadline === undefined ? {} : { deadline: o.deadline }),
          ...(o.idempotencyKey === undefined ? {} : { idempotencyKey: o.idempotencyKey }),
          ...(o.state === undefined ? {} : { state: o.state })
        }
      }
      const sent = await (await client(o)).request<{ messageId: string, status: string }>('POST', '/v1/messages', body)
      print(sent, () => `${sent.messageId} ${sent.status}`, o.json)
    })

  const showMessage = (m: Record<string, unknown>): string =>
    `${String(m.messageId)}  ${String(m.sentAt)}  ${String(m.from)}  ${m.read === true ? ' ' : '*'} ${String(m.type)}: ${m.content !== undefined ? String(m.content) : JSON.stringify(m.payload ?? null)}`

  common(program.command('inbox').description('Incoming messages, newest first (* = unread)'))
    .addOption(opt('--limit <n>', '1..500').argParser(int))
    .addOption(opt('--offset <n>', 'skip this many').argParser(int))
    .addOption(opt('--unread', 'only unread messages'))
    .action(async (o: Common & { limit?: number, offset?: number, unread?: boolean }) => {
      const query = new URLSearchParams()
      if (o.limit !== undefined) query.set('limit', String(o.limit))
      if (o.offset !== undefined) query.set('offset', String(o.offset))
      if (o.unread === true) query.set('unread', 'true')
      const page = await (await client(o)).request<{ messages: Array<Record<string, unknown>>, total: number }>('GET', `/v1/inbox?${query}`)
      print(page, () => [...page.messages.map(showMessage), `${page.messages.length} of ${page.total}`].join('\n'), o.json)
    })

  common(program.command('read').description('Mark a message read (and send its sender a read receipt)').argument('<messageId>'))
    .action(async (messageId: string, o: Common) => {
      const res = await (await client(o)).request('POST', `/v1/inbox/${encodeURIComponent(messageId)}/read`)
      print(res, () => `${messageId} read`, o.json)
    })

  common(program.command('conversations').description('Conversations, or one conversation\'s messages').argument('[conversationId]'))
    .addOption(opt('--status <status>', 'active or archived'))
    .addOption(opt('--sort <sort>', 'lastMessageAt or unread'))
    .addOption(opt('--limit <n>', '1..500').argParser(int))
    .addOption(opt('--before <messageId>', 'with a conversation id: the page before this message'))
    .addOption(opt('--archive', 'with a conversation id: archive it'))
    .action(async (id: string | undefined, o: Common & { status?: string, sort?: string, limit?: number, before?: string, archive?: boolean }) => {
      const api = await client(o)
      const query = new URLSearchParams()
      if (o.limit !== undefined) query.set('limit', String(o.limit))
      if (id == null) {
        if (o.status !== undefined) query.set('status', o.status)
        if (o.sort !== undefined) query.set('sort', o.sort)
        const res = await api.request<{ conversations: Array<Record<string, unknown>> }>('GET', `/v1/conversations?${query}`)
        print(res, () => res.conversations.map(c => `${String(c.conversationId)}  ${String(c.peer)}  ${String(c.lastMessageAt)}  ${String(c.unreadCount)} unread  ${String(c.status)}`).join('\n'), o.json)
        return
      }
      if (o.archive === true) {
        const res = await api.request('POST', `/v1/conversations/${encodeURIComponent(id)}/archive`)
        print(res, () => `${id} archived`, o.json)
        return
      }
      if (o.before !== undefined) query.set('before', o.before)
      const page = await api.request<{ messages: Array<Record<string, unknown>>, total: number, hasMore: boolean }>('GET', `/v1/conversations/${encodeURIComponent(id)}/messages?${query}`)
      print(page, () => [...page.messages.map(showMessage), `${page.messages.length} of ${page.total}${page.hasMore ? ' (more: --before <first id>)' : ''}`].join('\n'), o.json)
    })

  type RequestView = { peer: string, firstAt: string, lastAt: string, refused: number, messages: Array<Record<string, unknown>> }
  const requests = program.command('requests').description('Message requests (agents our inbox policy does not admit): list, accept, decline')
  common(requests.command('list', { isDefault: true }).description('Requests waiting for an answer, oldest first, with the messages each holds (the default)'))
    .action(async (o: Common) => {
      const res = await (await client(o)).request<{ requests: RequestView[] }>('GET', '/v1/requests')
      print(res, () => res.requests.length === 0
        ? 'no message requests'
        : res.requests.flatMap(r => [
          `${r.peer}  ${r.messages.length} message${r.messages.length === 1 ? '' : 's'} since ${r.firstAt}${r.refused > 0 ? `, ${r.refused} refused (the request is full)` : ''}`,
          ...r.messages.map(m => '  ' + showMessage(m))
        ]).join('\n'), o.json)
    })
  common(requests.command('accept').description('Accept a request: its messages go to the inbox, the agent becomes a contact and is told').argument('<peer>', 'peer id'))
    .action(async (peer: string, o: Common) => {
      const res = await (await client(o)).request<{ peer: string, messages: unknown[] }>('POST', `/v1/requests/${encodeURIComponent(peer)}/accept`)
      print(res, () => `accepted ${peer}: ${res.messages.length} message${res.messages.length === 1 ? '' : 's'} moved to the inbox`, o.json)
    })
  common(requests.command('decline').description('Decline a request: its messages are dropped unread, the agent is told, its later messages refused').argument('<peer>', 'peer id'))
    .action(async (peer: string, o: Common) => {
      const res = await (await client(o)).request<{ peer: string, dropped: string[] }>('POST', `/v1/requests/${encodeURIComponent(peer)}/decline`)
      print(res, () => `declined ${peer}: ${res.dropped.length} message${res.dropped.length === 1 ? '' : 's'} dropped`, o.json)
    })

  type ContactView = { peer: string, trust: string, alias?: string, addedAt: string, updatedAt: string }
  const showContact = (c: ContactView): string => `${c.peer}  ${c.trust.padEnd(8)} ${c.alias ?? '-'}  since ${c.addedAt}`
  const contacts = program.command('contacts').description('Contacts and trust levels: list, set, remove')
  common(contacts.command('list', { isDefault: true }).description('Contacts with trust level and alias (the default)'))
    .action(async (o: Common) => {
      const res = await (await client(o)).request<{ contacts: ContactView[] }>('GET', '/v1/contacts')
      print(res, () => res.contacts.length === 0 ? 'no contacts' : res.contacts.map(showContact).join('\n'), o.json)
    })
  common(contacts.command('set').description('Set a peer\'s trust level (blocked: refused at once; contact, trusted: a waiting request is accepted)').argument('<peer>', 'peer id'))
    .addOption(opt('--trust <level>', TRUST_LEVELS.join(', ')).choices(TRUST_LEVELS).makeOptionMandatory())
    .addOption(opt('--alias <name>', 'a name for the contact (default: keep the one it has)'))
    .addOption(opt('--no-alias', 'remove the contact\'s alias'))
    .action(async (peer: string, o: Common & { trust: string, alias?: string | false }) => {
      const api = await client(o)
      const path = `/v1/contacts/${encodeURIComponent(peer)}`
      let alias = o.alias
      // PUT replaces the contact: without --alias, the alias it has is kept
      if (alias === undefined) {
        alias = await api.request<ContactView>('GET', path).then(c => c.alias, (err: unknown) => {
          if (err instanceof CliError && err.code === 'contact_not_found') return undefined
          throw err
        })
      }
      const contact = await api.request<ContactView>('PUT', path, { trust: o.trust, ...(typeof alias === 'string' ? { alias } : {}) })
      print(contact, () => showContact(contact), o.json)
    })
  common(contacts.command('remove').description('Forget a contact (a blocked agent is let in again)').argument('<peer>', 'peer id'))
    .action(async (peer: string, o: Common) => {
      await (await client(o)).request('DELETE', `/v1/contacts/${encodeURIComponent(peer)}`)
      print({ peer, removed: true }, () => `${peer} removed`, o.json)
    })

  type DenView = { denId: string, kind: string, slug: string, title: string, owner: string, members: string[], joined: boolean, unreadCount: number, lastPostAt: string | null }
  const showDen = (d: DenView): string =>
    `${d.denId}  ${d.kind.padEnd(8)} ${d.slug} "${d.title}"  ${d.joined ? `joined, ${d.unreadCount} unread` : 'not joined'}${d.lastPostAt == null ? '' : `, last post ${d.lastPostAt}`}`

  const den = program.command('den').description('Group channels: list, create, join, leave, post, feed, members, destroy')
  common(den.command('list').description('Dens we joined and public dens we know of'))
    .addOption(opt('--joined', 'only dens we joined'))
    .action(async (o: Common & { joined?: boolean }) => {
      const res = await (await client(o)).request<{ dens: DenView[] }>('GET', `/v1/dens${o.joined === true ? '?joined=true' : ''}`)
      print(res, () => res.dens.length === 0 ? 'no dens' : res.dens.map(showDen).join('\n'), o.json)
    })
  common(den.command('create').description('Create a den (and join it)').argument('<slug>', 'lowercase letters, digits and dashes').argument('<title>'))
    .addOption(opt('--kind <kind>', 'public, verified, private or bounty').default('public'))
    .addOption(opt('--members <peers>', 'private and bounty dens: member peer ids, comma-separated').argParser(list))
    .action(async (slug: string, title: string, o: Common & { kind: string, members?: string[] }) => {
      const d = await (await client(o)).request<DenView>('POST', '/v1/dens', { slug, title, kind: o.kind, ...(o.members == null ? {} : { members: o.members }) })
      print(d, () => showDen(d), o.json)
    })
  for (const [action, description] of [['join', 'Join a den (from `den list`, or a private den we are a member of)'], ['leave', 'Leave a den'], ['destroy', 'Destroy a den we own: every member erases it']] as const) {
    common(den.command(action).description(description).argument('<denId>'))
      .action(async (id: string, o: Common) => {
        const res = await (await client(o)).request<DenView & { destroyed?: true }>('POST', `/v1/dens/${encodeURIComponent(id)}/${action}`)
        print(res, () => res.destroyed === true ? `${id} destroyed` : showDen(res), o.json)
      })
  }
  common(den.command('members').description('Add or remove members of a private or bounty den we own').argument('<denId>'))
    .addOption(opt('--add <peers>', 'peer ids, comma-separated').argParser(list))
    .addOption(opt('--remove <peers>', 'peer ids, comma-separated').argParser(list))
    .action(async (id: string, o: Common & { add?: string[], remove?: string[] }) => {
      const d = await (await client(o)).request<DenView>('POST', `/v1/dens/${encodeURIComponent(id)}/members`, { ...(o.add == null ? {} : { add: o.add }), ...(o.remove == null ? {} : { remove: o.remove }) })
      print(d, () => [showDen(d), ...d.members.map(m => `  ${m}${m === d.owner ? ' (owner)' : ''}`)].join('\n'), o.json)
    })
  common(den.command('post').description('Post to a den').argument('<denId>').argument('[content...]'))
    .addOption(opt('--type <type>', 'text, markdown, json, file-url or media').default('text'))
    .addOption(opt('--payload <json>', 'JSON payload (json bodies)').argParser(json))
    .addOption(opt('--metadata <json>', 'JSON object').argParser(json))
    .addOption(opt('--reply-to <messageId>', 'the post this answers'))
    .action(async (id: string, words: string[], o: Common & { type: string, payload?: unknown, metadata?: unknown, replyTo?: string }) => {
      const body: Record<string, unknown> = { type: o.type }
      if (words.length > 0) body.content = words.join(' ')
      if (o.payload !== undefined) body.payload = o.payload
      if (o.metadata !== undefined) body.metadata = o.metadata
      if (o.replyTo !== undefined) body.replyTo = o.replyTo
      const posted = await (await client(o)).request<{ messageId: string }>('POST', `/v1/dens/${encodeURIComponent(id)}/messages`, body)
      print(posted, () => posted.messageId, o.json)
    })
  common(den.command('feed').description('A den\'s messages, oldest first').argument('<denId>'))
    .addOption(opt('--since <time>', 'ISO 8601: posts sent after it'))
    .addOption(opt('--limit <n>', '1..500').argParser(int))
    .addOption(opt('--reply-to <messageId>', 'only replies to this post'))
    .action(async (id: string, o: Common & { since?: string, limit?: number, replyTo?: string }) => {
      const query = new URLSearchParams()
      if (o.since !== undefined) query.set('since', o.since)
      if (o.limit !== undefined) query.set('limit', String(o.limit))
      if (o.replyTo !== undefined) query.set('replyTo', o.replyTo)
      const page = await (await client(o)).request<{ messages: Array<Record<string, unknown>>, hasMore: boolean }>('GET', `/v1/dens/${encodeURIComponent(id)}/messages?${query}`)
      print(page, () => [...page.messages.map(showMessage), `${page.messages.length} posts${page.hasMore ? ' (more: --since <last sentAt>)' : ''}`].join('\n'), o.json)
    })

  const history = program.command('history').description('The encrypted history archive at our relays')
  common(history.command('restore').description('Bring conversations and messages back from our relays (a fresh data dir with the same identity)'))
    .action(async (o: Common) => {
      type Result = { restored: number, skipped: number, relays: number }
      const api = await client(o)
      let result: Result
      if (o.json !== true && io.tty === true && io.status != null) {
        const status = io.status
        let final: Result | undefined
        status('restoring history from our relays…')
        try {
          await api.stream('POST', '/v1/history/restore', (line) => {
            const value = line as Partial<Result> & { error?: string, detail?: string }
            if (value.error != null) throw new CliError(value.error, value.detail ?? value.error)
            if (value.relays != null) final = value as Result
            else status(`restoring history from our relays… ${String(value.restored)} records`)
          })
        } finally {
          status(undefined)
        }
        if (final == null) throw new CliError('incomplete', 'the node ended the restore without a result')
        result = final
      } else {
        result = await api.request<Result>('POST', '/v1/history/restore')
      }
      print(result, () => result.relays === 0
        ? 'no relay answered: nothing restored (start with --use-relay, or wait for relays found in the DHT)'
        : `restored ${result.restored} records from ${result.relays} relay${result.relays === 1 ? '' : 's'} (${result.skipped} already here or unreadable)`, o.json)
    })

  common(program.command('verify').description('Run an issuer\'s speed challenge and keep the credential').argument('<issuer>', 'issuer peer id'))
    .action(async (issuer: string, o: Common) => {
      const result = await (await client(o)).request<{ credential: { level: string, issuer: string, expiresAt: string } }>('POST', '/v1/verify', { issuer })
      print(result, () => `verified: ${result.credential.level}, issued by ${result.credential.issuer}, valid until ${result.credential.expiresAt}`, o.json)
    })

  const webhook = program.command('webhook').description('Webhooks: add, list, remove')
  common(webhook.command('add').description('POST these events to a URL, signed with the secret').argument('<url>'))
    .addOption(opt('--events <types>', `comma-separated: ${EVENT_TYPES.join(', ')}`).argParser(list).makeOptionMandatory())
    .addOption(opt('--secret <secret>', 'HMAC key, at least 16 characters').makeOptionMandatory())
    .action(async (url: string, o: Common & { events: string[], secret: string }) => {
      const hook = await (await client(o)).request<{ id: string }>('POST', '/v1/webhooks', { url, events: o.events, secret: o.secret })
      print(hook, () => hook.id, o.json)
    })
  common(webhook.command('list').description('Webhooks with recent delivery attempts'))
    .action(async (o: Common) => {
      const res = await (await client(o)).request<{ webhooks: Array<{ id: string, url: string, events: string[], pending: number, attempts: Array<{ ok: boolean }> }> }>('GET', '/v1/webhooks')
      print(res, () => res.webhooks.map(h => `${h.id}  ${h.url}  ${h.events.join(',')}  ${h.pending} pending  ${h.attempts.filter(a => !a.ok).length} recent failures`).join('\n'), o.json)
    })
  common(webhook.command('remove').description('Remove a webhook').argument('<id>'))
    .action(async (id: string, o: Common) => {
      await (await client(o)).request('DELETE', `/v1/webhooks/${encodeURIComponent(id)}`)
      print({ id, removed: true }, () => `${id} removed`, o.json)
    })

  return program
}

/** Run the CLI; resolves with the exit code. */
export async function main (argv: string[], io: Output): Promise<number> {
  const program = buildProgram(io)
  try {
    await program.parseAsync(argv)
    return 0
  } catch (err) {
    const e = err as Error & { code?: string, exitCode?: number }
    if (e.name === 'CommanderError' || e.code?.startsWith('commander.') === true) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2
    }
    if (err instanceof CliError) {
      io.err(`error: ${err.message} (${err.code})`)
      return err.exitCode
    }
    // no stack traces for a user; no values either (they may be secrets)
    io.err(`error: ${e.name}: ${e.message}`)
    return 1
  }
}
