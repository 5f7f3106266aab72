import { noiseLine } from '../noise.js'
import type { StreamParams } from '../options.js'
import { type Pair, type Payload, randomPayload, withPair } from '../pair.js'
import type { SectionReport } from '../section-report.js'
import { column, failures, signed, spread, table, verdict } from '../stats.js'
import { compressibleTree } from '../tree-payload.js'
import { runRounds, type Sample, type Variant } from '../variant.js'

const MIB = 2 ** 20

const CODECS: readonly Variant[] = [
  { label: 'fanout --no-compress', kind: 'fanout', flags: ['--no-compress'] },
  { label: 'fanout --codec gzip', kind: 'fanout', flags: ['--codec', 'gzip'] },
  { label: 'fanout --codec zstd', kind: 'fanout', flags: ['--codec', 'zstd'] },
]
const PIGZ: Variant = { label: 'tar|pigz|nc', kind: 'pipe', pigz: true }

/**
 * The stream's codecs over a link of B, on a compressible tree and on random data: compression
 * must pay on the one and cost nothing on the other.
 */
export async function compressSection(params: StreamParams): Promise<SectionReport> {
  return withPair(params.cli, params.mbit, params.mib * 2 + 128, async (pair) => {
    const { payload: tree, ratios } = await compressibleTree(pair, 'datadir', params.mib, params.treeFiles)
    const treeVariants = (await hasPigz(pair)) ? [...CODECS, PIGZ] : CODECS
    const treeSamples = await runRounds(pair, tree, treeVariants, params.rounds)
    await pair.cluster.exec('h0', ['rm', '-rf', `/srv/src/${tree.name}`])
    const random = await randomPayload(pair, 'payload', params.mib)
    const randomSamples = await runRounds(pair, random, CODECS, params.rounds)
    const bound = (params.mib * MIB * 8) / (params.mbit * 1e6)
    const lines = [
      intro(params.mbit, bound),
      '',
      `**(a) ${tree.title}.** Reference ratios of its tar stream: gzip -1 ${ratios.gzip1.toFixed(2)}x, zstd -1 ${ratios.zstd1.toFixed(2)}x.`,
      '',
      ...codecTable(tree, treeVariants, treeSamples, bound),
      '',
      `**(b) ${random.title}.**`,
      '',
      ...codecTable(random, CODECS, randomSamples, bound),
      '',
      'CPU for `--codec zstd` leaves out the `zstd` processes the agents start (their own usage is all fanout reports).',
      '',
      noiseLine([...treeSamples, ...randomSamples].flat().map((s) => s.noise)),
      ...treeVariants.flatMap((v, i) => failures(`${v.label} (tree)`, treeSamples[i] ?? [])),
      ...CODECS.flatMap((v, i) => failures(`${v.label} (random)`, randomSamples[i] ?? [])),
    ]
    const goals = [...randomGoals(randomSamples), ...treeGoals(treeSamples)]
    return { title: `Compression: codecs at ${params.mbit} Mbit/s`, lines, goals }
  })
}

function intro(mbit: number, bound: number): string {
  return (
    `Both hosts shaped to ${mbit} Mbit/s each way (S/B = ${bound.toFixed(1)} s), so the link is the limit and ` +
    'fewer bytes on it should mean less time. fanout otherwise runs with its defaults (stream, encrypted, read-back checksum). ' +
    '"wire MiB" is fanout\'s own count of the stream\'s bytes (after compression); "link MiB" is what the target\'s link ' +
    "received, TCP/IP headers and SSH included (for every method). fanout's gzip is level 1; transfer.py's pigz is level 6."
  )
}

async function hasPigz(pair: Pair): Promise<boolean> {
  return (await pair.cluster.exec('h0', ['sh', '-c', 'command -v pigz'])).exitCode === 0
}

function codecTable(
  payload: Payload,
  variants: readonly Variant[],
  samples: Sample[][],
  bound: number,
): string[] {
  const plain = spread(samples[0] ?? [], (s) => s.seconds)?.median
  const rows = variants.map((v, i) => {
    const runs = samples[i] ?? []
    const time = spread(runs, (s) => s.seconds)?.median
    return [
      `\`${v.label}\``,
      column(runs, (s) => s.seconds),
      column(runs, (s) => s.seconds / bound, 3, 'x'),
      time === undefined || plain === undefined ? 'n/a' : `${(time / plain).toFixed(2)}x`,
      column(runs, (s) => (s.wireBytes === undefined ? undefined : s.wireBytes / MIB), 0),
      column(runs, (s) => (s.wireBytes === undefined ? undefined : payload.bytes / s.wireBytes), 2, 'x'),
      column(runs, (s) => s.linkBytes / MIB, 0),
      column(runs, (s) => s.cpuSeconds),
    ]
  })
  const header = [
    'method',
    'time s',
    'time / (S/B)',
    'time / --no-compress',
    'wire MiB',
    'S / wire',
    'link MiB',
    'CPU s',
  ]
  return table(header, rows)
}

/** On random data a codec must never be slower than no codec. */
function randomGoals(samples: Sample[][]): string[] {
  const plain = spread(samples[0] ?? [], (s) => s.seconds)
  return [1, 2].map((i) => {
    const label = CODECS[i]?.label ?? ''
    const time = spread(samples[i] ?? [], (s) => s.seconds)
    if (time === undefined || plain === undefined)
      return `- random data, ${label} not slower than --no-compress: **no successful run**`
    const diff = time.median - plain.median
    const overlap = time.min <= plain.max && plain.min <= time.max ? ", within the runs' ranges" : ''
    return `- random data, ${label} not slower than --no-compress: ${verdict(diff <= 0)}, ${signed(diff)} s (${signed((diff / plain.median) * 100)}%${overlap})`
  })
}

/** On the compressible tree a codec should win time over no codec. */
function treeGoals(samples: Sample[][]): string[] {
  const plain = spread(samples[0] ?? [], (s) => s.seconds)?.median
  return [1, 2].map((i) => {
    const label = CODECS[i]?.label ?? ''
    const time = spread(samples[i] ?? [], (s) => s.seconds)?.median
    if (time === undefined || plain === undefined)
      return `- tree, ${label} pays against --no-compress: **no successful run**`
    return `- tree, ${label} pays against --no-compress: ${verdict(time < plain)}, ${time.toFixed(1)} s vs ${plain.toFixed(1)} s (${(time / plain).toFixed(2)}x the time)`
  })
}
