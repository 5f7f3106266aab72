import { TARGETS } from './database-bench.js'

/** One way of giving every target a copy of the source's database. */
export interface DatabaseCase {
  /** A1, A4, B4, C4: the letter and the number of targets. */
  id: string
  label: string
  /** hot: the server keeps running and the writer writes; cold: the server is stopped for the copy. */
  kind: 'hot' | 'cold'
  targets: readonly string[]
  /** fanout's flags besides `--json --no-progress --ssh-config … --no-compress`. */
  flags: readonly string[]
  /** Copies the source sends one after another (the stream's targets are served in turn). */
  serialCopies: number
}

const HOT = ['--type', 'xtrabackup', '--prepare']

/** The cases every round runs, in this order (reversed every other round). */
export const CASES: readonly DatabaseCase[] = [
  {
    id: 'A1',
    label: 'hot backup, 1 target',
    kind: 'hot',
    targets: TARGETS.slice(0, 1),
    flags: HOT,
    serialCopies: 1,
  },
  { id: 'A4', label: 'hot backup, 4 targets', kind: 'hot', targets: TARGETS, flags: HOT, serialCopies: 1 },
  {
    id: 'B4',
    label: "hot backup per target in turn (transfer.py's way), 4 targets",
    kind: 'hot',
    targets: TARGETS,
    flags: [...HOT, '--transport', 'stream'],
    serialCopies: TARGETS.length,
  },
  {
    id: 'C4',
    label: 'cold copy of the stopped datadir, 4 targets',
    kind: 'cold',
    targets: TARGETS,
    flags: ['--type', 'file'],
    serialCopies: 1,
  },
]
