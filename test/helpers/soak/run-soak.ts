import { performance } from 'node:perf_hooks'
import type { FaultKind } from './fault-kinds.js'
import { judgeRun } from './invariants.js'
import { planFaults } from './plan-faults.js'
import { restoreBed } from './restore-bed.js'
import { runOne } from './run-one.js'
import { createSoakBed, describeBed, STALL_TIMEOUT_S } from './soak-bed.js'
import { describeFault, type SoakMeta, type SoakRecord } from './soak-report.js'

/** What to soak. */
export interface SoakOptions {
  seed: number
  runs: number
  /** Replays run k of the seed's schedule alone (its fault is the same as in the full soak). */
  only?: number
  kinds?: readonly FaultKind[]
  /** Size of the random payload; 32 MiB makes a run last about 10 s on the bed. */
  payloadMiB?: number
  /** The CLI's --stall-timeout in seconds (10 by default, so a stopped or cut-off target ends its run soon). */
  stallTimeoutS?: number
  /** The command line, for the report. */
  command: string
  /** Runs the CLI with --verbose and appends its stderr and summary to this file, run by run. */
  verboseLog?: string
  /** One line per run as it ends, for a human watching. */
  log?: (line: string) => void
}

/** Every run's record, and the report's header facts. */
export interface SoakResult {
  meta: SoakMeta
  records: SoakRecord[]
}

const SOURCE = 'h0'
const TARGETS = ['h1', 'h2', 'h3', 'h4']

/**
 * Builds one cluster, runs the planned faults one after another on it, judging each run as it
 * ends, and destroys the cluster whatever happens. A run that cannot be brought back to the
 * baseline stops the soak (later runs would not be independent); what ran until then is returned.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { seed, runs, payloadMiB = 32, stallTimeoutS = STALL_TIMEOUT_S, log = () => {} } = options
  const planned = planFaults({ seed, runs, source: SOURCE, targets: TARGETS, ...kindsOption(options) })
  const plans = options.only === undefined ? planned : planned.filter((p) => p.run === options.only)
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const records: SoakRecord[] = []
  let stopped: string | undefined
  const bed = await createSoakBed(payloadMiB, stallTimeoutS)
  try {
    for (const plan of plans) {
      const facts = await runOne(
        bed,
        plan,
        options.verboseLog === undefined ? {} : { verboseLog: options.verboseLog },
      )
      const verdicts = judgeRun(facts)
      records.push({ facts, verdicts })
      const broken = verdicts.filter((v) => v.held === false).map((v) => v.invariant)
      log(
        `run ${plan.run}/${runs}: ${describeFault(plan)}: exit ${facts.exit.code ?? facts.exit.signal} in ${facts.exit.seconds.toFixed(1)} s; ${broken.length === 0 ? 'every invariant held' : `violated: ${broken.join(', ')}`}`,
      )
      try {
        await restoreBed(bed)
      } catch (err) {
        stopped = `after run ${plan.run}: ${(err as Error).message}`
        break
      }
    }
  } finally {
    await bed.cluster.destroy()
  }
  const seconds = (performance.now() - started) / 1000
  const meta: SoakMeta = {
    command: options.command,
    seed,
    runs: plans.length,
    startedAt,
    seconds,
    bed: describeBed(payloadMiB, stallTimeoutS),
  }
  return { meta: stopped === undefined ? meta : { ...meta, stopped }, records }
}

function kindsOption(options: SoakOptions): { kinds?: readonly FaultKind[] } {
  return options.kinds === undefined ? {} : { kinds: options.kinds }
}
