import { join } from 'node:path'
import { parseArgs } from 'node:util'

/** The parts of bench/stream.ts, in the order they run. */
export type StreamSection = 'shaped' | 'unshaped' | 'compress' | 'checksum'
const SECTIONS: readonly StreamSection[] = ['shaped', 'unshaped', 'compress', 'checksum']

/** Everything a run of bench/stream.ts depends on, resolved from the command line once. */
export interface StreamParams {
  /** S in MiB for the shaped runs (random file and compressible tree). */
  mib: number
  /** The link rate B of the shaped runs, both directions, in Mbit/s. */
  mbit: number
  /** S in MiB for the unshaped runs, where a larger payload outlasts the start-up. */
  unshapedMib: number
  /** Runs of every method; each round reverses the order of the one before. */
  rounds: number
  /** Files in the compressible tree. */
  treeFiles: number
  sections: StreamSection[]
  /** Where the markdown report goes. */
  out: string
  /** The fanout CLI under test (a snapshot of dist/, set by bench/stream.ts). */
  cli: string
}

const USAGE = `usage: npx tsx bench/stream.ts [--mib 256] [--mbit 100] [--unshaped-mib 1024] [--rounds 2]
       [--sections shaped,unshaped,compress,checksum] [--out bench/RESULTS-stream.md]`

/** Parses the flags of bench/stream.ts. */
export function parseStreamArgs(argv: readonly string[]): StreamParams {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      mib: { type: 'string', default: '256' },
      mbit: { type: 'string', default: '100' },
      'unshaped-mib': { type: 'string', default: '1024' },
      rounds: { type: 'string', default: '2' },
      sections: { type: 'string', default: SECTIONS.join(',') },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) throw new Error(USAGE)
  const sections = values.sections.split(',') as StreamSection[]
  if (sections.some((s) => !SECTIONS.includes(s))) throw new Error(USAGE)
  return {
    mib: positive(values.mib, '--mib'),
    mbit: positive(values.mbit, '--mbit'),
    unshapedMib: positive(values['unshaped-mib'], '--unshaped-mib'),
    rounds: Math.round(positive(values.rounds, '--rounds')),
    treeFiles: 300,
    // Run in the order given on the command line would change the noise each part sees; keep ours.
    sections: SECTIONS.filter((s) => sections.includes(s)),
    out: values.out ?? join(import.meta.dirname, '..', 'RESULTS-stream.md'),
    cli: '',
  }
}

function positive(text: string, flag: string): number {
  const value = Number(text)
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`${flag} must be a positive number, got ${text}`)
  return value
}
