import { join } from 'node:path'
import { runCommand } from '../../test/helpers/run-command.js'
import { treeDigest } from '../lib/digest.js'
import { TSX_NODE } from '../lib/tsx-node.js'
import { SOURCE_DIR } from '../payload.js'
import type { Pair, Payload } from './pair.js'

const SCRIPT = join(import.meta.dirname, '..', 'host', 'make-compressible-tree.ts')

/** What a reference compressor makes of the tree: the tar stream's size over its compressed size. */
export interface TreeRatios {
  gzip1: number
  zstd1: number
}

/**
 * Writes the compressible datadir-like tree (bench/host/make-compressible-tree.ts) on the source
 * and measures how far `gzip -1` and `zstd -1` shrink its tar stream, so the report can say how
 * compressible it is independently of fanout.
 */
export async function compressibleTree(
  pair: Pair,
  name: string,
  mib: number,
  files: number,
): Promise<{ payload: Payload; ratios: TreeRatios }> {
  const argv = [...TSX_NODE, SCRIPT, `${SOURCE_DIR}/${name}`, String(mib), String(files)]
  const made = await runCommand(pair.cluster.hostArgv('h0', argv), { timeoutMs: 600_000 })
  if (made.exitCode !== 0) throw new Error(`making the compressible tree failed: ${made.stderr}`)
  const digest = await treeDigest(pair.cluster, 'h0', SOURCE_DIR, name)
  const tarBytes = await streamBytes(pair, `tar cf - -C ${SOURCE_DIR} ${name}`)
  const ratios = {
    gzip1: tarBytes / (await streamBytes(pair, `tar cf - -C ${SOURCE_DIR} ${name} | gzip -1`)),
    zstd1: tarBytes / (await streamBytes(pair, `tar cf - -C ${SOURCE_DIR} ${name} | zstd -1 -q`)),
  }
  const title = `${mib} MiB datadir-like tree, ${files} files of 16 KiB pages (SQL-like rows, 15% random, 15% empty)`
  return { payload: { name, bytes: mib * 2 ** 20, digest, title }, ratios }
}

async function streamBytes(pair: Pair, script: string): Promise<number> {
  const result = await pair.cluster.exec('h0', ['bash', '-o', 'pipefail', '-c', `${script} | wc -c`])
  const bytes = Number(result.stdout.trim())
  if (result.exitCode !== 0 || !(bytes > 0)) throw new Error(`${script} failed: ${result.stderr}`)
  return bytes
}
