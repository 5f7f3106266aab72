import type { Measurement } from './methods/measurement.js'
import type { UnevenRun } from './sections/uneven.js'
import { ownBoundSeconds, rate, type UnevenHost } from './sections/uneven-layouts.js'

const MiB = 2 ** 20
/** The goal: every target but the slowest within this factor of its own bound ... */
const GOAL_RATIO = 1.3
/** ... and fanout's ratio at most this factor of aria2c's for the same target. */
const GOAL_VS_ARIA2 = 1.1

/** The "Uneven links" part of the report: per layout, each target's time against its own bound. */
export function unevenSection(runs: readonly UnevenRun[]): string[] {
  const first = runs[0]
  if (first === undefined) return []
  return [
    `## Uneven links: ${(first.bytes / MiB).toFixed(0)} MiB to targets with unequal links`,
    '',
    `One cluster per layout; fanout and aria2c copy one random file of S = ${(first.bytes / MiB).toFixed(0)} MiB (\`--uneven-mib\`, by default the smaller of --mib and 64) to the same hosts, the targets emptied between runs. A target's **own bound** is S / min(its download rate, the source's upload rate): it receives no faster than its own link, and every byte must leave the source once, so this is a lower bound that no method reaches exactly. Times count from the start of the method, as the totals above: fanout's is when the target's copy landed (\`targets[].seconds\` in its \`--json\`, moved onto the suite's clock by the CLI's start-up), aria2c's when its \`--on-bt-download-complete\` hook ran (after making the torrent, as its totals). "whole run" is until every target held a verified copy, against the slowest target's bound.`,
    '',
    `Goal (issue 17): each target finishes near its own bound, taken as fanout ≤ ${GOAL_RATIO.toFixed(1)}× its own bound for every target but the slowest, and no more than ${((GOAL_VS_ARIA2 - 1) * 100).toFixed(0)}% above aria2c's ratio for the same target.`,
    '',
    ...runs.flatMap(layoutTable),
  ]
}

function layoutTable(run: UnevenRun): string[] {
  const { layout, bytes, rows } = run
  const methods = rows.map((r) => r.method)
  const bounds = layout.targets.map((t) => ownBoundSeconds(bytes, layout, t))
  const slowestBound = Math.max(...bounds)
  const targetRow = (t: UnevenHost, i: number) => {
    const bound = bounds[i] ?? Number.NaN
    const label = bound === slowestBound ? `${t.name} (slowest)` : t.name
    const cells = rows.flatMap((r) => timeCells(r, targetSeconds(r, t.name), bound))
    return `| ${label} | ${rate(t.downMbit)} | ${bound.toFixed(1)} | ${cells.join(' | ')} |`
  }
  const wholeCells = rows.flatMap((r) =>
    timeCells(r, r.failed === undefined ? r.seconds : undefined, slowestBound),
  )
  return [
    `### ${layout.name}: ${layout.description}`,
    '',
    `| target | down Mbit/s | own bound s | ${methods.map((m) => `${m} s | ${m} × bound`).join(' | ')} |`,
    `|---|---:|---:|${methods.map(() => '---:|---:').join('|')}|`,
    ...layout.targets.map(targetRow),
    `| whole run | | ${slowestBound.toFixed(1)} | ${wholeCells.join(' | ')} |`,
    '',
    `- ${goalLine(run, bounds, slowestBound)}`,
    ...rows.filter((r) => r.failed !== undefined).map((r) => `- ${r.method} failed: ${r.failed}`),
    '',
  ]
}

function targetSeconds(row: Measurement, target: string): number | undefined {
  return row.perTarget?.find((t) => t.target === target)?.seconds
}

function timeCells(row: Measurement, seconds: number | undefined, bound: number): string[] {
  if (seconds === undefined) return [row.failed === undefined ? 'n/a' : 'failed', '']
  return [seconds.toFixed(1), `${(seconds / bound).toFixed(2)}x`]
}

/** Whether fanout met the goal on this layout's fast targets, and by how much. */
function goalLine(run: UnevenRun, bounds: readonly number[], slowestBound: number): string {
  const fanout = run.rows.find((r) => r.method === 'fanout')
  const aria2 = run.rows.find((r) => r.method === 'aria2c')
  if (fanout === undefined || aria2 === undefined) return 'goal: not judged (needs both fanout and aria2c)'
  if (fanout.failed !== undefined || aria2.failed !== undefined) return 'goal: not judged (a run failed)'
  const fast = run.layout.targets.flatMap((t, i) => {
    const bound = bounds[i] ?? Number.NaN
    const own = targetSeconds(fanout, t.name)
    const theirs = targetSeconds(aria2, t.name)
    if (bound === slowestBound || own === undefined || theirs === undefined) return []
    return [{ name: t.name, ratio: own / bound, vsAria2: own / theirs }]
  })
  if (fast.length === 0) return 'goal: not judged (no per-target times)'
  const worst = fast.reduce((a, b) => (b.ratio > a.ratio ? b : a))
  const worstVs = fast.reduce((a, b) => (b.vsAria2 > a.vsAria2 ? b : a))
  const met = worst.ratio <= GOAL_RATIO && worstVs.vsAria2 <= GOAL_VS_ARIA2
  return [
    `goal ${met ? '**met**' : '**not met**'}:`,
    `worst fast target ${worst.name} at ${worst.ratio.toFixed(2)}x its bound (goal ≤ ${GOAL_RATIO.toFixed(2)}x, ${margin(worst.ratio, GOAL_RATIO)});`,
    `against aria2c, worst ${worstVs.name} with fanout's ratio ${worstVs.vsAria2.toFixed(2)}x aria2c's (goal ≤ ${GOAL_VS_ARIA2.toFixed(2)}x, ${margin(worstVs.vsAria2, GOAL_VS_ARIA2)}).`,
  ].join(' ')
}

/** `0.12 under` or `0.05 over`: how far a figure is from its limit. */
function margin(value: number, limit: number): string {
  const by = Math.abs(value - limit).toFixed(2)
  return value <= limit ? `${by} under` : `${by} over`
}
