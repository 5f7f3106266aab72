import { readFile } from 'node:fs/promises'
import { execa } from 'execa'
import { helperPath, splitArgv } from '../../test/helpers/run-command.js'

/** CPU time and peak resident set of a process tree, as GNU time reports them. */
export interface Usage {
  cpuSeconds: number
  maxRssBytes: number
}

/** How a measured process ended. */
export interface Finished {
  exitCode: number
  stdout: string
  stderr: string
  /** From GNU time when the process was started with `timed`; undefined if it printed none. */
  usage: Usage | undefined
}

/** A process the benchmark started and must end again: it knows its pid and stops only that. */
export interface HostProcess {
  readonly pid: number
  readonly exited: boolean
  readonly done: Promise<Finished>
  /**
   * Signals the measured program (GNU time's child when timed, so time still reports its usage),
   * and resolves once it has ended. SIGKILL follows if it is still there after `graceMs`.
   */
  stop(graceMs?: number): Promise<Finished>
}

const MARK = 'BENCH-RUSAGE'
// setpriv makes the measured program die with GNU time: an orphan would keep our pipes open.
const TIME = ['/usr/bin/time', '-f', `${MARK} %U %S %M`, 'setpriv', '--pdeathsig', 'KILL', '--']

/**
 * Spawns argv (already prefixed to enter a namespace, e.g. by `cluster.hostArgv`), optionally under
 * GNU time. Every process gets a hard timeout, so no benchmark step can hang the suite.
 */
export function spawnMeasured(
  enter: (argv: readonly string[]) => string[],
  argv: readonly string[],
  opts: { timed?: boolean; timeoutMs: number; cwd?: string },
): HostProcess {
  const [file, args] = splitArgv(enter(opts.timed ? [...TIME, ...argv] : argv))
  const child = execa(file, args, {
    reject: false,
    env: { PATH: helperPath() },
    stdin: 'ignore',
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not spawn ${argv.join(' ')}`)
  let exited = false
  const done = child.then((r): Finished => {
    exited = true
    return { exitCode: r.exitCode ?? 128, stdout: r.stdout, stderr: r.stderr, usage: parseUsage(r.stderr) }
  })
  const stop = async (graceMs = 5_000): Promise<Finished> => {
    if (!exited) {
      const targets = opts.timed ? await childrenOf(pid) : [pid]
      for (const target of targets) signal(target, 'SIGTERM')
      const killer = setTimeout(() => {
        for (const target of [...targets, pid]) signal(target, 'SIGKILL')
      }, graceMs)
      try {
        await done
      } finally {
        clearTimeout(killer)
      }
    }
    return done
  }
  // Our own timeout rather than execa's: that one would signal GNU time, not the program it measures.
  const timeout = setTimeout(() => void stop(2_000), opts.timeoutMs)
  void done.finally(() => clearTimeout(timeout))
  return {
    pid,
    get exited() {
      return exited
    },
    done,
    stop,
  }
}

/** GNU time's line: user and system seconds, then the peak RSS in KiB. */
function parseUsage(stderr: string): Usage | undefined {
  const line = stderr
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(MARK))
  const [user, system, rssKiB] = (line ?? '').slice(MARK.length).trim().split(' ').map(Number)
  if (user === undefined || system === undefined || rssKiB === undefined || Number.isNaN(rssKiB))
    return undefined
  return { cpuSeconds: user + system, maxRssBytes: rssKiB * 1024 }
}

/** The direct children of a process (needs CONFIG_PROC_CHILDREN, which Debian kernels have). */
async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')
    return text.trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // It has already exited.
  }
}

/** Sums usages of processes on one host: CPU adds up, the peak RSS is the largest one. */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (a === undefined || b === undefined) return a ?? b
  return { cpuSeconds: a.cpuSeconds + b.cpuSeconds, maxRssBytes: Math.max(a.maxRssBytes, b.maxRssBytes) }
}

/** CPU seconds of several usages together, or undefined if any is unknown. */
export function totalCpu(usages: readonly (Usage | undefined)[]): number | undefined {
  if (usages.some((u) => u === undefined)) return undefined
  return (usages as readonly Usage[]).reduce((sum, u) => sum + u.cpuSeconds, 0)
}

/** The largest CPU time and the largest peak RSS among several hosts' usages (each may come from a different host). */
export function maxUsage(usages: readonly (Usage | undefined)[]): Usage | undefined {
  if (usages.length === 0 || usages.some((u) => u === undefined)) return undefined
  const known = usages as readonly Usage[]
  return {
    cpuSeconds: Math.max(...known.map((u) => u.cpuSeconds)),
    maxRssBytes: Math.max(...known.map((u) => u.maxRssBytes)),
  }
}
