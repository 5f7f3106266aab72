import { appendFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { pollUntil } from '../poll-until.js'
import { runFanout, startFanout } from '../run-fanout.js'
import { bedDifferences } from './host-differences.js'
import { type InjectedFault, injectFault, type RunningCli } from './inject-fault.js'
import type { FaultPlan } from './plan-faults.js'
import { bedState, IDLE_TIMEOUT_S, type SoakBed } from './soak-bed.js'
import {
  type BedState,
  type CliExit,
  type Injection,
  type JudgingBasis,
  parseSummary,
  type RunFacts,
  targetSpec,
} from './soak-facts.js'
import { awaitTrigger, copiesOf } from './watch-targets.js'

/** A run lasts 10-50 s on the bed; one still going after this long is stopped and counted as hung. */
const CLI_LIMIT_MS = 150_000
/** Triggers fall at most at 80% of a copy (or its landing), which comes well before this. */
const TRIGGER_LIMIT_MS = 90_000
/** SSH sessions close a moment after the CLI exits; hosts judged "at exit" get this long. */
const EXIT_GRACE_MS = 5_000
/** Idle timeout, plus SSH keepalives noticing a dead link (about 15 s), plus room. */
const SETTLE_LIMIT_MS = (IDLE_TIMEOUT_S + 15 + 20) * 1000

/** The CLI's arguments for one run: every target at once, through the swarm. */
function fanoutArgs(bed: SoakBed): string[] {
  const { layout } = bed
  return [
    '--json',
    '--no-progress',
    ...['--stall-timeout', String(bed.stallTimeoutS), '--connect-timeout', '5'],
    `${layout.source}:${layout.dir}/${layout.name}`,
    ...layout.targets.map((h) => targetSpec(layout, h)),
  ]
}

/** How to run the CLI besides the bed's arguments. */
export interface RunOptions {
  /** Runs the CLI with --verbose and appends its stderr (its own and every agent's debug log) to this file. */
  verboseLog?: string
}

/**
 * One run: start the CLI, inject the plan's fault at its trigger point, wait for the CLI, then
 * gather every fact the invariants need: the exit, the summary, each copy, every host at the exit,
 * once settled, and after `fanout cleanup`.
 */
export async function runOne(bed: SoakBed, plan: FaultPlan, options: RunOptions = {}): Promise<RunFacts> {
  const { result, exit, fault } = await runWithFault(bed, plan, options)
  const exitedAt = performance.now()
  await fault.injected?.removeArtefacts()
  const basis: JudgingBasis = {
    layout: bed.layout,
    copies: await copiesOf(bed),
    summary: parseSummary(result.stdout),
    baseline: bed.baseline,
  }
  const atExit = await settle(bed, basis, EXIT_GRACE_MS)
  await fault.injected?.undo()
  const settled = await settle(bed, basis, SETTLE_LIMIT_MS)
  const settledAfter = (performance.now() - exitedAt) / 1000
  const cleanup = await cleanupEveryHost(bed, basis)
  return {
    plan,
    ...basis,
    injection: fault.injection,
    ...fault.missed,
    exit,
    atExit,
    settled,
    settledAfter,
    cleanup,
  }
}

/** Starts the CLI, injects the fault at its trigger, and waits (bounded) for the CLI to end. */
async function runWithFault(bed: SoakBed, plan: FaultPlan, options: RunOptions) {
  const started = performance.now()
  const verbose = options.verboseLog === undefined ? [] : ['--verbose']
  const cli = startFanout(bed.cluster, [...verbose, ...fanoutArgs(bed)], {
    timeoutMs: CLI_LIMIT_MS,
    env: { FANOUT_AGENT_IDLE_TIMEOUT: String(IDLE_TIMEOUT_S) },
  })
  let ended = false
  const finished = cli.then((result) => {
    ended = true
    return result
  })
  const fault = await injectAtTrigger(bed, plan, cli, () => ended, started)
  const result = await finished
  const exit: CliExit = {
    code: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: result.timedOut,
    seconds: (performance.now() - started) / 1000,
    stderrTail: result.stderr.split('\n').slice(-5).join('\n'),
  }
  if (options.verboseLog !== undefined) {
    const header = `== run ${plan.run}: ${plan.kind} on ${plan.victim}, fault at ${fault.injection?.seconds.toFixed(1) ?? '-'} s\n`
    await appendFile(options.verboseLog, `${header}${result.stderr}\n${result.stdout}\n`)
  }
  return { result, exit, fault }
}

interface FaultInRun {
  injected?: InjectedFault
  injection: Injection | null
  missed?: { missed: string }
}

async function injectAtTrigger(
  bed: SoakBed,
  plan: FaultPlan,
  cli: RunningCli,
  ended: () => boolean,
  started: number,
): Promise<FaultInRun> {
  const trigger = await awaitTrigger(bed, plan, ended, TRIGGER_LIMIT_MS)
  if (!trigger.reached) return { injection: null, missed: { missed: trigger.why } }
  const seconds = (performance.now() - started) / 1000
  const injected = await injectFault(bed, plan, cli)
  if (typeof injected === 'string') return { injection: null, missed: { missed: injected } }
  return { injected, injection: { seconds, ...trigger.look } }
}

/** Polls every host until none differs from the baseline beyond what it may keep, or the limit; the last look. */
async function settle(
  bed: SoakBed,
  basis: JudgingBasis,
  limitMs: number,
  afterCleanup = false,
): Promise<BedState> {
  let last: BedState = {}
  try {
    await pollUntil(
      'the hosts to settle',
      async () => {
        last = await bedState(bed.cluster, bed.layout)
        return bedDifferences(basis, last, afterCleanup).length === 0 ? true : undefined
      },
      { timeoutMs: limitMs, intervalMs: 250 },
    )
  } catch {
    // Not clean by the limit: the state is the fact, judged later.
  }
  return last
}

/** `fanout cleanup --json` of every host with its target directory; then every host once settled. */
async function cleanupEveryHost(bed: SoakBed, basis: JudgingBasis): Promise<RunFacts['cleanup']> {
  const { layout } = bed
  const hosts = [layout.source, ...layout.targets].map((h) => `${h}:${layout.dir}`)
  const run = await runFanout(bed.cluster, ['cleanup', '--json', ...hosts], 120_000)
  const after = await settle(bed, basis, EXIT_GRACE_MS, true)
  return { exitCode: run.exitCode, removed: cleanupRemoved(run.stdout), after }
}

function cleanupRemoved(stdout: string): string[] {
  try {
    const parsed = JSON.parse(stdout) as { hosts?: { host: string; removed: string[] }[] }
    return (parsed.hosts ?? []).flatMap((h) => h.removed.map((what) => `${h.host}: ${what}`))
  } catch {
    return [`(unreadable cleanup output: ${stdout.slice(0, 200)})`]
  }
}
