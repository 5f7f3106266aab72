import { EventEmitter } from 'node:events'
import pino, { type Logger } from 'pino'
import { type ConfigFlags, resolveConfig } from '../config/resolve.js'
import type { ProgressSnapshot } from '../core/progress.js'
import { runTransfer, type TransferResult } from '../run/run-transfer.js'
import { executorFactory } from './create-executor.js'

/** What to copy where, and how. Paths use the command line's syntax: `[user@]host:/path` or a local path. */
export interface TransferOptions extends ConfigFlags {
  /** A file or directory: `host:/srv/sqldata`, `/local/path`. */
  source: string
  /** Existing directories the source is copied into: `host:/srv`. */
  targets: readonly string[]
  /** Resolves bare relative paths; defaults to process.cwd(). */
  cwd?: string
  /** Aborting stops every agent and cleans up; interrupted targets keep their staging copy for a resume. */
  signal?: AbortSignal
  /** A pino logger; silent by default. */
  logger?: Logger
  /** The transfer's secret. Leave it out: it is made fresh for every run. Tests set it to look for leaks. */
  swarmKey?: Buffer
}

/**
 * A running transfer: await it for the result, listen for 'progress' snapshots meanwhile. The
 * promise never rejects for problems on hosts (those are in the result); it rejects only for bad
 * options (FanoutError with code 'USAGE').
 */
export class TransferRun
  extends EventEmitter<{ progress: [ProgressSnapshot] }>
  implements PromiseLike<TransferResult>
{
  readonly result: Promise<TransferResult>

  constructor(options: TransferOptions) {
    super()
    const { source, targets, cwd, signal, logger, swarmKey, ...flags } = options
    const log = logger ?? pino({ level: 'silent' })
    this.result = Promise.resolve().then(() => {
      const config = resolveConfig(flags)
      return runTransfer({
        source,
        targets,
        cwd: cwd ?? process.cwd(),
        createExecutor: executorFactory(config, log),
        log,
        signal: signal ?? new AbortController().signal,
        stallTimeoutMs: config.stallTimeoutMs,
        agentIdleTimeoutMs: config.agentIdleTimeoutMs,
        encrypt: config.encrypt,
        bwlimit: config.bwlimit ?? null,
        firewall: config.firewall,
        topologyPath: config.topologyPath,
        ...(swarmKey === undefined ? {} : { swarmKey }),
        onProgress: (snapshot) => this.emit('progress', snapshot),
      })
    })
  }

  // biome-ignore lint/suspicious/noThenProperty: a TransferRun is awaited like execa's subprocess.
  then<A = TransferResult, B = never>(
    onFulfilled?: ((value: TransferResult) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result.then(onFulfilled, onRejected)
  }
}

/**
 * Copies `source` into every target directory at once through a private BitTorrent swarm.
 *
 * @example
 * const run = transfer({ source: 'db1:/srv/sqldata', targets: ['db2:/srv', 'db3:/srv'] })
 * run.on('progress', (p) => console.log(p.phase, p.rate))
 * const result = await run // result.outcome === 'ok' when every target holds a verified copy
 */
export function transfer(options: TransferOptions): TransferRun {
  return new TransferRun(options)
}
