import { type Pair, randomPayload } from './pair.js'
import { spread } from './stats.js'
import { runRounds, type Sample, type Variant } from './variant.js'

/** 1 MiB: where S/B is small at any B, so the time is what a run costs besides moving S. */
export const FIXED_MIB = 1

/**
 * Runs `variants` on a 1 MiB file: fanout's SSH logins, agent shipping and checks are paid once per
 * run, whatever S is, and these runs show how much of a larger run's time they take.
 */
export async function fixedCostRuns(
  pair: Pair,
  variants: readonly Variant[],
  rounds: number,
): Promise<Sample[][]> {
  const small = await randomPayload(pair, 'small', FIXED_MIB)
  const samples = await runRounds(pair, small, variants, rounds)
  await pair.cluster.exec('h0', ['rm', '-f', `/srv/src/${small.name}`])
  return samples
}

/** The median time of the 1 MiB runs of variant `i`. */
export function fixedSeconds(samples: Sample[][], i: number): number | undefined {
  return spread(samples[i] ?? [], (s) => s.seconds)?.median
}
