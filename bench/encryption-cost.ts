/**
 * What the encrypted swarm costs: the same fan-out with and without --no-encrypt, side by side on
 * one cluster, alternating runs so the machine's noise hits both. Reports wall time and the agents'
 * CPU seconds (from fanout's --json usage).
 *
 *   npx tsx bench/encryption-cost.ts [--mib 256] [--targets 4] [--mbit 0 (unshaped)] [--rounds 2]
 */
import { parseArgs } from 'node:util'
import { createCluster } from '../test/helpers/cluster.js'
import { runFanout } from '../test/helpers/run-fanout.js'

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '256' },
    targets: { type: 'string', default: '4' },
    mbit: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '2' },
  },
})
const mib = Number(values.mib)
const n = Number(values.targets)
const mbit = Number(values.mbit)
const names = Array.from({ length: n + 1 }, (_, i) => `h${i}`)
const cluster = await createCluster(
  names.map((name) => ({ name, diskMiB: mib * 2 + 128, ...(mbit > 0 ? { rateMbit: mbit } : {}) })),
)
interface Sample {
  seconds: number
  cpu: number
}
const samples: Record<'encrypted' | 'clear', Sample[]> = { encrypted: [], clear: [] }
try {
  await cluster.exec('h0', ['sh', '-c', `head -c ${mib << 20} /dev/urandom > /srv/payload.bin`])
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const mode of ['encrypted', 'clear'] as const) {
      await Promise.all(names.slice(1).map((h) => cluster.exec(h, ['rm', '-f', '/srv/payload.bin'])))
      const flags = mode === 'clear' ? ['--no-encrypt'] : []
      const started = performance.now()
      const run = await runFanout(
        cluster,
        [...flags, '--json', 'h0:/srv/payload.bin', ...names.slice(1).map((h) => `${h}:/srv`)],
        900_000,
      )
      const seconds = (performance.now() - started) / 1000
      if (run.exitCode !== 0) throw new Error(`fanout failed: ${run.stderr}`)
      const usage = (JSON.parse(run.stdout) as { usage: { cpuSeconds: number }[] }).usage
      samples[mode].push({ seconds, cpu: usage.reduce((sum, u) => sum + u.cpuSeconds, 0) })
    }
  }
} finally {
  await cluster.destroy()
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const enc = {
  s: mean(samples.encrypted.map((x) => x.seconds)),
  cpu: mean(samples.encrypted.map((x) => x.cpu)),
}
const clr = { s: mean(samples.clear.map((x) => x.seconds)), cpu: mean(samples.clear.map((x) => x.cpu)) }
console.log(
  `${mib} MiB to ${n} targets, links ${mbit > 0 ? `${mbit} Mbit/s` : 'unshaped'}, ${values.rounds} rounds each`,
)
console.log('| mode | seconds (mean) | agent CPU s (sum, mean) |\n|---|---|---|')
console.log(`| encrypted | ${enc.s.toFixed(1)} | ${enc.cpu.toFixed(1)} |`)
console.log(`| --no-encrypt | ${clr.s.toFixed(1)} | ${clr.cpu.toFixed(1)} |`)
console.log(
  `throughput cost of encryption: ${((enc.s / clr.s - 1) * 100).toFixed(1)}% time, ${((enc.cpu / clr.cpu - 1) * 100).toFixed(1)}% CPU`,
)
