import { appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ServedCounts } from '../../shared/messages.js'
import { siteLine } from '../../src/cli/summary.js'
import type { SitesReport } from '../../src/core/sites.js'
import { spawnMeasured, type Usage } from '../lib/host-process.js'
import { summarizeProgress } from '../lib/progress.js'
import { startSampler } from '../lib/sampler.js'
import type { CopyJob, Measurement, TargetTime } from './measurement.js'

/** The built CLI (`npm run build`); the suite runs a snapshot of it (lib/snapshot-dist.ts). */
export const FANOUT_CLI = join(import.meta.dirname, '..', '..', 'dist', 'fanout.mjs')

/** How to run fanout: which build. */
export interface FanoutOptions {
  cli: string
  /** The report's name for this build; 'fanout' unless another build runs beside it. */
  method?: string
  /** Runs fanout with `--verbose` and hands its stderr (every agent's log too) here after the run. */
  onLog?: (stderr: string) => void
  /** More options for the CLI (e.g. `--transport swarm`). */
  flags?: readonly string[]
}

/** One agent's usage, as fanout's `--json` summary reports it (`usage`, once the CLI has it). */
interface HostUsage {
  /** `host:path` as given on the command line. */
  endpoint: string
  role: 'source' | 'target'
  cpuSeconds: number
  maxRssBytes: number
  /** The source only (once the CLI has it). */
  served?: ServedCounts
}

/** The part of fanout's `--json` summary the benchmark reads. */
interface FanoutSummary {
  outcome: string
  /** The run's length on the CLI's own clock, which starts after node has loaded it. */
  seconds?: number
  /** `target` is the endpoint as given (`h1:/srv/recv`); `seconds` is when its copy landed. */
  targets: { target: string; status: string; seconds?: number; error?: { code: string; message: string } }[]
  usage?: HostUsage[]
  /** How fanout grouped the hosts into datacenters (once the CLI has it). */
  sites?: SitesReport
}

/**
 * Runs the fanout CLI from the admin namespace with `--json`, under GNU time for the orchestrator's
 * own usage, while sampling every host's link counters for the progress summary.
 */
export async function runFanout(
  job: CopyJob,
  { cli, method = 'fanout', onLog, flags = [] }: FanoutOptions,
): Promise<Measurement> {
  const { cluster } = job
  const argv = [
    ...['node', cli, '--json', '--no-progress', '--ssh-config', cluster.sshConfigPath],
    ...(process.env.FANOUT_BENCH_STDERR || onLog !== undefined ? ['--verbose'] : []),
    ...flags,
    `${job.source}:${job.dir}/${job.name}`,
    ...job.targets.map((t) => `${t}:${job.targetDir}`),
  ]
  const sampler = await startSampler(cluster, [job.source, ...job.targets])
  const started = performance.now()
  const run = spawnMeasured((a) => cluster.adminArgv(a), argv, { timed: true, timeoutMs: job.timeoutMs })
  const finished = await run.done
  if (process.env.FANOUT_BENCH_STDERR) {
    await appendFile(process.env.FANOUT_BENCH_STDERR, `=== N=${job.targets.length}\n${finished.stderr}\n`)
  }
  const seconds = (performance.now() - started) / 1000
  const samples = await sampler.stop()
  onLog?.(finished.stderr)
  if (process.env.FANOUT_BENCH_SAMPLES) {
    const rows = samples.map((s) => JSON.stringify({ t: s.t, hosts: Object.fromEntries(s.hosts) }))
    await appendFile(process.env.FANOUT_BENCH_SAMPLES, `${rows.join('\n')}\n`)
  }
  const summary = parseSummary(finished.stdout)
  // A failed or timed-out run is still a result worth reporting, with how far the targets got.
  const failed =
    finished.exitCode !== 0 || summary?.outcome !== 'ok'
      ? `fanout exited ${finished.exitCode} after ${seconds.toFixed(0)} s: ${failureText(finished.stderr, summary)}`
      : undefined
  const usage = summary?.usage
  return {
    ...(failed === undefined ? {} : { failed }),
    method,
    targets: job.targets.length,
    seconds,
    ...(summary === undefined ? {} : { perTarget: landedTimes(summary, seconds) }),
    source: usage === undefined ? undefined : sumRole(usage, 'source'),
    targetMax: usage === undefined ? undefined : maxRole(usage, 'target'),
    sourceRepeated: sourceRepeated(usage, job.bytes),
    targetCpuTotal: usage?.filter((u) => u.role === 'target').reduce((a, u) => a + u.cpuSeconds, 0),
    orchestrator: finished.usage,
    progress: summarizeProgress(samples, job.source, job.targets, job.bytes, job.linkBytesPerSecond),
    notes: usage === undefined ? ['agent CPU/RSS n/a: this CLI has no `usage` in --json'] : [],
    sites: summary?.sites === undefined ? undefined : (siteLine(summary.sites) ?? 'sites: one'),
  }
}

/**
 * Each landed target's time, moved onto the benchmark's clock: the CLI counts from its own start,
 * so the part of the wall time its summary does not cover (node loading the CLI, and exiting) is
 * added, which makes the times a little late rather than early.
 */
function landedTimes(summary: FanoutSummary, wallSeconds: number): TargetTime[] {
  const offset = summary.seconds === undefined ? 0 : Math.max(0, wallSeconds - summary.seconds)
  return summary.targets.flatMap((t) =>
    t.status === 'ok' && t.seconds !== undefined
      ? [{ target: hostOf(t.target), seconds: t.seconds + offset }]
      : [],
  )
}

/** `h1` of an endpoint `h1:/srv/recv` (or `root@h1:/srv/recv`). */
function hostOf(endpoint: string): string {
  const colon = endpoint.indexOf(':')
  const host = colon < 0 ? endpoint : endpoint.slice(0, colon)
  return host.slice(host.indexOf('@') + 1)
}

function sourceRepeated(usage: HostUsage[] | undefined, bytes: number): number | undefined {
  const served = usage?.find((u) => u.role === 'source')?.served
  return served === undefined ? undefined : served.repeatedBytes / bytes
}

function failureText(stderr: string, summary: FanoutSummary | undefined): string {
  const unfinished = summary?.targets.filter((t) => t.status !== 'ok') ?? []
  const last = stderr.trim().split('\n').slice(-3).join(' / ')
  if (unfinished.length === 0) return last
  // One line per distinct error: 64 targets failing alike need not repeat it 64 times.
  const why = [
    ...new Set(unfinished.map((t) => (t.error ? `${t.error.code}: ${t.error.message}` : t.status))),
  ]
  return `${unfinished.length} of ${summary?.targets.length} targets ${unfinished.map((t) => t.target).join(', ')}: ${why.join('; ')}`
}

function parseSummary(stdout: string): FanoutSummary | undefined {
  try {
    return JSON.parse(stdout) as FanoutSummary
  } catch {
    return undefined
  }
}

function sumRole(usage: readonly HostUsage[], role: HostUsage['role']): Usage | undefined {
  const rows = usage.filter((u) => u.role === role)
  if (rows.length === 0) return undefined
  return {
    cpuSeconds: rows.reduce((a, u) => a + u.cpuSeconds, 0),
    maxRssBytes: Math.max(...rows.map((u) => u.maxRssBytes)),
  }
}

function maxRole(usage: readonly HostUsage[], role: HostUsage['role']): Usage | undefined {
  const rows = usage.filter((u) => u.role === role)
  if (rows.length === 0) return undefined
  return {
    cpuSeconds: Math.max(...rows.map((u) => u.cpuSeconds)),
    maxRssBytes: Math.max(...rows.map((u) => u.maxRssBytes)),
  }
}
