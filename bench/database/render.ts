import { show, spread, table, verdict } from '../stream/stats.js'
import { CASES, type DatabaseCase } from './cases.js'
import type { DatabaseParams } from './options.js'
import type { DatabaseSample } from './sample.js'

/** Where and how the run happened, for the top of the report. */
export interface DatabaseRunInfo {
  command: string
  date: string
  machine: string[]
  seconds: number
}

/** What the set-up made, for the report: the datadir and the hosts. */
export interface DatabaseFacts {
  datadirBytes: number
  bulkTables: number
  gzipRatio: number
  serverVersion: string
  diskMiB: { source: number; target: number }
}

/** The goal of issue 16's speed section: a hot backup to 4 targets within 1.3× the time to 1. */
const GOAL = 1.3

/** The markdown report: how it was made, the goal met or not, then the table and its notes. */
export function renderDatabaseReport(
  info: DatabaseRunInfo,
  params: DatabaseParams,
  facts: DatabaseFacts,
  samples: readonly DatabaseSample[][],
): string {
  const mib = facts.datadirBytes / 2 ** 20
  return [
    '# Copies of a live MariaDB server: hot backup to 1 and 4 targets, stream in turn, cold copy',
    '',
    `Command: \`${info.command}\``,
    '',
    `Date: ${info.date}; the run took ${(info.seconds / 60).toFixed(1)} min.`,
    '',
    ...info.machine.map((line) => `${line}  `),
    '',
    ...setupLines(params, facts),
    '',
    '## Goal',
    '',
    goalLine(samples),
    '',
    `## Datadir ${mib.toFixed(0)} MiB`,
    '',
    ...caseTable(samples, params),
    '',
    ...notes(samples, facts),
  ].join('\n')
}

function setupLines(params: DatabaseParams, facts: DatabaseFacts): string[] {
  const mib = (facts.datadirBytes / 2 ** 20).toFixed(0)
  const rounds =
    params.rounds > 1
      ? `Every case ran ${params.rounds} times, the order reversed each round so noise hits all alike; the table shows the median (an even count: the mean of the middle two) and the range (min–max).`
      : 'Every case ran once.'
  return [
    'Five hosts of the virtual cluster (`test/helpers/cluster.ts`): h0 the source, h1 … h4 the targets, every link ' +
      `shaped to B = ${params.mbit} Mbit/s each way, /srv a tmpfs of ${facts.diskMiB.source} MiB (h0) and ` +
      `${facts.diskMiB.target} MiB (each target). They share the machine's cores with each other and with whatever else runs.`,
    '',
    `MariaDB ${facts.serverVersion} on h0 (\`test/helpers/mariadb.ts\`), its datadir seeded to ${mib} MiB: ${facts.bulkTables} ` +
      'InnoDB tables of rows of 512 random bytes and 256 hex digits (`gzip -1` shrinks one table ' +
      `${facts.gzipRatio.toFixed(1)}×), and the writer's table. During every hot backup the writer of ` +
      '`test/helpers/mariadb-writer.ts` commits 5 rows and an update per transaction, one client process each.',
    '',
    'Every fanout run has `--json --no-progress --no-compress`: the swarm never compresses, so the stream does not ' +
      'either, and every case moves the same bytes. The time is the whole CLI run, until it exits 0: every target ' +
      'holds a verified copy, prepared for the hot cases. Afterwards, untimed, the hot copies must say ' +
      '`backup_type = log-applied` in `xtrabackup_checkpoints` and the cold copies must match the stopped ' +
      "datadir's sha256. bytes is the backup's size from fanout's summary (hot) or the datadir's (cold), so " +
      'time / (bytes ÷ B) is 1 for a copy at the link rate.',
    '',
    rounds,
  ]
}

function caseTable(samples: readonly DatabaseSample[][], params: DatabaseParams): string[] {
  const bps = (params.mbit * 1e6) / 8
  const rows = CASES.map((c, i) => caseRow(c, samples[i] ?? [], bps))
  const header = ['case', 'fanout', 'transport', 'time s', 'time / (bytes ÷ B)', 'bytes MiB']
  const more = ['backup done at s', 'heldByTargets', 'first / last target s', 'CPU s source', 'CPU s targets']
  return table([...header, ...more, 'CPU s CLI', 'rows written'], rows)
}

function caseRow(c: DatabaseCase, runs: readonly DatabaseSample[], bps: number): string[] {
  const col = (pick: (s: DatabaseSample) => number | undefined, digits = 1) =>
    show(spread(runs, pick), digits)
  const first = col((s) => Math.min(...s.targetSeconds))
  const last = col((s) => Math.max(...s.targetSeconds))
  return [
    `${c.id}: ${c.label}`,
    `\`${[...c.flags, c.kind === 'hot' ? 'h0:SOCK' : 'h0:DATADIR'].join(' ')} ${c.targets.map((t) => `${t}:/srv/dst`).join(' ')}\``,
    [...new Set(runs.map((s) => s.transport ?? '–'))].join(', '),
    col((s) => s.seconds),
    col((s) => (s.bytes === undefined ? undefined : s.seconds / (s.bytes / bps)), 2),
    col((s) => (s.bytes === undefined ? undefined : s.bytes / 2 ** 20), 0),
    c.kind === 'hot' ? col((s) => s.backup?.seconds) : '–',
    c.kind === 'hot' ? col((s) => s.backup?.heldByTargets, 2) : '–',
    `${first} / ${last}`,
    col((s) => s.sourceCpu),
    col((s) => s.targetCpu),
    col((s) => s.cliCpu),
    c.kind === 'hot' ? col((s) => s.writerRows, 0) : '– (stopped)',
  ]
}

/** A4 against A1, by their medians and round by round (each round ran both). */
function goalLine(samples: readonly DatabaseSample[][]): string {
  const goal = `- hot backup, 4 targets <= ${GOAL}× the time of 1 (A4 / A1):`
  const one = spread(samples[0] ?? [], (s) => s.seconds)?.median
  const four = spread(samples[1] ?? [], (s) => s.seconds)?.median
  if (one === undefined || four === undefined) return `${goal} **no successful run of both**`
  const ratio = four / one
  const rounds = (samples[0] ?? []).flatMap((a, round) => {
    const b = samples[1]?.[round]
    return a.failed === undefined && b !== undefined && b.failed === undefined
      ? [`${(b.seconds / a.seconds).toFixed(2)}×`]
      : []
  })
  return (
    `${goal} ${verdict(ratio <= GOAL)}, ${ratio.toFixed(2)}× (A4 ${four.toFixed(1)} s / A1 ${one.toFixed(1)} s, ` +
    `medians of this run; round by round ${rounds.join(', ') || 'n/a'})`
  )
}

function notes(samples: readonly DatabaseSample[][], facts: DatabaseFacts): string[] {
  const cold = samples[3] ?? []
  const copy = show(spread(cold, (s) => s.seconds))
  const restart = show(
    spread(cold, (s) => s.restartSeconds),
    1,
  )
  const check = (i: number) =>
    show(
      spread(samples[i] ?? [], (s) => s.checkSeconds),
      1,
    )
  return [
    `- C4's downtime is its copy time, ${copy} s: the server is stopped before fanout starts and can start again as ` +
      `soon as it exits (a start on the copied-from datadir took ${restart} s here).`,
    "- B4 serves its targets one after another, each from a fresh backup: its floor is 4 × (bytes ÷ B). fanout's " +
      'summary gives `backup` (and bytes) for the first of the four backups only, and heldByTargets for its own ' +
      'target (before 43fe7a1 it was averaged over all four, so at most 0.25).',
    `- Untimed checks after the runs: prepared copies ${check(0)} s (A1), ${check(1)} s (A4), ${check(2)} s (B4); ` +
      `sha256 of the cold copies ${check(3)} s.`,
    `- ${noiseLine(samples.flat())}`,
    ...CASES.flatMap((c, i) => problems(c, samples[i] ?? [])),
    '',
    `Datadir ${facts.datadirBytes} bytes at the start.`,
    '',
  ]
}

/** The load at the end of every run, and how many ended beside another virtual cluster. */
function noiseLine(samples: readonly DatabaseSample[]): string {
  const known = samples.flatMap((s) => (s.noise === undefined ? [] : [s.noise]))
  if (known.length === 0) return 'Noise: not recorded.'
  const loads = known.map((n) => n.load)
  const crowded = known.filter((n) => n.otherClusters > 0).length
  return (
    `Noise: 1-minute load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} at the ends of the ` +
    `${known.length} runs (2 cores; our five hosts, the server and the writer account for some of it); another ` +
    `virtual cluster (a test) was present at the end of ${crowded} of them.`
  )
}

/** Failed runs and the notes of the others, one line each. */
function problems(c: DatabaseCase, runs: readonly DatabaseSample[]): string[] {
  return runs.flatMap((s, i) => [
    ...(s.failed === undefined ? [] : [`- ${c.id}, round ${i + 1} failed: ${s.failed}`]),
    ...s.notes.map((note) => `- ${c.id}, round ${i + 1}: ${note}`),
  ])
}
