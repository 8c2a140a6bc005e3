/**
 * Tasks between agents (DESIGN §5): a `task-request` carries a taskId, a
 * deadline and an idempotency key; `task-response`s are correlated by taskId.
 *
 * - As requester, the node keeps each open task until a terminal response
 *   (completed, failed, canceled, rejected) arrives, and fires `task.expired`
 *   at its deadline otherwise — also after a restart.
 * - As worker, the node remembers the first response it sent for each
 *   (peer, idempotency key): a repeated request is answered with it instead
 *   of reaching the agent again.
 */
import type { TaskInfo, ValidBody } from '../protocols/dm/body.js'
import type { Store, StoreOp } from '../store/index.js'

/** States after which a task is over. */
export const TERMINAL_STATES = new Set(['completed', 'failed', 'canceled', 'rejected'])
/** Open tasks one node tracks at most (their deadlines are timers). */
export const MAX_OPEN_TASKS = 10_000

const OPEN = 'tasks.open'
const idemKey = (peer: string, key: string): string => `tasks.idem/${peer}/${key}`
const requestKey = (peer: string, taskId: string): string => `tasks.req/${peer}/${taskId}`

export interface OpenTask {
  taskId: string
  messageId: string
  peer: string
  deadline: number
}

export interface Idempotency {
  taskId: string
  messageId: string
  /** the first response sent for this key, once there is one */
  response?: ValidBody
}

export class TaskTracker {
  readonly #store: Store
  readonly #expired: (task: OpenTask) => void
  readonly #now: () => number
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>()
  #open = new Map<string, OpenTask>()

  constructor (store: Store, expired: (task: OpenTask) => void, now: () => number = Date.now) {
    this.#store = store
    this.#expired = expired
    this.#now = now
  }

  /** Reload open tasks and arm their deadlines (ones that passed while we were down fire now). */
  async start (): Promise<void> {
    const open = await this.#store.meta.get<OpenTask[]>(OPEN) ?? []
    this.#open = new Map(open.map(t => [t.taskId, t]))
    for (const task of open) this.#arm(task)
  }

  stop (): void {
    for (const timer of this.#timers.values()) clearTimeout(timer)
    this.#timers.clear()
  }

  /** Ops that record a task we requested; call `armed()` after they are written. */
  openOps (task: OpenTask): StoreOp[] {
    if (this.#open.size >= MAX_OPEN_TASKS && !this.#open.has(task.taskId)) {
      throw new RangeError(`at most ${MAX_OPEN_TASKS} open tasks`)
    }
    this.#open.set(task.taskId, task)
    return this.#store.meta.putOps(OPEN, [...this.#open.values()])
  }

  armed (taskId: string): void {
    const task = this.#open.get(taskId)
    if (task != null) this.#arm(task)
  }

  /** A response to a task of ours arrived: a terminal one closes it. */
  async responded (peer: string, task: TaskInfo): Promise<boolean> {
    const open = this.#open.get(task.taskId)
    if (open == null || open.peer !== peer) return false
    if (task.state != null && TERMINAL_STATES.has(task.state)) await this.#close(task.taskId)
    return true
  }

  isOpen (taskId: string): boolean {
    return this.#open.has(taskId)
  }

  #arm (task: OpenTask): void {
    clearTimeout(this.#timers.get(task.taskId))
    const timer = setTimeout(() => {
      this.#timers.delete(task.taskId)
      if (!this.#open.has(task.taskId)) return
      this.#close(task.taskId, task)
        .then(() => { this.#expired(task) })
        .catch(() => {})
    }, Math.max(0, task.deadline - this.#now()))
    timer.unref?.()
    this.#timers.set(task.taskId, timer)
  }

  /** `expired`: the task reached its deadline; its event is written with the closing. */
  async #close (taskId: string, expired?: OpenTask): Promise<void> {
    clearTimeout(this.#timers.get(taskId))
    this.#timers.delete(taskId)
    this.#open.delete(taskId)
    const open = [...this.#open.values()]
    await this.#store.write(async () => [
      ...this.#store.meta.putOps(OPEN, open),
      ...(expired == null ? [] : this.#store.events.appendOps('task.expired', expired))
    ])
  }

  // worker side

  /** What we know of a request's idempotency key from this peer, if we saw it before. */
  async seen (peer: string, key: string): Promise<Idempotency | undefined> {
    return await this.#store.meta.get<Idempotency>(idemKey(peer, key))
  }

  /** Ops that remember a new request's idempotency key. */
  requestOps (peer: string, task: TaskInfo, messageId: string): StoreOp[] {
    if (task.idempotencyKey == null) return []
    return [
      ...this.#store.meta.putOps(idemKey(peer, task.idempotencyKey), { taskId: task.taskId, messageId } satisfies Idempotency),
      ...this.#store.meta.putOps(requestKey(peer, task.taskId), task.idempotencyKey)
    ]
  }

  /**
   * We answered a request: remember the first terminal response for its key. Returns
   * the request's message id (for the processed receipt), if we know it.
   */
  async answered (peer: string, response: ValidBody): Promise<{ requestMessageId?: string, ops: StoreOp[] }> {
    const taskId = response.task?.taskId
    if (taskId == null) return { ops: [] }
    const key = await this.#store.meta.get<string>(requestKey(peer, taskId))
    if (key == null) return { ops: [] }
    const known = await this.seen(peer, key)
    if (known == null) return { ops: [] }
    // only an outcome answers a repeat: a progress report (working, input-required) does not
    if (known.response != null || response.task?.state == null || !TERMINAL_STATES.has(response.task.state)) {
      return { requestMessageId: known.messageId, ops: [] }
    }
    return { requestMessageId: known.messageId, ops: this.#store.meta.putOps(idemKey(peer, key), { ...known, response }) }
  }
}
