import { FIXED_MIB, fixedCostRuns, fixedSeconds } from '../fixed-cost.js'
import { noiseLine } from '../noise.js'
import type { StreamParams } from '../options.js'
import { randomPayload, withPair } from '../pair.js'
import type { SectionReport } from '../section-report.js'
import { column, failures, spread, table, transports, verdict } from '../stats.js'
import { runRounds, type Sample, type Variant } from '../variant.js'

const GOAL = 1.08

const VARIANTS: readonly Variant[] = [
  { label: 'tar|nc', kind: 'pipe', pigz: false },
  { label: 'fanout --no-compress', kind: 'fanout', flags: ['--no-compress'] },
  { label: 'fanout --no-compress --no-checksum', kind: 'fanout', flags: ['--no-compress', '--no-checksum'] },
]

/**
 * One target over a link of B: the stream (encrypted, checksum on, no compression) against
 * tar | nc between the same two hosts, as time over S/B.
 */
export async function shapedSection(params: StreamParams): Promise<SectionReport> {
  return withPair(params.cli, params.mbit, params.mib * 2 + 128, async (pair) => {
    const payload = await randomPayload(pair, 'payload', params.mib)
    const samples = await runRounds(pair, payload, VARIANTS, params.rounds)
    const fixed = await fixedCostRuns(pair, VARIANTS.slice(0, 2), params.rounds)
    const bound = (payload.bytes * 8) / (params.mbit * 1e6)
    const lines = [
      `${payload.title}; both hosts shaped to ${params.mbit} Mbit/s each way, so S/B = ${bound.toFixed(1)} s. ` +
        'fanout runs with its defaults otherwise: transport auto (the stream to one target), TLS-PSK encryption, read-back checksum.',
      '',
      ...shapedTable(samples, bound),
      '',
      ...checksumCost(samples, bound),
      ...fixedLine(fixed),
      '',
      noiseLine(samples.flat().map((s) => s.noise)),
      ...VARIANTS.flatMap((v, i) => failures(v.label, samples[i] ?? [])),
    ]
    return {
      title: `Shaped: one target at ${params.mbit} Mbit/s`,
      lines,
      goals: goalLines(samples, fixed, bound),
    }
  })
}

function shapedTable(samples: Sample[][], bound: number): string[] {
  const rows = VARIANTS.map((v, i) => {
    const runs = samples[i] ?? []
    return [
      `\`${v.label}\``,
      column(runs, (s) => s.seconds),
      column(runs, (s) => s.seconds / bound, 3, 'x'),
      column(runs, (s) => s.readBackSeconds, 2),
      column(runs, (s) => s.cpuSeconds),
      transports(runs),
    ]
  })
  const header = ['method', 'time s', 'time / (S/B)', 'readBack s', 'CPU s (source + target)', 'transport']
  return table(header, rows)
}

function ratio(samples: Sample[][], i: number, bound: number): number | undefined {
  return spread(samples[i] ?? [], (s) => s.seconds / bound)?.median
}

function goalLines(samples: Sample[][], fixed: Sample[][], bound: number): string[] {
  const fanout = ratio(samples, 1, bound)
  const pipe = ratio(samples, 0, bound)?.toFixed(3) ?? 'n/a'
  const goal = `- shaped, fanout --no-compress <= ${GOAL}x S/B:`
  if (fanout === undefined) return [`${goal} **no successful run**`]
  const by = `${Math.abs((fanout - GOAL) * 100).toFixed(1)} points ${fanout <= GOAL ? 'under' : 'over'} the goal`
  const net = netRatio(samples, fixed, bound)
  return [`${goal} ${verdict(fanout <= GOAL)}, ${fanout.toFixed(3)}x (${by}; tar|nc ${pipe}x${net})`]
}

/** The ratios again without each method's fixed cost (its 1 MiB run), to tell start-up from streaming. */
function netRatio(samples: Sample[][], fixed: Sample[][], bound: number): string {
  const net = [0, 1].map((i) => {
    const time = spread(samples[i] ?? [], (s) => s.seconds)?.median
    const start = fixedSeconds(fixed, i)
    return time === undefined || start === undefined ? undefined : (time - start) / bound
  })
  const [pipe, fanout] = net
  if (pipe === undefined || fanout === undefined) return ''
  return `; without each one's fixed cost: fanout ${fanout.toFixed(3)}x, tar|nc ${pipe.toFixed(3)}x`
}

function checksumCost(samples: Sample[][], bound: number): string[] {
  const on = ratio(samples, 1, bound)
  const off = ratio(samples, 2, bound)
  if (on === undefined || off === undefined) return []
  const seconds = ((on - off) * bound).toFixed(1)
  return [`The read-back checksum costs ${seconds} s here (${((on / off - 1) * 100).toFixed(1)}%).`, '']
}

function fixedLine(fixed: Sample[][]): string[] {
  const times = VARIANTS.slice(0, 2).map(
    (v, i) => `\`${v.label}\` ${column(fixed[i] ?? [], (s) => s.seconds, 2)} s`,
  )
  const failed = VARIANTS.slice(0, 2).flatMap((v, i) => failures(`${v.label} (1 MiB)`, fixed[i] ?? []))
  return [`Fixed cost per run, the same on ${FIXED_MIB} MiB: ${times.join(', ')}.`, ...failed]
}
