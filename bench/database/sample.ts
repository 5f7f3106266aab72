import type { Noise } from '../stream/noise.js'
import type { DatabaseSummary, FanoutRun } from './fanout-json.js'

/** One run of one case. */
export interface DatabaseSample {
  /** From starting the CLI to its exit: every target holds a verified (and, hot, prepared) copy. */
  seconds: number
  /** What the run moved to each target: the backup's size (hot) or the datadir's (cold). */
  bytes: number | undefined
  transport: string | undefined
  backup: DatabaseSummary['backup']
  /** Each target's own time, from fanout's summary, in the order of the command line. */
  targetSeconds: number[]
  /** The source's agents (one per backup when the stream serves targets in turn), summed. */
  sourceCpu: number | undefined
  /** Every target's agent, summed. */
  targetCpu: number | undefined
  cliCpu: number | undefined
  /** Hot: rows the writer committed during the run. */
  writerRows?: number
  /** Cold: how long the server took to start again on its datadir after the copy. */
  restartSeconds?: number
  /** The untimed check afterwards (prepared copies, or digests against the stopped datadir). */
  checkSeconds?: number
  noise?: Noise
  /** Things worth knowing that did not fail the run (a writer that stopped early). */
  notes: string[]
  failed?: string
}

/** The sample one CLI run makes, before the case adds what it knows (the writer, the restart). */
export function sampleOf(run: FanoutRun, bytes: number | undefined): DatabaseSample {
  const usage = run.summary?.usage
  const cpu = (role: 'source' | 'target') =>
    usage?.filter((u) => u.role === role).reduce((sum, u) => sum + u.cpuSeconds, 0)
  return {
    seconds: run.seconds,
    bytes,
    transport: run.summary?.transport,
    backup: run.summary?.backup,
    targetSeconds: (run.summary?.targets ?? []).map((t) => t.seconds ?? Number.NaN),
    sourceCpu: cpu('source'),
    targetCpu: cpu('target'),
    cliCpu: run.cliCpu,
    notes: [],
    ...(run.failed === undefined ? {} : { failed: run.failed }),
  }
}

/** A run that failed before or around the CLI: what went wrong, with the time it had taken. */
export function failedSample(seconds: number, why: string): DatabaseSample {
  return {
    seconds,
    bytes: undefined,
    transport: undefined,
    backup: undefined,
    targetSeconds: [],
    sourceCpu: undefined,
    targetCpu: undefined,
    cliCpu: undefined,
    notes: [],
    failed: why.slice(0, 800),
  }
}
