import type { SuiteParams } from './options.js'
import type { ScaleResults, ScaleRow } from './sections/scale.js'

const MiB = 2 ** 20
/** The goal of issue 19: flat, the largest N within this factor of S/B. */
const GOAL_RATIO = 1.5

/** The "Scale" part of the report: T(N) / (S/B) and what each N cost, up to 64 targets. */
export function scaleSection(result: ScaleResults | undefined, params: SuiteParams): string[] {
  if (result === undefined) return []
  const { mbit } = params.scale
  const bound = (result.bytes * 8) / (mbit * 1e6)
  return [
    `## Scale: ${(result.bytes / MiB).toFixed(0)} MiB to N = ${params.scale.counts.join(', ')} targets at ${mbit} Mbit/s`,
    '',
    `One cluster of ${result.hosts} hosts (built in ${result.clusterSeconds.toFixed(1)} s), every link ${mbit} Mbit/s both ways with ${params.scale.queueMs} ms of queue (64 connections through one link need a few packets each), so S/B = ${bound.toFixed(1)} s; fanout alone, the targets emptied between runs. conns: established peer connections per agent (not SSH, not the tracker), read from /proc every second: max, the most any target held at once (a duplicate dial counts until it is closed); mean, each target's mean over the seconds it had peers, averaged over the targets; source conns, the most the source held at once (its fan-in). announces: answered by the tracker over the run (its own count, logged when it closes), and per second of the run. source sent: the source's link bytes over S. agents CPU: every agent's CPU seconds summed. orchestrator: the CLI's CPU seconds and peak RSS (GNU time); ssh: seconds from the CLI's first log line until its last host's SSH connection was up.`,
    '',
    '| N | seconds | × S/B | conns max | conns mean | source conns | announces | per s | source sent (× S) | agents CPU s | orchestrator CPU s | orchestrator RSS MiB | ssh s | load avg |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...result.rows.map((row) => scaleLine(row, bound)),
    '',
    `- ${goalLine(result.rows, bound)}`,
    ...result.rows
      .filter((r) => r.measurement.failed !== undefined)
      .map((r) => `- N=${r.measurement.targets} failed: ${r.measurement.failed}`),
    '',
  ]
}

function scaleLine({ measurement: m, connections: c, log }: ScaleRow, bound: number): string {
  const fixed = (value: number | undefined, digits: number) =>
    value === undefined ? 'n/a' : value.toFixed(digits)
  const agentsCpu =
    m.source === undefined || m.targetCpuTotal === undefined
      ? undefined
      : m.source.cpuSeconds + m.targetCpuTotal
  const announces = log.tracker?.announces
  return `| ${[
    m.targets,
    m.seconds.toFixed(1),
    `${(m.seconds / bound).toFixed(2)}x`,
    fixed(c?.targetMax, 0),
    fixed(c?.targetMean, 1),
    fixed(c?.source, 0),
    fixed(announces, 0),
    fixed(announces === undefined ? undefined : announces / m.seconds, 1),
    fixed(m.progress?.sourceUpload, 2),
    fixed(agentsCpu, 1),
    fixed(m.orchestrator?.cpuSeconds, 1),
    fixed(m.orchestrator === undefined ? undefined : m.orchestrator.maxRssBytes / MiB, 0),
    fixed(log.ssh?.lastSeconds, 2),
    fixed(m.loadAverage, 2),
  ].join(' | ')} |`
}

function goalLine(rows: readonly ScaleRow[], bound: number): string {
  const done = rows.map((r) => r.measurement).filter((m) => m.failed === undefined)
  const largest = done.reduce<(typeof done)[number] | undefined>(
    (best, m) => (best === undefined || m.targets > best.targets ? m : best),
    undefined,
  )
  const smallest = done.find((m) => m.targets === Math.min(...done.map((d) => d.targets)))
  if (largest === undefined || smallest === undefined) return 'Goal (issue 19): no run completed.'
  const ratio = largest.seconds / bound
  const verdict = ratio <= GOAL_RATIO ? 'met' : 'not met'
  return `Goal (issue 19): flat, T(${largest.targets}) / (S/B) ≤ ${GOAL_RATIO}: ${verdict} (${ratio.toFixed(2)}x, ${Math.abs((GOAL_RATIO - ratio) * bound).toFixed(1)} s ${ratio <= GOAL_RATIO ? 'to spare' : 'over'}; T(${largest.targets}) / T(${smallest.targets}) = ${(largest.seconds / smallest.seconds).toFixed(2)}).`
}
