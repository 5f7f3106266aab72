import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import type { CommandResult, RunCommand } from '../../shared/firewall/firewall.js'

/** How long a firewall command may take; `iptables -w` waits for the xtables lock without a bound. */
const TIMEOUT_MS = 60_000

/**
 * A {@link RunCommand} for this machine, for the agent, which has no Executor: argv goes straight to
 * exec(2); a command that cannot be found gives 127 and one that cannot be run 126, as from sh; a
 * command killed by a signal gives 128 + its number; one that outlives `timeoutMs` is killed.
 */
export function localRunner(timeoutMs = TIMEOUT_MS): RunCommand {
  return (argv, opts) => runLocal(argv, opts?.input, timeoutMs)
}

function runLocal(
  argv: readonly string[],
  input: string | undefined,
  timeoutMs: number,
): Promise<CommandResult> {
  const [file = '', ...args] = argv
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    // A command that exits before reading its input raises EPIPE here; its exit status says enough.
    child.stdin.on('error', () => {})
    child.stdin.end(input ?? '')
    child.once('error', (err: NodeJS.ErrnoException) => {
      resolve({
        exitCode: err.code === 'ENOENT' ? 127 : 126,
        stdout: '',
        stderr: `${file}: ${err.message}\n`,
      })
    })
    child.once('close', (code, signal) => {
      const exitCode = code ?? 128 + (signal === null ? 0 : constants.signals[signal])
      resolve({
        exitCode,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
      })
    })
  })
}
