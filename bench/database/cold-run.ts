import { basename, dirname } from 'node:path'
import { type MariaDb, startMariadb } from '../../test/helpers/mariadb.js'
import { treeDigest, verifyCopies } from '../lib/digest.js'
import type { DatabaseCase } from './cases.js'
import { type DatabaseBench, TARGET_DIR } from './database-bench.js'
import { runFanoutJson } from './fanout-json.js'
import { type DatabaseSample, sampleOf } from './sample.js'

/**
 * The cold copy: stops the server cleanly, copies its datadir with fanout `--type file` to the
 * case's targets, checks every copy against the stopped datadir's sha256 (untimed), and starts the
 * server again on its datadir. Here the server stays down for the check and the restart as well;
 * a user restarts it as soon as fanout exits, so the downtime the report gives is the copy's time.
 */
export async function coldRun(
  bench: DatabaseBench,
  c: DatabaseCase,
  timeoutMs: number,
): Promise<DatabaseSample> {
  const db = bench.source.db
  await db.stop()
  const copied = await copyStopped(bench, c, db, timeoutMs).catch(asError)
  const started = performance.now()
  const restarted = await startMariadb(bench.cluster, db.host, { datadir: db.datadir }).catch(asError)
  if (!(restarted instanceof Error)) bench.source.db = restarted
  if (copied instanceof Error) {
    const also = restarted instanceof Error ? `; restarting the server failed too: ${restarted.message}` : ''
    throw new Error(`${copied.message}${also}`)
  }
  if (restarted instanceof Error) throw new Error(`restarting the server failed: ${restarted.message}`)
  copied.restartSeconds = (performance.now() - started) / 1000
  return copied
}

async function copyStopped(
  bench: DatabaseBench,
  c: DatabaseCase,
  db: MariaDb,
  timeoutMs: number,
): Promise<DatabaseSample> {
  const ends = [`h0:${db.datadir}`, ...c.targets.map((t) => `${t}:${TARGET_DIR}`)]
  const run = await runFanoutJson(bench, [...c.flags, ...ends], timeoutMs)
  const sample = sampleOf(run, run.summary?.bytes)
  if (sample.failed === undefined) {
    const started = performance.now()
    const [dir, name] = [dirname(db.datadir), basename(db.datadir)]
    const expected = await treeDigest(bench.cluster, db.host, dir, name)
    await verifyCopies(bench.cluster, c.targets, TARGET_DIR, name, expected)
    sample.checkSeconds = (performance.now() - started) / 1000
  }
  return sample
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}
