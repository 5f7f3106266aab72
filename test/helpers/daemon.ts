import { readFile } from 'node:fs/promises'
import { setTimeout as delay } from 'node:timers/promises'
import { execa } from 'execa'
import { helperPath, splitArgv } from './run-command.js'

/** A long-running process this cluster started itself and must stop again. */
export interface Daemon {
  readonly pid: number
  readonly exited: boolean
  /** SIGTERM, then SIGKILL if it is still there after a few seconds; resolves once it has been reaped. Idempotent. */
  stop(): Promise<void>
}

const STOP_GRACE_MS = 5_000

/** Spawns argv with stdin and stdout closed and stderr appended to `logPath`. */
export function startDaemon(argv: readonly string[], logPath: string): Daemon {
  const [file, args] = splitArgv(argv)
  const subprocess = execa(file, args, {
    reject: false,
    env: { PATH: helperPath() },
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: { file: logPath, append: true },
  })
  const pid = subprocess.pid
  if (pid === undefined) throw new Error(`could not spawn ${argv.join(' ')}`)
  let exited = false
  const done = subprocess.then(() => {
    exited = true
  })
  return {
    pid,
    get exited() {
      return exited
    },
    async stop() {
      if (exited) return
      subprocess.kill('SIGTERM')
      await Promise.race([done, delay(STOP_GRACE_MS)])
      if (!exited) subprocess.kill('SIGKILL')
      await done
    },
  }
}

/** The last lines of a daemon's log, to put into the error that says it failed. */
export async function logTail(logPath: string): Promise<string> {
  try {
    return (await readFile(logPath, 'utf8')).trim().split('\n').slice(-20).join('\n')
  } catch {
    return '(no log)'
  }
}
