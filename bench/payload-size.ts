/**
 * Whether cost stays flat as the payload grows: the same fan-out of 256 MiB and of 2 GiB on one
 * cluster, side by side. Reports time / (S/B), the time until the first target has 1 MiB (command
 * start to first byte, source hashing included), and every agent's peak RSS.
 *
 *   npx tsx bench/payload-size.ts [--sizes 256,2048] [--targets 2] [--mbit 100]
 */
import { parseArgs } from 'node:util'
import { createCluster } from '../test/helpers/cluster.js'
import { runFanout } from '../test/helpers/run-fanout.js'
import { type Sample, startSampler } from './lib/sampler.js'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '256,2048' },
    targets: { type: 'string', default: '2' },
    mbit: { type: 'string', default: '100' },
  },
})
const sizes = values.sizes.split(',').map(Number)
const mbit = Number(values.mbit)
const largest = Math.max(...sizes)
const names = Array.from({ length: Number(values.targets) + 1 }, (_, i) => `h${i}`)
const targets = names.slice(1)
// Preflight wants the payload + 2% + 64 MiB free on every target.
const cluster = await createCluster(
  names.map((name) => ({ name, diskMiB: Math.ceil(largest * 1.03) + 128, rateMbit: mbit })),
)
interface Usage {
  role: string
  maxRssBytes: number
}
try {
  console.log(`| S | seconds | time / (S/B) | first byte at a target, s | agents' peak RSS, MiB |`)
  console.log('|---:|---:|---:|---:|---|')
  for (const mib of sizes) {
    await cluster.exec('h0', ['sh', '-c', `head -c ${mib * 2 ** 20} /dev/urandom > /srv/payload.bin`])
    const sampler = await startSampler(cluster, targets)
    const started = performance.now()
    const run = await runFanout(
      cluster,
      ['--json', '--no-progress', 'h0:/srv/payload.bin', ...targets.map((h) => `${h}:/srv`)],
      3_600_000,
    )
    const seconds = (performance.now() - started) / 1000
    const samples = await sampler.stop()
    if (run.exitCode !== 0) throw new Error(`fanout failed: ${run.stderr}`)
    const usage = (JSON.parse(run.stdout) as { usage: Usage[] }).usage
    const bound = (mib * 2 ** 20 * 8) / (mbit * 1e6)
    const rss = usage.map((u) => `${u.role} ${Math.round(u.maxRssBytes / 2 ** 20)}`).join(', ')
    console.log(
      `| ${mib} MiB | ${seconds.toFixed(1)} | ${(seconds / bound).toFixed(2)}x | ${firstByte(samples).toFixed(1)} | ${rss} |`,
    )
    await Promise.all(names.map((h) => cluster.exec(h, ['rm', '-f', '/srv/payload.bin'])))
  }
} finally {
  await cluster.destroy()
}

/** Seconds until some target had received 1 MiB more than at the start. */
function firstByte(samples: readonly Sample[]): number {
  const first = samples[0]
  if (first === undefined) return Number.NaN
  const grew = samples.find((s) =>
    targets.some((h) => (s.hosts.get(h)?.rx ?? 0) - (first.hosts.get(h)?.rx ?? 0) > 2 ** 20),
  )
  return grew?.t ?? Number.NaN
}
