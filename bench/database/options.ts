import { join } from 'node:path'
import { parseArgs } from 'node:util'

/** Everything a run of bench/database.ts depends on, resolved from the command line once. */
export interface DatabaseParams {
  /** The least size of the source's datadir, in MiB; seeding stops at the first table past it. */
  datadirMib: number
  /** Runs of every case; each round reverses the order of the one before. */
  rounds: number
  /** Every host's link rate B, both directions, in Mbit/s. */
  mbit: number
  /** Where the markdown report goes. */
  out: string
  /** The fanout CLI under test (a snapshot of dist/, set by bench/database.ts). */
  cli: string
}

const USAGE = 'usage: npx tsx bench/database.ts [--datadir-mib 1024] [--rounds 2] [--mbit 100] [--out FILE]'

/** Parses the flags of bench/database.ts. */
export function parseDatabaseArgs(argv: readonly string[]): DatabaseParams {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'datadir-mib': { type: 'string', default: '1024' },
      rounds: { type: 'string', default: '2' },
      mbit: { type: 'string', default: '100' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) throw new Error(USAGE)
  return {
    datadirMib: Math.round(positive(values['datadir-mib'], '--datadir-mib')),
    rounds: Math.round(positive(values.rounds, '--rounds')),
    mbit: positive(values.mbit, '--mbit'),
    out: values.out ?? join(import.meta.dirname, '..', 'RESULTS-database.md'),
    cli: '',
  }
}

function positive(text: string, flag: string): number {
  const value = Number(text)
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`${flag} must be a positive number, got ${text}\n${USAGE}`)
  return value
}
