import { runTimeoutMs, say } from '../lib/copy-run.js'
import { noiseNow } from '../stream/noise.js'
import type { DatabaseCase } from './cases.js'
import { coldRun } from './cold-run.js'
import { type DatabaseBench, TARGET_DIR, TARGETS } from './database-bench.js'
import { hotRun } from './hot-run.js'
import { type DatabaseSample, failedSample } from './sample.js'

/**
 * Runs one case on emptied targets and empties them again afterwards, so tmpfs memory is free for
 * the next run. A failure becomes a sample saying why: one broken case must not cost the others.
 */
export async function runCase(bench: DatabaseBench, c: DatabaseCase): Promise<DatabaseSample> {
  await resetTargets(bench)
  const timeoutMs = runTimeoutMs(bench.seeded.bytes, bench.linkBytesPerSecond, c.serialCopies)
  const started = performance.now()
  let sample: DatabaseSample
  try {
    sample = c.kind === 'hot' ? await hotRun(bench, c, timeoutMs) : await coldRun(bench, c, timeoutMs)
  } catch (err) {
    sample = failedSample((performance.now() - started) / 1000, String(err))
  }
  sample.noise = await noiseNow(bench.cluster.id)
  await resetTargets(bench)
  const cpu = sample.sourceCpu === undefined ? '' : `, CPU source ${sample.sourceCpu.toFixed(1)} s`
  say(
    `${c.id} ${c.label}: ${sample.seconds.toFixed(1)} s${cpu}${sample.failed ? ` FAILED: ${sample.failed}` : ''}`,
  )
  return sample
}

/**
 * Runs every case `rounds` times, reversing the order each round so that whatever else the machine
 * does at a time hits every case alike. Returns the samples in `cases` order, one per round each;
 * `afterRound` gets them so far after every round (to rewrite the report: a run that dies late
 * still leaves the rounds it finished).
 */
export async function runRounds(
  bench: DatabaseBench,
  cases: readonly DatabaseCase[],
  rounds: number,
  afterRound: (samples: DatabaseSample[][]) => Promise<void>,
): Promise<DatabaseSample[][]> {
  const samples: DatabaseSample[][] = cases.map(() => [])
  for (let round = 0; round < rounds; round++) {
    const order = cases.map((_, i) => i)
    if (round % 2 === 1) order.reverse()
    for (const i of order) {
      const c = cases[i]
      if (c !== undefined) samples[i]?.push(await runCase(bench, c))
    }
    await afterRound(samples)
  }
  return samples
}

/** Empties every target's landing directory, fanout's staging directories included. */
async function resetTargets(bench: DatabaseBench): Promise<void> {
  const script = `rm -rf ${TARGET_DIR} && mkdir -p ${TARGET_DIR}`
  const results = await Promise.all(TARGETS.map((t) => bench.cluster.exec(t, ['sh', '-c', script])))
  const bad = results.find((r) => r.exitCode !== 0)
  if (bad !== undefined) throw new Error(`emptying ${TARGET_DIR} failed: ${bad.stderr}`)
}
