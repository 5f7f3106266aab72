import { loadavg } from 'node:os'
import type { CopyJob, Measurement } from '../methods/measurement.js'
import { resetTargets } from '../payload.js'
import { verifyCopies } from './digest.js'

/** Progress lines on stderr, so a 40-minute run shows where it is. */
export function say(message: string): void {
  const clock = new Date().toISOString().slice(11, 19)
  console.error(`[bench ${clock}] ${message}`)
}

/**
 * Runs one method on clean targets, then checks every copy against the source digest (untimed,
 * reported apart), and empties the targets again so tmpfs memory is free for the next run.
 */
export async function copyRun(
  job: CopyJob,
  digest: string,
  method: string,
  run: (job: CopyJob) => Promise<Measurement | Measurement[]>,
): Promise<Measurement[]> {
  await resetTargets(job.cluster, job.targets)
  const started = performance.now()
  let rows: Measurement[]
  try {
    const result = await run(job)
    rows = Array.isArray(result) ? result : [result]
    if (rows.every((r) => r.failed === undefined)) {
      const verifySeconds = await verifyCopies(job.cluster, job.targets, job.targetDir, job.name, digest)
      const last = rows.at(-1)
      if (last !== undefined) last.verifySeconds = verifySeconds
    }
  } catch (err) {
    // One method failing must not cost the rest of a 40-minute suite: it becomes a row saying why.
    const seconds = (performance.now() - started) / 1000
    rows = [{ method, targets: job.targets.length, seconds, failed: String(err).slice(0, 600) }]
  }
  const [loadAverage = 0] = loadavg()
  for (const row of rows) row.loadAverage ??= loadAverage
  await resetTargets(job.cluster, job.targets)
  for (const row of rows)
    say(
      `${row.method} N=${row.targets}: ${row.seconds.toFixed(1)} s${row.failed ? ` FAILED: ${row.failed}` : ''}`,
    )
  return rows
}

/** A generous bound for one run of `copies` sequential copies of S at rate B: a hung run fails, a slow one does not. */
export function runTimeoutMs(bytes: number, linkBytesPerSecond: number, copies: number): number {
  return 120_000 + Math.ceil((bytes / linkBytesPerSecond) * 1000 * copies * 4)
}
