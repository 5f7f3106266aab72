import type { Spread } from '../stream/stats.js'
import type { DatabaseSample } from './sample.js'

/**
 * The median and range of one figure over the runs that succeeded and have it, as bench/stream's
 * `spread` computes them (an even count takes the mean of the middle two); undefined if none has.
 */
export function spreadOf(
  samples: readonly DatabaseSample[],
  pick: (s: DatabaseSample) => number | undefined,
): Spread | undefined {
  const values = samples
    .filter((s) => s.failed === undefined)
    .map(pick)
    .filter((v): v is number => v !== undefined && Number.isFinite(v))
    .sort((a, b) => a - b)
  if (values.length === 0) return undefined
  const middle = (values.length - 1) / 2
  const median = ((values[Math.floor(middle)] ?? 0) + (values[Math.ceil(middle)] ?? 0)) / 2
  return { median, min: values[0] ?? median, max: values.at(-1) ?? median, count: values.length }
}
