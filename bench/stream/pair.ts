import { type Cluster, createCluster } from '../../test/helpers/cluster.js'
import { say } from '../lib/copy-run.js'
import { treeDigest } from '../lib/digest.js'
import { readCounters, residentPid } from '../lib/net-counters.js'
import { makeRandomFile, SOURCE_DIR } from '../payload.js'

/** Two hosts, source h0 and target h1, and what a run between them needs. */
export interface Pair {
  cluster: Cluster
  /** The fanout CLI under test. */
  cli: string
  /** B in bytes per second, or undefined when the links are not shaped. */
  linkBytesPerSecond: number | undefined
  /** Bytes the target's link has received so far: what crossed the wire, headers included. */
  targetRx(): Promise<number>
}

/** A payload on the source, `${SOURCE_DIR}/${name}`, with its digest to check every copy against. */
export interface Payload {
  name: string
  bytes: number
  digest: string
  /** What it is, for the report: `256 MiB random`. */
  title: string
}

/**
 * Creates two hosts (shaped to `mbit` both ways, or unshaped when undefined), runs `body` with them
 * and destroys them again, also when `body` fails.
 */
export async function withPair<T>(
  cli: string,
  mbit: number | undefined,
  diskMiB: number,
  body: (pair: Pair) => Promise<T>,
): Promise<T> {
  say(`creating two hosts, ${mbit === undefined ? 'unshaped' : `${mbit} Mbit/s`}, ${diskMiB} MiB /srv each`)
  const specs = ['h0', 'h1'].map((name) => ({
    name,
    diskMiB,
    ...(mbit === undefined ? {} : { rateMbit: mbit }),
  }))
  const cluster = await createCluster(specs)
  try {
    const namespace = cluster.hosts.find((h) => h.name === 'h1')?.namespace ?? ''
    const pid = await residentPid(namespace)
    const linkBytesPerSecond = mbit === undefined ? undefined : (mbit * 1e6) / 8
    return await body({
      cluster,
      cli,
      linkBytesPerSecond,
      targetRx: async () => (await readCounters(pid, 'eth0')).rx,
    })
  } finally {
    await cluster.destroy()
  }
}

/** Writes `mib` MiB of random data on the source: nothing in it compresses. */
export async function randomPayload(pair: Pair, name: string, mib: number): Promise<Payload> {
  const bytes = await makeRandomFile(pair.cluster, 'h0', name, mib)
  const digest = await treeDigest(pair.cluster, 'h0', SOURCE_DIR, name)
  return { name, bytes, digest, title: `${mib} MiB random, one file` }
}
