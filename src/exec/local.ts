import { execa } from 'execa'
import { FanoutError } from '../../shared/errors.js'
import type { ChildHandle, Executor, RunOptions, RunResult } from './executor.js'
import { exitCodeOf } from './exit-code.js'
import { quoteArgv } from './quote.js'

/**
 * Runs commands on this machine with the same contract as SshExecutor, so the runner treats the
 * admin host like any other: argv goes straight to exec(2), never through a shell; stdin is at EOF
 * unless `input` is given; output is kept byte-for-byte (no final newline stripped); a command that
 * cannot be started reports 127 (not found) or 126 (not executable), as a remote shell would.
 */
export class LocalExecutor implements Executor {
  readonly host = 'localhost'
  readonly dataAddress = '127.0.0.1'

  /** Nothing to connect; present for the interface. */
  async connect(): Promise<void> {}

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const command = quoteArgv(argv)
    const [file = '', ...args] = argv
    const result = await execa(file, args, {
      reject: false,
      stripFinalNewline: false,
      // SIGKILL, like SshExecutor, so a timed-out or aborted command cannot linger in a handler.
      killSignal: 'SIGKILL',
      ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
      ...(opts.signal === undefined ? {} : { cancelSignal: opts.signal }),
      ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
    })
    return toRunResult(command, result, opts.timeoutMs)
  }

  spawn(argv: readonly string[]): ChildHandle {
    quoteArgv(argv) // Validates argv the same way SshExecutor does.
    const [file = '', ...args] = argv
    const subprocess = execa(file, args, { reject: false, buffer: false, stdin: 'pipe' })
    // Writing to a command that has exited raises EPIPE on stdin; `exited` already reports the end.
    subprocess.stdin.on('error', () => {})
    const exited = subprocess.then((result) => ({
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
    }))
    return {
      stdin: subprocess.stdin,
      stdout: subprocess.stdout,
      stderr: subprocess.stderr,
      exited,
      kill: () => {
        subprocess.kill('SIGKILL')
      },
    }
  }

  async close(): Promise<void> {}
}

/** The parts of an execa result we read, loose enough to fit every execa option combination. */
interface ExecaOutcome {
  stdout?: unknown
  stderr?: unknown
  isCanceled: boolean
  timedOut: boolean
  exitCode?: number | undefined
  signal?: string | undefined
  code?: string | undefined
  shortMessage?: string | undefined
}

function toRunResult(command: string, result: ExecaOutcome, timeoutMs: number | undefined): RunResult {
  const stdout = typeof result.stdout === 'string' ? result.stdout : ''
  const stderr = typeof result.stderr === 'string' ? result.stderr : ''
  const context = { host: 'localhost', command, stderr }
  if (result.isCanceled) throw new FanoutError('ABORTED', 'localhost: command aborted', context)
  if (result.timedOut) {
    throw new FanoutError('SSH_TIMEOUT', `localhost: command timed out after ${timeoutMs} ms`, context)
  }
  if (result.exitCode === undefined && result.signal === undefined) {
    // The command never started; report it as sh would, with the reason on stderr.
    const exitCode = result.code === 'ENOENT' ? 127 : 126
    return { command, exitCode, stdout, stderr: `${result.shortMessage ?? 'command could not be started'}\n` }
  }
  return { command, exitCode: exitCodeOf(result.exitCode, result.signal), stdout, stderr }
}
