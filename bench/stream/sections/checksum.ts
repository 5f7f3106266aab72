import { noiseLine } from '../noise.js'
import type { StreamParams } from '../options.js'
import { randomPayload, withPair } from '../pair.js'
import type { SectionReport } from '../section-report.js'
import { failures, show, signed, spread, table } from '../stats.js'
import { runRounds, type Sample, type Variant } from '../variant.js'

const PAIRS: readonly (readonly string[])[] = [[], ['--no-compress']]

/** `--checksum` and `--no-checksum` beside each other, with and without the default compression. */
function variants(compressions: readonly (readonly string[])[]): Variant[] {
  return compressions.flatMap((extra) =>
    ['--checksum', '--no-checksum'].map((flag): Variant => {
      const flags = [flag, ...extra]
      return { label: `fanout ${flags.join(' ')}`, kind: 'fanout', flags }
    }),
  )
}

/** What the read-back checksum costs, over a link of B and unshaped (where the cores are the limit). */
export async function checksumSection(params: StreamParams): Promise<SectionReport> {
  const lines: string[] = [
    `${params.mib} MiB random, one file. \`--checksum\` (the default) makes the target re-read what it wrote ` +
      'and compare it with the hashes the source took; "readBack s" is the time that took, from fanout\'s summary ' +
      '(`targets[0].readBackSeconds`). Without `--no-compress` the default gzip runs (which sends random blocks raw).',
    '',
  ]
  const links: { name: string; mbit: number | undefined; variants: Variant[] }[] = [
    { name: `shaped to ${params.mbit} Mbit/s`, mbit: params.mbit, variants: variants(PAIRS.slice(0, 1)) },
    { name: 'unshaped', mbit: undefined, variants: variants(PAIRS) },
  ]
  const goals: string[] = []
  for (const link of links) {
    const part = await withPair(params.cli, link.mbit, params.mib * 2 + 128, async (pair) => {
      const payload = await randomPayload(pair, 'payload', params.mib)
      const samples = await runRounds(pair, payload, link.variants, params.rounds)
      return { samples, noise: noiseLine(samples.flat().map((s) => s.noise)) }
    })
    lines.push(`**${link.name}**`, '', ...checksumTable(link.variants, part.samples), '', part.noise, '')
    lines.push(...link.variants.flatMap((v, i) => failures(v.label, part.samples[i] ?? [])))
    goals.push(...costLines(link.name, link.variants, part.samples))
  }
  return { title: 'Checksum: --checksum against --no-checksum', lines, goals }
}

function checksumTable(list: readonly Variant[], samples: Sample[][]): string[] {
  const rows = list.map((v, i) => {
    const runs = samples[i] ?? []
    // Each --no-checksum row follows its --checksum row: compare the pair.
    const partner = i % 2 === 0 ? spread(samples[i + 1] ?? [], (s) => s.seconds)?.median : undefined
    const time = spread(runs, (s) => s.seconds)
    const extra = partner === undefined || time === undefined ? '' : `${signed(time.median - partner)} s`
    return [
      `\`${v.label}\``,
      show(time),
      show(
        spread(runs, (s) => s.readBackSeconds),
        2,
      ),
      extra,
      show(spread(runs, (s) => s.cpuSeconds)),
    ]
  })
  return table(['method', 'time s', 'readBack s', 'cost of the checksum', 'CPU s'], rows)
}

/** No goal is set for the checksum; these lines state its cost for the summary. */
function costLines(link: string, list: readonly Variant[], samples: Sample[][]): string[] {
  const lines: string[] = []
  for (let i = 0; i + 1 < list.length; i += 2) {
    const on = spread(samples[i] ?? [], (s) => s.seconds)?.median
    const off = spread(samples[i + 1] ?? [], (s) => s.seconds)?.median
    const readBack = spread(samples[i] ?? [], (s) => s.readBackSeconds)?.median
    if (on === undefined || off === undefined) continue
    lines.push(
      `- checksum cost, ${link}, \`${list[i]?.label}\`: ${signed(on - off)} s (${signed((on / off - 1) * 100)}%), read-back ${readBack?.toFixed(2) ?? 'n/a'} s (no goal set)`,
    )
  }
  return lines
}
