import { EventEmitter } from 'node:events'
import pino, { type Logger } from 'pino'
import type { Config } from '../config/defaults.js'
import { type ConfigFlags, resolveConfig } from '../config/resolve.js'
import type { ProgressSnapshot } from '../core/progress.js'
import { type RunDeps, runTransfer, type TransferRequest, type TransferResult } from '../run/run-transfer.js'
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

  /** @param start runs the transfer, sending each snapshot to the function it is given. */
  constructor(start: (onProgress: (snapshot: ProgressSnapshot) => void) => Promise<TransferResult>) {
    super()
    this.result = Promise.resolve().then(() => start((snapshot) => this.emit('progress', snapshot)))
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
  const { source, targets, cwd, signal, logger, ...flags } = options
  return new TransferRun((onProgress) =>
    runWithConfig({ source, targets, cwd: cwd ?? process.cwd() }, resolveConfig(flags), {
      log: logger ?? pino({ level: 'silent' }),
      signal: signal ?? new AbortController().signal,
      onProgress,
    }),
  )
}

/**
 * The transfer with settings already resolved, as the CLI has them: what `transfer` does once it has
 * resolved its options. Not part of the package's API; `swarmKey` is for tests that look for leaks,
 * `corruptForTest` for the test of the read-back check.
 */
export function startTransfer(
  request: TransferRequest,
  config: Readonly<Config>,
  deps: { log: Logger; signal: AbortSignal; swarmKey?: Buffer; corruptForTest?: boolean },
): TransferRun {
  return new TransferRun((onProgress) => runWithConfig(request, config, { ...deps, onProgress }))
}

function runWithConfig(
  request: TransferRequest,
  config: Readonly<Config>,
  deps: Omit<RunDeps, 'createExecutor'>,
): Promise<TransferResult> {
  return runTransfer(request, config, { ...deps, createExecutor: executorFactory(config, deps.log) })
}
