/**
 * Fan-out to N targets against one copy to a single target, on one virtual cluster where every host
 * is shaped to the same link rate. Prints seconds and the ratio to the lower bound S/B for each run.
 *
 *   npx tsx bench/fanout-vs-single.ts [--mib 128] [--mbit 100] [--targets 4]
 *
 * Needs root (network namespaces, tc). The ratio is what to quote: both runs share the machine's
 * noise, so compare them to each other, not to another day's numbers.
 */
import { parseArgs } from 'node:util'
import { createCluster } from '../test/helpers/cluster.js'
import { runFanout } from '../test/helpers/run-fanout.js'

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '128' },
    mbit: { type: 'string', default: '100' },
    targets: { type: 'string', default: '4' },
  },
})
const mib = Number(values.mib)
const mbit = Number(values.mbit)
const n = Number(values.targets)
const bound = (mib * 2 ** 20 * 8) / (mbit * 1e6)

const names = Array.from({ length: n + 1 }, (_, i) => `h${i}`)
const cluster = await createCluster(names.map((name) => ({ name, diskMiB: mib * 2 + 128, rateMbit: mbit })))
try {
  const made = await cluster.exec('h0', ['sh', '-c', `head -c ${mib << 20} /dev/urandom > /srv/payload.bin`])
  if (made.exitCode !== 0) throw new Error(made.stderr)
  const rows: string[] = []
  for (const targets of [names.slice(1, 2), names.slice(1)]) {
    await Promise.all(targets.map((h) => cluster.exec(h, ['rm', '-f', '/srv/payload.bin'])))
    const started = performance.now()
    const run = await runFanout(
      cluster,
      ['--no-progress', 'h0:/srv/payload.bin', ...targets.map((h) => `${h}:/srv`)],
      900_000,
    )
    const seconds = (performance.now() - started) / 1000
    if (run.exitCode !== 0) throw new Error(`fanout failed (${run.exitCode}): ${run.stderr}${run.stdout}`)
    rows.push(`| ${targets.length} | ${seconds.toFixed(1)} | ${(seconds / bound).toFixed(2)}x |`)
  }
  console.log(`payload ${mib} MiB random, every host shaped to ${mbit} Mbit/s, S/B = ${bound.toFixed(1)} s`)
  console.log('| targets | seconds | time / (S/B) |\n|---|---|---|')
  for (const row of rows) console.log(row)
} finally {
  await cluster.destroy()
}
