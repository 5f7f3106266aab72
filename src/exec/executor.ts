import type { Readable, Writable } from 'node:stream'

/** The execa-like outcome of one finished command. Non-zero exit codes are results, not throws. */
export interface RunResult {
  command: string
  exitCode: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  signal?: AbortSignal
  timeoutMs?: number
  /** Bytes written to the command's stdin, which is then closed. */
  input?: string | Uint8Array
}

/**
 * A long-running command whose stdin/stdout stay open: the agent's control channel. Closing stdin is
 * how the orchestrator tells an agent to clean up and go; `exited` settles when the command is gone.
 */
export interface ChildHandle {
  readonly stdin: Writable
  readonly stdout: Readable
  readonly stderr: Readable
  readonly exited: Promise<{ exitCode: number | null; signal: string | null }>
  /** Forcibly ends the command (the channel closing, for SSH; SIGKILL, locally). */
  kill(): void
}

/**
 * Runs argv on one host. argv is never joined by a local shell; remote adapters quote every word
 * with `quoteArgv`, so paths with spaces, quotes, `$` or non-ASCII letters arrive intact.
 */
export interface Executor {
  /** The host as the user wrote it, for messages. */
  readonly host: string
  /**
   * The address other hosts should use to reach this one: the address the SSH connection arrived on,
   * or 127.0.0.1 for the local executor. Known after `connect()`.
   */
  readonly dataAddress: string
  /**
   * This machine's address on the route to the host, once connected: how the host would reach the
   * machine fanout runs on. Undefined for the local executor.
   */
  readonly localAddress?: string | undefined
  connect(signal?: AbortSignal): Promise<void>
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>
  spawn(argv: readonly string[]): ChildHandle
  close(): Promise<void>
}
