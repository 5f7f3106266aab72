/**
 * fanout's stream transport (one target) side by side with tar | nc, in one run:
 *
 *   npx tsx bench/stream.ts [--mib 256] [--mbit 100] [--unshaped-mib 1024] [--rounds 2]
 *       [--sections shaped,unshaped,compress,checksum] [--out bench/RESULTS-stream.md]
 *
 * shaped: time over S/B at B, fanout --no-compress (with and without the checksum) against tar | nc.
 * unshaped: throughput and CPU per GiB of tar | nc, the stream encrypted and not, and the swarm.
 * compress: --no-compress, gzip and zstd on a compressible tree and on random data, at B.
 * checksum: --checksum against --no-checksum, at B and unshaped.
 *
 * Needs root, a build (`node scripts/build.mjs`) and `bash scripts/bench-deps.sh`. Runs a snapshot
 * of dist/; every cluster is destroyed at the end of its section, also on failure. The report is
 * rewritten after every section, so a run that dies late still leaves the parts it finished.
 */
import { writeFile } from 'node:fs/promises'
import { say } from './lib/copy-run.js'
import { snapshotDist } from './lib/snapshot-dist.js'
import { machineLines } from './machine.js'
import { parseStreamArgs } from './stream/options.js'
import { renderStreamReport } from './stream/render.js'
import { runSection } from './stream/run-section.js'
import type { SectionReport } from './stream/section-report.js'

const started = performance.now()
const date = new Date().toISOString()
const snapshot = await snapshotDist()
try {
  const params = { ...parseStreamArgs(process.argv.slice(2)), cli: snapshot.cli }
  const machine = await machineLines(params.cli)
  const command = ['npx tsx bench/stream.ts', ...process.argv.slice(2)].join(' ')
  const sections: SectionReport[] = []
  for (const name of params.sections) {
    sections.push(await runSection(name, params))
    const info = { command, date, machine, seconds: (performance.now() - started) / 1000 }
    await writeFile(params.out, renderStreamReport(info, params, sections))
  }
  say(`done in ${((performance.now() - started) / 60_000).toFixed(1)} min; report: ${params.out}`)
} finally {
  await snapshot.dispose()
}
