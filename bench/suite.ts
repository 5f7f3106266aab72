/**
 * The benchmark suite: fanout against the tools users have today, on the virtual cluster.
 *
 *   npx tsx bench/suite.ts [--quick] [--mib 256] [--mbit 100] [--sections file,tree,wan,uneven] [--out FILE]
 *
 * Every host is shaped to B (--mbit) both ways and the payload is S (--mib) of random data. For
 * N targets it measures the wall time until every target holds a verified copy, its ratio to the
 * lower bound S/B, and CPU and peak RSS per host, for: fanout; tar | nc one target after another
 * (with and without pigz), as transfer.py does; tar | nc to all targets at once; aria2c with a
 * private torrent. Then a 20,000-file tree, two data centres joined by a delayed 200 Mbit/s WAN, and
 * fanout and aria2c to targets with unequal links, each target against its own bound; with
 * `--sections scale`, fanout alone to up to 64 targets on slow links (connections, tracker load).
 * Writes bench/RESULTS.md (bench/RESULTS.quick.md with --quick). Full run: about 40 minutes.
 *
 * --quick is the CI smoke test: 32 MiB, N = 1, 2, 4, each method once, the file section only; < 3 min.
 *
 * Needs root, `npm run build` and `bash scripts/bench-deps.sh`. Every cluster is destroyed at the
 * end of its part, also on failure; see bench/README.md.
 */
import { writeFile } from 'node:fs/promises'
import { say } from './lib/copy-run.js'
import { snapshotDist } from './lib/snapshot-dist.js'
import { machineLines } from './machine.js'
import { parseSuiteArgs } from './options.js'
import { renderReport } from './report.js'
import { runScale } from './sections/scale.js'
import { runSingleBridge } from './sections/single-bridge.js'
import { runTwoDc } from './sections/two-dc.js'
import { runUneven } from './sections/uneven.js'

const started = performance.now()
const date = new Date().toISOString()
const snapshot = await snapshotDist()
try {
  const params = { ...parseSuiteArgs(process.argv.slice(2)), cli: snapshot.cli }
  const machine = await machineLines(params.cli)
  const onBridge = params.sections.includes('file') || params.sections.includes('tree')
  const single = onBridge ? await runSingleBridge(params) : { file: [], tree: [] }
  const twoDc = params.sections.includes('wan') ? await runTwoDc(params) : undefined
  const uneven = params.sections.includes('uneven') ? await runUneven(params) : []
  const scale = params.sections.includes('scale') ? await runScale(params) : undefined
  const info = {
    date,
    command: ['npx tsx bench/suite.ts', ...process.argv.slice(2)].join(' '),
    machine,
    seconds: (performance.now() - started) / 1000,
  }
  await writeFile(params.out, renderReport(info, params, { single, twoDc, uneven, scale }))
  say(`done in ${(info.seconds / 60).toFixed(1)} min; report: ${params.out}`)
} finally {
  await snapshot.dispose()
}
