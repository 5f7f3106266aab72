/**
 * Issue 19, big trees: what a tree of many small files costs each role, in peak RSS and CPU, and how
 * that grows per file. Local, no cluster: the source and every target are directories on this host,
 * each agent its own node process, as `fanout SRC T1 T2` runs them (so no link shaping and no SSH;
 * times are CPU- and disk-bound and move with the machine's load, RSS does not). Per file count:
 * the swarm to `--targets` targets, fanout to one target (auto: the stream), and `tar cf - | tar xf -`
 * piped locally to one target, for reference. The agents' figures are their `usage` in the `--json`
 * summary; the CLI's peak is its own VmHWM (polled), the tars' GNU time's.
 *
 *   npm run build && npx tsx bench/big-tree.ts [--files 100000,200000] [--targets 2]
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { type Measured, runCli, runTarPipe } from './lib/measure-local.js'
import { countFiles, writeSmallFileTree } from './lib/small-file-tree.js'

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '100000,200000' },
    targets: { type: 'string', default: '2' },
  },
})
const counts = values.files.split(',').map(Number)
const targetCount = Number(values.targets)
const MiB = 2 ** 20
const run = promisify(execFile)

interface Row extends Measured {
  files: number
  method: string
}

const rows: Row[] = []
/** Each row as it is measured, on stderr: a run at 200,000 files takes minutes. */
const add = (row: Row) => {
  rows.push(row)
  console.error(`  ${row.method}: ${row.seconds.toFixed(1)} s`)
}
for (const files of counts) {
  const dir = await mkdtemp(join(tmpdir(), 'fanout-big-tree-'))
  try {
    const source = join(dir, 'tree')
    const bytes = await writeSmallFileTree(source, files)
    console.error(`${files} files, ${(bytes / MiB).toFixed(0)} MiB of payload in ${source}`)
    const swarmTargets = await targetDirs(dir, 'swarm', targetCount)
    add({
      files,
      method: `fanout swarm → ${targetCount}`,
      ...(await runCli(['--transport', 'swarm', source, ...swarmTargets])),
    })
    await expectCopies(swarmTargets, files)
    const streamTarget = await targetDirs(dir, 'stream', 1)
    add({ files, method: 'fanout → 1 (stream)', ...(await runCli([source, ...streamTarget])) })
    await expectCopies(streamTarget, files)
    const tarTarget = await targetDirs(dir, 'tar', 1)
    add({
      files,
      method: 'tar \\| tar → 1',
      ...(await runTarPipe(dir, 'tree', tarTarget[0] as string)),
    })
    await expectCopies(tarTarget, files)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
const commit = (await run('git', ['rev-parse', '--short', 'HEAD'])).stdout.trim()
console.log(
  `commit ${commit}, ${new Date().toISOString().slice(0, 10)}, load average ${await loadAverage()}\n`,
)
console.log(
  '| files | method | seconds | source peak RSS MiB | targets max peak RSS MiB | CLI peak RSS MiB | source CPU s | targets max CPU s |',
)
console.log('|---:|---|---:|---:|---:|---:|---:|---:|')
const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : (bytes / MiB).toFixed(0))
const sec = (s: number | undefined) => (s === undefined ? '-' : s.toFixed(1))
for (const r of rows) {
  console.log(
    `| ${r.files} | ${r.method} | ${r.seconds.toFixed(1)} | ${mib(r.source?.rss)} | ${mib(r.target?.rss)} | ${mib(r.cliRss)} | ${sec(r.source?.cpu)} | ${sec(r.target?.cpu)} |`,
  )
}
printSlopes(rows.filter((r) => r.method.startsWith('fanout swarm')))

/** Per agent role: peak RSS at the smallest count, and the growth per file up to the largest. */
function printSlopes(swarm: readonly Row[]): void {
  const first = swarm[0]
  const last = swarm.at(-1)
  if (first === undefined || last === undefined || last.files === first.files) return
  console.log('')
  for (const role of ['source', 'target'] as const) {
    const at = (r: Row) => r[role]?.rss ?? Number.NaN
    const slope = (at(last) - at(first)) / (last.files - first.files)
    const peakMet = at(first) <= 200 * MiB ? 'met' : 'missed'
    const slopeMet = slope <= 1024 ? 'met' : 'missed'
    console.log(
      `- ${role}: ${mib(at(first))} MiB at ${first.files} files (goal <= 200: ${peakMet}), ` +
        `${slope.toFixed(0)} bytes per file from ${first.files} to ${last.files} (goal <= 1024: ${slopeMet})`,
    )
  }
}

async function targetDirs(dir: string, method: string, count: number): Promise<string[]> {
  const dirs = Array.from({ length: count }, (_, i) => join(dir, `${method}-t${i + 1}`))
  await Promise.all(dirs.map((d) => mkdir(d)))
  return dirs
}

async function expectCopies(dirs: readonly string[], files: number): Promise<void> {
  for (const d of dirs) {
    const found = await countFiles(join(d, 'tree'))
    if (found !== files) throw new Error(`${d} holds ${found} files of ${files}`)
  }
}

async function loadAverage(): Promise<string> {
  return (await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')
}
