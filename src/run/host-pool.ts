import type { Endpoint } from '../core/endpoint.js'
import { hostKey } from '../core/plan.js'
import type { Executor } from '../exec/executor.js'

export type ExecutorFactory = (endpoint: Endpoint) => Promise<Executor>

/** One executor (one SSH connection) per distinct host, however many endpoints name it. */
export class HostPool {
  private readonly executors = new Map<string, Promise<Executor>>()

  constructor(private readonly create: ExecutorFactory) {}

  /** The connected executor for the endpoint's host; connection errors reject (FanoutError). */
  get(endpoint: Endpoint, signal?: AbortSignal): Promise<Executor> {
    const key = hostKey(endpoint)
    let executor = this.executors.get(key)
    if (executor === undefined) {
      executor = this.create(endpoint).then(async (exec) => {
        await exec.connect(signal)
        return exec
      })
      this.executors.set(key, executor)
    }
    return executor
  }

  async closeAll(): Promise<void> {
    const all = [...this.executors.values()]
    this.executors.clear()
    await Promise.allSettled(all.map(async (pending) => (await pending).close()))
  }
}
