/** What a CLI run reads and writes: its arguments, its output streams, and its interruption. */
export interface CliIo {
  argv: readonly string[]
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  version: string
  /** Aborted on SIGINT/SIGTERM by main.ts. */
  signal: AbortSignal
}
