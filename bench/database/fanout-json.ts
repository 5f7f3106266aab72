import { appendFile } from 'node:fs/promises'
import { spawnMeasured } from '../lib/host-process.js'
import type { DatabaseBench } from './database-bench.js'

/** The part of fanout's `--json` summary this benchmark reads. */
export interface DatabaseSummary {
  outcome: string
  /** The payload's size; for a hot backup the first backup's. */
  bytes?: number
  transport?: string
  targets: { target: string; status: string; seconds?: number; bytes?: number }[]
  usage?: { role: 'source' | 'target'; cpuSeconds: number }[]
  /** A hot backup: its size, when it completed (from the run's start) and what the targets held then. */
  backup?: { bytes: number; seconds: number; heldByTargets: number }
}

/** One run of the CLI: its wall time, summary and own CPU, or why it failed. */
export interface FanoutRun {
  seconds: number
  summary: DatabaseSummary | undefined
  /** The orchestrator (the CLI process on the admin host), from GNU time. */
  cliCpu: number | undefined
  failed?: string
}

/**
 * Runs the fanout CLI from the admin namespace with `--json --no-compress` and `args`, timing the
 * whole run (SSH, checks, shipping the agents, backup, transfer, prepare, cleanup), as a user sees it.
 * `FANOUT_BENCH_STDERR=FILE` adds `--verbose` and appends its stderr to FILE, as in the suite.
 */
export async function runFanoutJson(
  bench: DatabaseBench,
  args: readonly string[],
  timeoutMs: number,
): Promise<FanoutRun> {
  const debug = process.env.FANOUT_BENCH_STDERR
  const argv = [
    ...[
      'node',
      bench.cli,
      '--json',
      '--no-progress',
      '--ssh-config',
      bench.cluster.sshConfigPath,
      '--no-compress',
    ],
    ...(debug ? ['--verbose'] : []),
    ...args,
  ]
  const started = performance.now()
  const run = spawnMeasured((a) => bench.cluster.adminArgv(a), argv, { timed: true, timeoutMs })
  const finished = await run.done
  const seconds = (performance.now() - started) / 1000
  if (debug) await appendFile(debug, `=== ${args.join(' ')}\n${finished.stderr}\n`)
  const summary = parse(finished.stdout)
  const ok = finished.exitCode === 0 && summary?.outcome === 'ok'
  const lines = finished.stderr.trim().split('\n')
  const why = lines
    .filter((l) => !l.startsWith('BENCH-RUSAGE'))
    .slice(-3)
    .join(' / ')
  const unfinished = summary?.targets.filter((t) => t.status !== 'ok').map((t) => `${t.target} ${t.status}`)
  const what = unfinished === undefined || unfinished.length === 0 ? why : `${unfinished.join(', ')}; ${why}`
  return {
    seconds,
    summary,
    cliCpu: finished.usage?.cpuSeconds,
    ...(ok ? {} : { failed: `fanout exited ${finished.exitCode} after ${seconds.toFixed(0)} s: ${what}` }),
  }
}

function parse(stdout: string): DatabaseSummary | undefined {
  try {
    return JSON.parse(stdout) as DatabaseSummary
  } catch {
    return undefined
  }
}
