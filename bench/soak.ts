/**
 * The fault soak (issue 18): one cluster, many runs of fanout to 4 targets, one random fault per
 * run, every run judged against the invariants of test/helpers/soak/invariants.ts. Writes a report
 * and exits 1 if any invariant was violated (or the soak could not go on).
 *
 *   npx tsx bench/soak.ts [--runs 20] [--seed N] [--out bench/RESULTS-soak.md]
 *                         [--run K] [--kinds agent-kill,ssh-cut,...] [--mib 32] [--stall-timeout 10]
 *                         [--verbose-log FILE]
 *
 * --run K replays run K of the seed's schedule alone, to reproduce a violation; --verbose-log FILE
 * runs the CLI with --verbose and appends its stderr (every agent's debug log too) and summary there.
 */
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { ALL_FAULT_KINDS, type FaultKind } from '../test/helpers/soak/fault-kinds.js'
import { runSoak } from '../test/helpers/soak/run-soak.js'
import { soakReport, violations } from '../test/helpers/soak/soak-report.js'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    seed: { type: 'string' },
    out: { type: 'string', default: 'bench/RESULTS-soak.md' },
    run: { type: 'string' },
    kinds: { type: 'string' },
    mib: { type: 'string', default: '32' },
    'verbose-log': { type: 'string' },
    'stall-timeout': { type: 'string' },
  },
})
// A fresh schedule each time unless told; the report gives the seed that replays it.
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const kinds = values.kinds?.split(',') as FaultKind[] | undefined
const unknown = kinds?.filter((k) => !ALL_FAULT_KINDS.includes(k)) ?? []
if (unknown.length > 0)
  throw new Error(`unknown fault kinds: ${unknown.join(', ')} (known: ${ALL_FAULT_KINDS.join(', ')})`)
const command = [
  'npx tsx bench/soak.ts',
  ...process.argv.slice(2),
  ...(values.seed === undefined ? ['--seed', String(seed)] : []),
].join(' ')

const { meta, records } = await runSoak({
  seed,
  runs: Number(values.runs),
  payloadMiB: Number(values.mib),
  ...(values['stall-timeout'] === undefined ? {} : { stallTimeoutS: Number(values['stall-timeout']) }),
  command,
  log: (line) => console.log(line),
  ...(values.run === undefined ? {} : { only: Number(values.run) }),
  ...(values['verbose-log'] === undefined ? {} : { verboseLog: values['verbose-log'] }),
  ...(kinds === undefined ? {} : { kinds }),
})
await writeFile(values.out, soakReport(meta, records))
const violated = violations(records)
console.log(`${records.length} runs, ${violated.length} violation(s); report in ${values.out}`)
for (const line of violated) console.log(`  ${line}`)
if (meta.stopped !== undefined) console.log(`stopped early: ${meta.stopped}`)
process.exitCode = violated.length > 0 || meta.stopped !== undefined ? 1 : 0
