/**
 * Whether `--bwlimit RATE` holds: a fan-out to two targets on links faster than the cap, sampling
 * every host's link counters. Reports, per host, the highest upload and download rate over any
 * 2-second window and the mean download rate of the targets while they were receiving, as shares of
 * the cap. Link counters include TCP/IP and TLS framing (~5% at this MTU), which the cap (on
 * payload bytes) does not see; the report gives the figure both raw and without that overhead.
 *
 *   npx tsx bench/bwlimit.ts [--mib 96] [--mbit 100] [--cap-mbit 40] [--targets 2]
 */
import { parseArgs } from 'node:util'
import { createCluster } from '../test/helpers/cluster.js'
import { runFanout } from '../test/helpers/run-fanout.js'
import { type Sample, startSampler } from './lib/sampler.js'

/** TCP/IP headers per 1500-byte frame with timestamps (66 of 1514 on the wire), plus TLS records. */
const FRAMING = 1.05
const WINDOW_S = 2

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '96' },
    mbit: { type: 'string', default: '100' },
    'cap-mbit': { type: 'string', default: '40' },
    targets: { type: 'string', default: '2' },
  },
})
const mib = Number(values.mib)
const capBytes = (Number(values['cap-mbit']) * 1e6) / 8
const names = Array.from({ length: Number(values.targets) + 1 }, (_, i) => `h${i}`)
const cluster = await createCluster(
  names.map((name) => ({ name, diskMiB: mib * 2 + 128, rateMbit: Number(values.mbit) })),
)
try {
  await cluster.exec('h0', ['sh', '-c', `head -c ${mib << 20} /dev/urandom > /srv/payload.bin`])
  const sampler = await startSampler(cluster, names)
  const run = await runFanout(
    cluster,
    [
      '--no-progress',
      '--bwlimit',
      `${values['cap-mbit']}Mbit`,
      'h0:/srv/payload.bin',
      ...names.slice(1).map((h) => `${h}:/srv`),
    ],
    900_000,
  )
  const samples = await sampler.stop()
  if (run.exitCode !== 0) throw new Error(`fanout failed: ${run.stderr}`)
  console.log(
    `cap ${values['cap-mbit']} Mbit/s on links of ${values.mbit} Mbit/s, ${mib} MiB to ${names.length - 1} targets`,
  )
  console.log('| host | peak up (2 s) | peak down (2 s) | mean down while receiving |')
  console.log('|---|---:|---:|---:|')
  for (const host of names) {
    const up = peakRate(samples, host, 'tx')
    const down = peakRate(samples, host, 'rx')
    const mean = host === 'h0' ? '' : share(meanReceiving(samples, host, mib << 20))
    console.log(`| ${host} | ${share(up)} | ${share(down)} | ${mean} |`)
  }
} finally {
  await cluster.destroy()
}

function share(bytesPerSecond: number): string {
  const raw = bytesPerSecond / capBytes
  return `${raw.toFixed(3)}x cap (${(raw / FRAMING).toFixed(3)}x without framing)`
}

function counter(sample: Sample, host: string, field: 'rx' | 'tx'): number {
  return sample.hosts.get(host)?.[field] ?? 0
}

function peakRate(samples: readonly Sample[], host: string, field: 'rx' | 'tx'): number {
  let peak = 0
  let j = 0
  for (let i = 0; i < samples.length; i++) {
    const end = samples[i]
    while (end !== undefined && j < i && end.t - (samples[j]?.t ?? 0) > WINDOW_S) j++
    const start = samples[j]
    if (end === undefined || start === undefined || end.t - start.t < WINDOW_S * 0.9) continue
    peak = Math.max(peak, (counter(end, host, field) - counter(start, host, field)) / (end.t - start.t))
  }
  return peak
}

/** From 2% to 98% of the payload received: the part of the run where the cap is what limits. */
function meanReceiving(samples: readonly Sample[], host: string, bytes: number): number {
  const first = samples[0]
  if (first === undefined) return 0
  const base = counter(first, host, 'rx')
  const at = (share: number) => samples.find((s) => counter(s, host, 'rx') - base >= share * bytes)
  const from = at(0.02)
  const to = at(0.98)
  if (from === undefined || to === undefined || to.t <= from.t) return 0
  return (counter(to, host, 'rx') - counter(from, host, 'rx')) / (to.t - from.t)
}
