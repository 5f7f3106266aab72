import { WRITER_FIRST_ID } from '../../test/helpers/mariadb-tables.js'
import { startWriter } from '../../test/helpers/mariadb-writer.js'
import type { DatabaseCase } from './cases.js'
import { type DatabaseBench, TARGET_DIR } from './database-bench.js'
import { type FanoutRun, runFanoutJson } from './fanout-json.js'
import { type DatabaseSample, sampleOf } from './sample.js'
import { WRITER_TABLE } from './seed-datadir.js'

/**
 * A hot backup of the running server to the case's targets while the writer writes: fanout
 * `--type xtrabackup --prepare` from the server's socket. Afterwards, untimed, every copy must say
 * it was prepared.
 */
export async function hotRun(
  bench: DatabaseBench,
  c: DatabaseCase,
  timeoutMs: number,
): Promise<DatabaseSample> {
  const db = bench.source.db
  // The writer numbers its rows from WRITER_FIRST_ID at every start: the last run's rows go first.
  await db.sql(`DELETE FROM ${WRITER_TABLE} WHERE id >= ${WRITER_FIRST_ID}`)
  const writer = startWriter(db, WRITER_TABLE, { maxMs: timeoutMs })
  const ends = [`h0:${db.socket}`, ...c.targets.map((t) => `${t}:${TARGET_DIR}`)]
  let run: FanoutRun
  let written: { rows: number } | Error
  try {
    run = await runFanoutJson(bench, [...c.flags, ...ends], timeoutMs)
  } finally {
    written = await writer.stop().catch((err: unknown) => asError(err))
  }
  const sample = sampleOf(run, run.summary?.backup?.bytes)
  if (written instanceof Error) sample.notes.push(`the writer stopped early: ${written.message}`)
  else sample.writerRows = written.rows
  if (sample.failed === undefined) {
    const started = performance.now()
    await checkPrepared(bench, c.targets)
    sample.checkSeconds = (performance.now() - started) / 1000
  }
  return sample
}

/** Every target's copy must be prepared: mariadb-backup --prepare marks it in xtrabackup_checkpoints. */
async function checkPrepared(bench: DatabaseBench, targets: readonly string[]): Promise<void> {
  const argv = [
    'grep',
    '-E',
    '^backup_type = (log-applied|full-prepared)$',
    `${TARGET_DIR}/xtrabackup_checkpoints`,
  ]
  const results = await Promise.all(targets.map((t) => bench.cluster.exec(t, argv)))
  const bad = targets.filter((_, i) => results[i]?.exitCode !== 0)
  if (bad.length > 0) throw new Error(`the copies on ${bad.join(', ')} are not prepared`)
}

function asError(err: unknown): Error {
  const cause = err instanceof Error ? err.cause : undefined
  return new Error(`${String(err)}${cause === undefined ? '' : `: ${String(cause).slice(0, 300)}`}`)
}
