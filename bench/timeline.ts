/**
 * Each host's link rates over a run, from the samples that `FANOUT_BENCH_SAMPLES=FILE` keeps: one
 * row per interval, `down/up` per host as shares of B. Shows where a run lost time: a late start,
 * targets below B while the source still sends, or a tail after the source has stopped.
 *
 *   FANOUT_BENCH_SAMPLES=/tmp/s.jsonl npx tsx bench/suite.ts --sections file --methods fanout --counts 8
 *   npx tsx bench/timeline.ts /tmp/s.jsonl [--mbit 100] [--step 2]
 *
 * The file gets one line per sample and every fanout run appends to it; `t` restarts at 0 with each run.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface Row {
  t: number
  hosts: Record<string, { rx: number; tx: number }>
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { mbit: { type: 'string', default: '100' }, step: { type: 'string', default: '2' } },
})
const file = positionals[0]
if (file === undefined) throw new Error('usage: bench/timeline.ts SAMPLES.jsonl [--mbit N] [--step S]')
const linkBytesPerSecond = (Number(values.mbit) * 1e6) / 8
const step = Number(values.step)
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Row)

let previous: Row | undefined
for (const [i, row] of rows.entries()) {
  if (previous === undefined || row.t < previous.t) {
    previous = row
    console.log(
      `\n${'t s'.padStart(6)}${Object.keys(row.hosts)
        .map((h) => h.padStart(12))
        .join('')}`,
    )
    continue
  }
  const seconds = row.t - previous.t
  const lastOfRun = (rows[i + 1]?.t ?? -1) < row.t
  if (seconds < step && !lastOfRun) continue
  const from = previous
  const cells = Object.entries(row.hosts).map(([host, now]) => {
    const before = from.hosts[host] ?? now
    const share = (bytes: number) => (bytes / seconds / linkBytesPerSecond).toFixed(2)
    return `${share(now.rx - before.rx)}/${share(now.tx - before.tx)}`.padStart(12)
  })
  console.log(`${row.t.toFixed(1).padStart(6)}${cells.join('')}`)
  previous = row
}
