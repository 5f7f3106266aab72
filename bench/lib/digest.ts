import type { Cluster } from '../../test/helpers/cluster.js'

/**
 * One sha256 over every regular file under `dir/name` (a file or a tree): the sorted list of
 * `sha256sum` lines, hashed again. Paths are relative to `dir`, so a copy in another directory
 * gives the same digest as its source.
 */
export async function treeDigest(cluster: Cluster, host: string, dir: string, name: string): Promise<string> {
  const script = 'cd "$1" && find "$2" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum | sha256sum'
  const result = await cluster.exec(host, ['bash', '-o', 'pipefail', '-c', script, 'digest', dir, name])
  const digest = result.stdout.split(' ')[0]
  if (result.exitCode !== 0 || digest === undefined || digest === '')
    throw new Error(`digest of ${host}:${dir}/${name} failed: ${result.stderr}`)
  return digest
}

/**
 * Checks every target's copy against the source's digest, all targets at once. Returns the seconds
 * it took, which the report shows apart from the transfer time (it is not part of it).
 */
export async function verifyCopies(
  cluster: Cluster,
  targets: readonly string[],
  dir: string,
  name: string,
  expected: string,
): Promise<number> {
  const started = performance.now()
  const digests = await Promise.all(targets.map((t) => treeDigest(cluster, t, dir, name)))
  const bad = targets.filter((_, i) => digests[i] !== expected)
  if (bad.length > 0) throw new Error(`copies on ${bad.join(', ')} differ from the source`)
  return (performance.now() - started) / 1000
}
