import { join } from 'node:path'
import type { Cluster } from '../test/helpers/cluster.js'
import { runCommand } from '../test/helpers/run-command.js'
import { TSX_NODE } from './lib/tsx-node.js'

const REPO = join(import.meta.dirname, '..')

/** Where payloads live on the source, and where every method writes its copies on a target. */
export const SOURCE_DIR = '/srv/src'
export const TARGET_DIR = '/srv/recv'

async function run(cluster: Cluster, host: string, argv: readonly string[]): Promise<void> {
  const result = await cluster.exec(host, argv)
  if (result.exitCode !== 0) throw new Error(`${host}: ${argv.join(' ')} failed: ${result.stderr}`)
}

/** Writes `mib` MiB of random data to `${SOURCE_DIR}/${name}` on the source (random, so pigz gains nothing). */
export async function makeRandomFile(
  cluster: Cluster,
  host: string,
  name: string,
  mib: number,
): Promise<number> {
  await run(cluster, host, ['mkdir', '-p', SOURCE_DIR])
  await run(cluster, host, ['sh', '-c', `head -c ${mib}M /dev/urandom > ${SOURCE_DIR}/${name}`])
  return mib * 2 ** 20
}

/** Writes the datadir-like tree (bench/host/make-tree.ts) to `${SOURCE_DIR}/${name}`. */
export async function makeTree(
  cluster: Cluster,
  host: string,
  name: string,
  mib: number,
  files: number,
): Promise<number> {
  const script = join(REPO, 'bench/host/make-tree.ts')
  const argv = [...TSX_NODE, script, `${SOURCE_DIR}/${name}`, String(mib), String(files)]
  const result = await runCommand(cluster.hostArgv(host, argv), { timeoutMs: 600_000 })
  if (result.exitCode !== 0) throw new Error(`making the tree failed: ${result.stderr}`)
  return mib * 2 ** 20
}

/** Empties every target's receiving directory, fanout's staging directories included. */
export async function resetTargets(cluster: Cluster, targets: readonly string[]): Promise<void> {
  await Promise.all(
    targets.map((t) => run(cluster, t, ['sh', '-c', `rm -rf ${TARGET_DIR} && mkdir -p ${TARGET_DIR}`])),
  )
}
