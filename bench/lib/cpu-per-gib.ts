import type { Measurement } from '../methods/measurement.js'
import { spread } from '../stream/stats.js'

const GiB = 2 ** 30
/** The issue's goal: fanout's target CPU per GiB moved within this factor of aria2c's. */
const CPU_GOAL = 1.3

/**
 * CPU seconds of one role per GiB its hosts moved, where moved is what their links received plus
 * sent during the run (link counters, so protocol overhead counts as moved). Source: its CPU over
 * its own bytes; targets: all targets' CPU over all their bytes, so a target that relays more is
 * not compared with one that relays less. Undefined where a method has no usage or no counters.
 */
export function cpuPerGiBMoved(row: Measurement, role: 'source' | 'target'): number | undefined {
  const hosts = row.progress?.hostBytes.filter((h) => h.role === role) ?? []
  const cpuSeconds = role === 'source' ? row.source?.cpuSeconds : row.targetCpuTotal
  const moved = hosts.reduce((sum, h) => sum + h.received + h.sent, 0)
  if (cpuSeconds === undefined || moved === 0) return undefined
  return cpuSeconds / (moved / GiB)
}

/**
 * The issue's CPU goal at each N: fanout's target CPU per GiB moved against aria2c's in the same
 * run of the suite (the median over `--repeat` runs), met within 1.3x.
 */
export function cpuGoalLines(rows: readonly Measurement[]): string[] {
  const perN = (method: string, n: number) =>
    spread(
      rows.filter((r) => r.method === method && r.targets === n),
      (r) => cpuPerGiBMoved(r, 'target'),
    )?.median
  const counts = [...new Set(rows.map((r) => r.targets))].sort((a, b) => a - b)
  const cells = counts.flatMap((n) => {
    const [ours, theirs] = [perN('fanout', n), perN('aria2c', n)]
    if (ours === undefined || theirs === undefined) return []
    const ratio = ours / theirs
    return [
      `N=${n}: ${ours.toFixed(2)} against ${theirs.toFixed(2)} s/GiB, ${ratio.toFixed(2)}x, ${ratio <= CPU_GOAL ? `met (${(CPU_GOAL - ratio).toFixed(2)} under)` : `not met (${(ratio - CPU_GOAL).toFixed(2)} over)`}`,
    ]
  })
  if (cells.length === 0) return []
  return [
    `Goal (issue 17): fanout's target CPU per GiB moved ≤ ${CPU_GOAL}x aria2c's at the same N (fanout's s/GiB against aria2c's). ${cells.join('; ')}.`,
  ]
}
