/**
 * An incremental deploy against a full one: a release tree fanned out to N targets, then the next
 * release (1% of the files changed, 3 added, 2 removed, a directory renamed) deployed with
 * `--base`, and, for the cost of --base's small pieces, the same to a fleet where one target is new
 * (no base: it receives every byte, in small pieces). Bytes received are each target's interface
 * counters (SSH control and the shipped agent included), times are fanout's own.
 *
 *   npx tsx bench/incremental.ts [--files 20000] [--targets 4] [--mbit 100] [--max-kib 16]
 */
import { parseArgs } from 'node:util'
import { type Cluster, createCluster } from '../test/helpers/cluster.js'
import { makeNextReleaseScript, makeReleaseScript, type ReleaseShape } from '../test/helpers/release-tree.js'
import { runFanout } from '../test/helpers/run-fanout.js'

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '20000' },
    targets: { type: 'string', default: '4' },
    mbit: { type: 'string', default: '100' },
    'max-kib': { type: 'string', default: '16' },
  },
})
const shape: ReleaseShape = {
  files: Number(values.files),
  dirs: 200,
  minKiB: 1,
  maxKiB: Number(values['max-kib']),
}
const targets = Array.from({ length: Number(values.targets) }, (_, i) => `h${i + 1}`)
const mbit = Number(values.mbit)
const treeMiB = (shape.files * (shape.minKiB + shape.maxKiB)) / 2 / 1024
const diskMiB = Math.ceil(treeMiB * 4 + 256)

interface Row {
  run: string
  seconds: number
  /** Per target: bytes through its interface during the run. */
  received: number[]
}

const cluster = await createCluster([
  { name: 'h0', diskMiB, rateMbit: mbit },
  ...targets.map((name) => ({ name, diskMiB, rateMbit: mbit })),
])
try {
  await execOk(cluster, 'h0', ['node', '-e', makeReleaseScript(shape), '/srv/release-1'])
  const rows: Row[] = [await deploy(cluster, 'full deploy', ['h0:/srv/release-1'], '/srv')]
  await execOk(cluster, 'h0', [
    'node',
    '-e',
    makeNextReleaseScript(shape, shape.files / 100),
    '/srv/release-1',
    '/srv/release-2',
  ])
  rows.push(await deploy(cluster, '--base, 1% changed', ['--base', 'release-1', 'h0:/srv/release-2'], '/srv'))
  // A fleet where one host is new: the others have the base, so its pieces are small for it too.
  for (const [i, host] of targets.entries()) {
    await execOk(cluster, host, ['mkdir', '/srv/mixed'])
    if (i > 0) await execOk(cluster, host, ['cp', '-a', '/srv/release-1', '/srv/mixed/'])
  }
  const mixed = ['--base', 'release-1', 'h0:/srv/release-2']
  rows.push(await deploy(cluster, '--base, one target without it', mixed, '/srv/mixed'))
  const bytes = Number(
    (await execOk(cluster, 'h0', ['du', '-sb', '--apparent-size', '/srv/release-2'])).split('\t')[0],
  )
  report(rows, bytes)
} finally {
  await cluster.destroy()
}

async function deploy(cluster: Cluster, run: string, args: string[], dir: string): Promise<Row> {
  const before = await Promise.all(targets.map((h) => rxBytes(cluster, h)))
  const result = await runFanout(
    cluster,
    ['--json', '--no-progress', ...args, ...targets.map((h) => `${h}:${dir}`)],
    1_800_000,
  )
  if (result.exitCode !== 0) throw new Error(`${run} failed: ${result.stderr}`)
  const after = await Promise.all(targets.map((h) => rxBytes(cluster, h)))
  const { seconds } = JSON.parse(result.stdout) as { seconds: number }
  return { run, seconds, received: after.map((n, i) => n - (before[i] ?? 0)) }
}

function report(rows: readonly Row[], treeBytes: number): void {
  const sb = (treeBytes * 8) / (mbit * 1e6)
  console.log(
    `${shape.files} files, ${(treeBytes / 2 ** 20).toFixed(1)} MiB, to ${targets.length} targets at ${mbit} Mbit/s (S/B ${sb.toFixed(1)} s)`,
  )
  console.log('| run | time | time / (S/B) | received per target (min - max) | of the tree (max) |')
  console.log('|---|---:|---:|---:|---:|')
  for (const { run, seconds, received } of rows) {
    const [least, most] = [Math.min(...received), Math.max(...received)]
    const range = `${(least / 2 ** 20).toFixed(2)} - ${(most / 2 ** 20).toFixed(2)} MiB`
    const share = ((most / treeBytes) * 100).toFixed(1)
    console.log(`| ${run} | ${seconds.toFixed(1)} s | ${(seconds / sb).toFixed(2)}x | ${range} | ${share}% |`)
  }
}

async function rxBytes(cluster: Cluster, host: string): Promise<number> {
  return Number(await execOk(cluster, host, ['cat', '/sys/class/net/eth0/statistics/rx_bytes']))
}

async function execOk(cluster: Cluster, host: string, argv: string[]): Promise<string> {
  const result = await cluster.exec(host, argv)
  if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} on ${host}: ${result.stderr}`)
  return result.stdout.trim()
}
