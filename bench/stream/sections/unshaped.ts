import { availableParallelism } from 'node:os'
import { FIXED_MIB, fixedCostRuns, fixedSeconds } from '../fixed-cost.js'
import { noiseLine } from '../noise.js'
import type { StreamParams } from '../options.js'
import { randomPayload, withPair } from '../pair.js'
import type { SectionReport } from '../section-report.js'
import { column, failures, spread, table, transports, verdict } from '../stats.js'
import { runRounds, type Sample, type Variant } from '../variant.js'

const GOAL = 0.9

const VARIANTS: readonly Variant[] = [
  { label: 'tar|nc', kind: 'pipe', pigz: false },
  { label: 'fanout --no-compress', kind: 'fanout', flags: ['--no-compress'] },
  { label: 'fanout --no-compress --no-encrypt', kind: 'fanout', flags: ['--no-compress', '--no-encrypt'] },
  {
    label: 'fanout --transport swarm --no-compress',
    kind: 'fanout',
    flags: ['--transport', 'swarm', '--no-compress'],
  },
]

/** The runs of one section, and what the table needs to turn them into rates. */
interface Measured {
  samples: Sample[][]
  fixed: Sample[][]
  mib: number
}

/** One target, no shaping: throughput and CPU per GiB, where the machine's cores are the limit. */
export async function unshapedSection(params: StreamParams): Promise<SectionReport> {
  const mib = params.unshapedMib
  return withPair(params.cli, undefined, mib * 2 + 128, async (pair) => {
    const payload = await randomPayload(pair, 'payload', mib)
    const samples = await runRounds(pair, payload, VARIANTS, params.rounds)
    await pair.cluster.exec('h0', ['rm', '-f', `/srv/src/${payload.name}`])
    const measured = { samples, fixed: await fixedCostRuns(pair, VARIANTS, params.rounds), mib }
    const lines = [
      `${payload.title}; no shaping. All hosts are namespaces on one machine and share its ${availableParallelism()} cores, ` +
        'so these figures are CPU-bound: they show what each method costs per byte, not what a real network would carry. ' +
        "CPU is the source's and the target's processes together (fanout: both agents, from `usage` in its --json summary, " +
        'without the ssh/sshd control channel and without the orchestrator; tar|nc: GNU time around each end of the pipe). ' +
        `"MiB/s beyond start-up" leaves out each method's fixed cost: (S − ${FIXED_MIB} MiB) / (its median time − its median time on ${FIXED_MIB} MiB).`,
      '',
      ...unshapedTable(measured),
      '',
      noiseLine(samples.flat().map((s) => s.noise)),
      ...VARIANTS.flatMap((v, i) => failures(v.label, samples[i] ?? [])),
      ...VARIANTS.flatMap((v, i) => failures(`${v.label} (${FIXED_MIB} MiB)`, measured.fixed[i] ?? [])),
    ]
    return { title: `Unshaped: one target, ${mib} MiB`, lines, goals: goalLines(measured) }
  })
}

function rate(m: Measured): (s: Sample) => number {
  return (s) => m.mib / s.seconds
}

/** MiB/s once a method's fixed cost is paid: from its median times on S and on 1 MiB. */
function beyondStartup(m: Measured, i: number): number | undefined {
  const time = spread(m.samples[i] ?? [], (s) => s.seconds)?.median
  const start = fixedSeconds(m.fixed, i)
  if (time === undefined || start === undefined || time <= start) return undefined
  return (m.mib - FIXED_MIB) / (time - start)
}

function share(value: number | undefined, of: number | undefined): string {
  return value === undefined || of === undefined ? 'n/a' : `${((value / of) * 100).toFixed(0)}%`
}

function unshapedTable(m: Measured): string[] {
  const pipeRate = spread(m.samples[0] ?? [], rate(m))?.median
  const pipeBeyond = beyondStartup(m, 0)
  const gib = m.mib / 1024
  const rows = VARIANTS.map((v, i) => {
    const runs = m.samples[i] ?? []
    const beyond = beyondStartup(m, i)
    return [
      `\`${v.label}\``,
      column(runs, (s) => s.seconds),
      column(runs, rate(m), 0),
      share(spread(runs, rate(m))?.median, pipeRate),
      column(m.fixed[i] ?? [], (s) => s.seconds, 2),
      beyond === undefined ? 'n/a' : `${beyond.toFixed(0)} (${share(beyond, pipeBeyond)})`,
      column(runs, (s) => (s.cpuSeconds === undefined ? undefined : s.cpuSeconds / gib)),
      transports(runs),
    ]
  })
  const header = ['method', 'time s', 'MiB/s', 'of tar|nc', `time on ${FIXED_MIB} MiB`]
  return table([...header, 'MiB/s beyond start-up (of tar|nc)', 'CPU s per GiB', 'transport'], rows)
}

/** The stream, encrypted and not, must carry at least 90% of what tar | nc does. */
function goalLines(m: Measured): string[] {
  const pipeRate = spread(m.samples[0] ?? [], rate(m))?.median
  const pipeBeyond = beyondStartup(m, 0)
  return [1, 2].map((i) => {
    const goal = `- unshaped, ${VARIANTS[i]?.label ?? ''} >= ${GOAL * 100}% of tar|nc throughput:`
    const median = spread(m.samples[i] ?? [], rate(m))?.median
    if (median === undefined || pipeRate === undefined) return `${goal} **no successful run**`
    const part = median / pipeRate
    const by = `${Math.abs((part - GOAL) * 100).toFixed(0)} points ${part >= GOAL ? 'over' : 'under'} the goal`
    const beyond = `beyond start-up ${share(beyondStartup(m, i), pipeBeyond)}`
    return `${goal} ${verdict(part >= GOAL)}, ${(part * 100).toFixed(0)}% (${median.toFixed(0)} vs ${pipeRate.toFixed(0)} MiB/s; ${by}; ${beyond})`
  })
}
