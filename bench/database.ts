/**
 * Copies of a live MariaDB server (issue 16's speed section), in one run:
 *
 *   npx tsx bench/database.ts [--datadir-mib 1024] [--rounds 2] [--mbit 100] [--out bench/RESULTS-database.md]
 *
 * A: fanout --type xtrabackup --prepare from the server's socket to 1 target and to 4 (the swarm),
 * B: the same with --transport stream to 4 (a fresh backup per target, in turn: transfer.py's way),
 * C: the server stopped and its datadir copied with --type file to 4, then started again.
 * A writer commits during every hot backup. Goal: A to 4 targets within 1.3× the time of A to 1.
 *
 * Needs root, MariaDB (scripts/ci-deps.sh) and a build (`npm run build`). Runs a snapshot of dist/;
 * the cluster is destroyed at the end, also on failure.
 */
import { writeFile } from 'node:fs/promises'
import { CASES } from './database/cases.js'
import { withDatabaseBench } from './database/database-bench.js'
import { parseDatabaseArgs } from './database/options.js'
import { renderDatabaseReport } from './database/render.js'
import { runRounds } from './database/run-case.js'
import { snapshotCli } from './database/snapshot-cli.js'
import { say } from './lib/copy-run.js'
import { machineLines } from './machine.js'

const started = performance.now()
const date = new Date().toISOString()
const snapshot = await snapshotCli()
try {
  const params = { ...parseDatabaseArgs(process.argv.slice(2)), cli: snapshot.cli }
  const machine = await machineLines(params.cli)
  const command = ['npx tsx bench/database.ts', ...process.argv.slice(2)].join(' ')
  await withDatabaseBench(params, async (bench) => {
    const facts = {
      datadirBytes: bench.seeded.bytes,
      bulkTables: bench.seeded.tables.length,
      gzipRatio: bench.gzipRatio,
      serverVersion: (await bench.source.db.sql('SELECT VERSION()')).trim(),
      diskMiB: bench.diskMiB,
    }
    await runRounds(bench, CASES, params.rounds, async (samples) => {
      const info = { command, date, machine, seconds: (performance.now() - started) / 1000 }
      await writeFile(params.out, renderDatabaseReport(info, params, facts, samples))
    })
  })
  say(`done in ${((performance.now() - started) / 60_000).toFixed(1)} min; report: ${params.out}`)
} finally {
  await snapshot.dispose()
}
