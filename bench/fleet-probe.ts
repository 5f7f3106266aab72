/**
 * One swarm run to N targets on shaped links, with every host's link counters sampled as it goes:
 * shows when the targets start passing pieces on, how much the source sends, and when each copy
 * landed. Quicker to read than the suite's scale section when trying a change to the swarm.
 *
 *   npx tsx bench/fleet-probe.ts [--targets 16] [--mib 8] [--mbit 2] [--queue-ms 2000] [--step 4]
 *                                [--cli dist/fanout.mjs]
 *
 * Columns: seconds since the CLI started, then per host MiB received/sent on its link so far.
 */
import { parseArgs } from 'node:util'
import { createCluster } from '../test/helpers/cluster.js'
import { runCommand } from '../test/helpers/run-command.js'
import { type Counters, readCounters, residentPids } from './lib/net-counters.js'

const MiB = 1 << 20

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '16' },
    mib: { type: 'string', default: '8' },
    mbit: { type: 'string', default: '2' },
    'queue-ms': { type: 'string' },
    step: { type: 'string', default: '4' },
    cli: { type: 'string', default: 'dist/fanout.mjs' },
  },
})
const targets = Number(values.targets)
const mib = Number(values.mib)
const mbit = Number(values.mbit)
const queue = values['queue-ms']
const names = ['h0', ...Array.from({ length: targets }, (_, i) => `h${i + 1}`)]

interface Summary {
  outcome: string
  targets: { seconds: number }[]
  usage: { cpuSeconds: number }[]
}

const cluster = await createCluster(
  names.map((name) => ({
    name,
    diskMiB: mib * 2 + 128,
    rateMbit: mbit,
    ...(queue === undefined ? {} : { queueMs: Number(queue) }),
  })),
)
try {
  const made = `mkdir -p /srv/src && head -c ${mib * MiB} /dev/urandom > /srv/src/payload`
  await cluster.exec('h0', ['sh', '-c', made])
  for (const host of names.slice(1)) await cluster.exec(host, ['mkdir', '-p', '/srv/dst'])
  const pids = await residentPids(cluster, names)
  const counters = () => Promise.all(names.map((host) => readCounters(pids.get(host) ?? 0, 'eth0')))
  const started = performance.now()
  const seconds = () => (performance.now() - started) / 1000
  const rows: string[] = []
  const sampler = setInterval(
    async () => rows.push(row(seconds(), await counters())),
    Number(values.step) * 1000,
  )
  const argv = ['node', values.cli, '--json', '--no-progress', '--transport', 'swarm']
  argv.push(
    '--ssh-config',
    cluster.sshConfigPath,
    'h0:/srv/src/payload',
    ...names.slice(1).map((h) => `${h}:/srv/dst`),
  )
  const { stdout, stderr } = await runCommand(cluster.adminArgv(argv), { timeoutMs: 30 * 60_000 })
  clearInterval(sampler)
  const took = seconds()
  console.log(`   t ${names.map((h) => `${h} rx/tx`.padStart(10)).join('')}`)
  console.log(rows.join('\n'))
  const summary = JSON.parse(stdout) as Summary
  const cpu = summary.usage.map((u) => u.cpuSeconds)
  const sourceSent = ((await counters())[0]?.tx ?? 0) / (mib * MiB)
  const bound = (mib * MiB * 8) / (mbit * 1e6)
  console.log(
    `${targets} targets, ${mib} MiB, ${mbit} Mbit/s: ${took.toFixed(1)} s (${(took / bound).toFixed(2)}x S/B), ${summary.outcome}`,
  )
  console.log(
    `source sent ${sourceSent.toFixed(3)} S; agents CPU ${sum(cpu).toFixed(1)} s (${cpu.map((c) => c.toFixed(1)).join(' ')})`,
  )
  console.log(`landed at ${summary.targets.map((t) => t.seconds.toFixed(0)).join(' ')} s`)
  if (summary.outcome !== 'ok') console.log(stderr.slice(-2000))
} finally {
  await cluster.destroy()
}

function row(at: number, all: Counters[]): string {
  const cell = (c: Counters) => `${(c.rx / MiB).toFixed(1)}/${(c.tx / MiB).toFixed(1)}`.padStart(10)
  return `${at.toFixed(0).padStart(4)} ${all.map(cell).join('')}`
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}
