import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

/** Which parts of the suite run. */
export type SectionName = 'file' | 'tree' | 'wan' | 'uneven' | 'scale'
const SECTIONS: readonly SectionName[] = ['file', 'tree', 'wan', 'uneven', 'scale']
/** What runs without `--sections`: scale builds a 65-host cluster and is asked for by name. */
const DEFAULT_SECTIONS: readonly SectionName[] = ['file', 'tree', 'wan', 'uneven']
export type MethodName = 'fanout' | 'aria2c' | 'pipes'
const METHODS: readonly MethodName[] = ['fanout', 'aria2c', 'pipes']

/** Everything a suite run depends on, resolved from the command line once. */
export interface SuiteParams {
  quick: boolean
  /** S in MiB for the single-file runs and the tree. */
  mib: number
  /**
   * S in MiB for the uneven-links section (`--uneven-mib`, default the smaller of --mib and 64):
   * its slowest target gets B/10, so S/(B/10) at the suite's S would be minutes per run.
   */
  unevenMib: number
  /** Every host's link rate B, both directions, in Mbit/s. */
  mbit: number
  /** Target counts N for the swarm methods (fanout, aria2c). */
  counts: number[]
  /** Target counts for the pipe baselines, which grow linearly and stop earlier. */
  pipeCounts: number[]
  /** Whether the pigz variant of the serial pipe runs. */
  pigz: boolean
  treeFiles: number
  treeTargets: number
  /** The two-data-centre layout: targets per site and the WAN between them. */
  wan: { dc1Targets: number; dc2Targets: number; rateMbit: number; delayMs: number }
  sections: SectionName[]
  /** Which methods the file section runs (all by default); for a focused re-measurement. */
  methods: MethodName[]
  /** Where the markdown report goes. */
  out: string
  /** The fanout CLI under test (a snapshot of dist/, set by suite.ts). */
  cli: string
  /**
   * Another build's CLI (`--baseline`, e.g. a worktree of an earlier commit, built), run as
   * 'fanout (baseline)' next to 'fanout' at each N of the file section, alternating which goes first.
   */
  baselineCli: string | undefined
  /** Runs of each fanout build at each N (`--repeat`), for a before/after that outlasts the noise. */
  repeat: number
  /**
   * The scale section: fanout alone to N targets on links slow enough (`--scale-mbit`) that the
   * machine's cores are not the limit at the largest N, S = `--scale-mib`.
   */
  scale: { counts: number[]; mib: number; mbit: number; queueMs: number }
}

const USAGE = `usage: npx tsx bench/suite.ts [--quick] [--mib N] [--mbit N] [--sections file,tree,wan,uneven,scale]
       [--uneven-mib N] [--methods fanout,aria2c,pipes] [--counts 1,2,4,8,16] [--baseline CLI] [--repeat K]
       [--scale-counts 1,8,16,32,64] [--scale-mib 32] [--scale-mbit 2] [--scale-queue-ms 2000] [--out FILE]`
const UNEVEN_MIB_CAP = 64

/**
 * Parses the suite's flags; `--quick` is the CI smoke test (32 MiB, N = 1, 2, 4, the file section
 * only).
 */
export function parseSuiteArgs(argv: readonly string[]): SuiteParams {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      mib: { type: 'string' },
      'uneven-mib': { type: 'string' },
      mbit: { type: 'string', default: '100' },
      sections: { type: 'string' },
      methods: { type: 'string' },
      counts: { type: 'string' },
      out: { type: 'string' },
      baseline: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      'scale-counts': { type: 'string' },
      'scale-mib': { type: 'string' },
      'scale-mbit': { type: 'string', default: '2' },
      'scale-queue-ms': { type: 'string', default: '2000' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) throw new Error(USAGE)
  const quick = values.quick
  const mib = positive(values.mib ?? (quick ? '32' : '256'), '--mib')
  const sections = (values.sections ?? (quick ? 'file' : DEFAULT_SECTIONS.join(','))).split(
    ',',
  ) as SectionName[]
  if (sections.some((s) => !SECTIONS.includes(s))) throw new Error(USAGE)
  const methods = (values.methods ?? METHODS.join(',')).split(',') as MethodName[]
  if (methods.some((m) => !METHODS.includes(m))) throw new Error(USAGE)
  const counts = values.counts?.split(',').map((n) => positive(n, '--counts'))
  return {
    quick,
    mib,
    unevenMib: positive(values['uneven-mib'] ?? String(Math.min(mib, UNEVEN_MIB_CAP)), '--uneven-mib'),
    mbit: positive(values.mbit, '--mbit'),
    counts: counts ?? (quick ? [1, 2, 4] : [1, 2, 4, 8, 16]),
    pipeCounts: counts?.filter((n) => n <= 8) ?? (quick ? [1, 2, 4] : [1, 2, 4, 8]),
    pigz: !quick,
    treeFiles: 20_000,
    treeTargets: 8,
    wan: { dc1Targets: 4, dc2Targets: 8, rateMbit: 200, delayMs: 20 },
    sections,
    methods,
    // A quick run must not replace the full results that are checked in.
    out: values.out ?? join(import.meta.dirname, quick ? 'RESULTS.quick.md' : 'RESULTS.md'),
    cli: '',
    baselineCli: values.baseline === undefined ? undefined : resolve(values.baseline),
    repeat: positive(values.repeat, '--repeat'),
    scale: {
      counts: (values['scale-counts'] ?? (quick ? '1,4' : '1,8,16,32,64'))
        .split(',')
        .map((n) => positive(n, '--scale-counts')),
      mib: positive(values['scale-mib'] ?? (quick ? '8' : '32'), '--scale-mib'),
      mbit: positive(values['scale-mbit'], '--scale-mbit'),
      queueMs: positive(values['scale-queue-ms'], '--scale-queue-ms'),
    },
  }
}

function positive(text: string, flag: string): number {
  const value = Number(text)
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`${flag} must be a positive number, got ${text}`)
  return value
}
