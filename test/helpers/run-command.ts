import { constants } from 'node:os'
import { execa } from 'execa'

/** The outcome of one finished command. A non-zero exit code is a result, not a throw. */
export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Options for {@link runCommand}. */
export interface RunCommandOptions {
  /** Bytes written to the command's stdin, which is then closed. */
  input?: string | Uint8Array
  /** Kills the command after this long; the helpers' own commands should never hang a test run. */
  timeoutMs?: number
}

// Root's PATH normally has the sbin directories, but a CI environment may not; `ip`, `tc` and
// `sshd` live there, so every command the helpers spawn gets them appended.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin']

/** The PATH the helpers give their commands: the caller's PATH plus the sbin directories. */
export function helperPath(): string {
  const dirs = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')
  return [...dirs, ...SBIN_DIRS.filter((dir) => !dirs.includes(dir))].join(':')
}

/** Splits argv into execa's (file, args), refusing an empty argv instead of spawning `undefined`. */
export function splitArgv(argv: readonly string[]): [string, string[]] {
  const [file, ...args] = argv
  if (file === undefined) throw new Error('empty argv')
  return [file, args]
}

/** Runs argv (no shell) and returns its exit code and output; a signal maps to 128 + its number. */
export async function runCommand(argv: readonly string[], opts: RunCommandOptions = {}): Promise<ExecResult> {
  const [file, args] = splitArgv(argv)
  const result = await execa(file, args, {
    reject: false,
    env: { PATH: helperPath() },
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
  })
  return { exitCode: exitCodeOf(result), stdout: result.stdout, stderr: stderrOf(result) }
}

/** Runs argv and returns its stdout, throwing an error that names the command and its stderr on failure. */
export async function runOrThrow(argv: readonly string[], opts: RunCommandOptions = {}): Promise<string> {
  const result = await runCommand(argv, { timeoutMs: 60_000, ...opts })
  if (result.exitCode !== 0) {
    throw new Error(
      `\`${argv.join(' ')}\` exited with ${result.exitCode}: ${result.stderr.trim().slice(-2000)}`,
    )
  }
  return result.stdout
}

// execa's message is the only trace of a command that never started or was killed for its timeout.
interface Outcome {
  stderr: string
  message?: string | undefined
  failed: boolean
  exitCode?: number | undefined
  timedOut: boolean
}

function stderrOf(result: Outcome): string {
  const spawnFailed = result.failed && result.exitCode === undefined
  return spawnFailed || result.timedOut ? `${result.stderr}\n${result.message ?? ''}`.trim() : result.stderr
}

function exitCodeOf(result: { exitCode?: number | undefined; signal?: string | undefined }): number {
  if (result.exitCode !== undefined) return result.exitCode
  const signal = result.signal as keyof typeof constants.signals | undefined
  // A command that could not even be spawned has neither; 127 is what a shell reports for that.
  return signal === undefined ? 127 : 128 + constants.signals[signal]
}
