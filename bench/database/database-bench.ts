import { type Cluster, createCluster } from '../../test/helpers/cluster.js'
import { type MariaDb, startMariadb } from '../../test/helpers/mariadb.js'
import { removeMariadbTemplate } from '../../test/helpers/mariadb-template.js'
import { say } from '../lib/copy-run.js'
import type { DatabaseParams } from './options.js'
import { gzipRatio, type SeededDatadir, seedDatadir } from './seed-datadir.js'

/** The targets, in the order the cases use them: 1 target is h1, 4 are h1 … h4. */
export const TARGETS: readonly string[] = ['h1', 'h2', 'h3', 'h4']
/** Where every copy lands on a target; emptied before and after every run. */
export const TARGET_DIR = '/srv/dst'

/** The cluster with its seeded server, and what every run needs to know about it. */
export interface DatabaseBench {
  cluster: Cluster
  /** The fanout CLI under test. */
  cli: string
  /** The source's server; the cold copy stops it and puts a new handle here when it restarts it. */
  source: { db: MariaDb }
  seeded: SeededDatadir
  /** `gzip -1` on a bulk table: what the stream's compression could have gained. */
  gzipRatio: number
  /** B in bytes per second. */
  linkBytesPerSecond: number
  /** The size of /srv (tmpfs) on the source and on each target. */
  diskMiB: { source: number; target: number }
}

/**
 * /srv sizes for a datadir of `mib` (seeding overshoots it by up to one 64 MiB table): the source
 * holds the datadir and the writer's binlog; a target of the swarm holds the backup's xbstream and
 * its unpacked copy at once (fanout's pre-flight asks for twice the datadir plus 2% and 64 MiB).
 */
export function diskSizes(mib: number): { source: number; target: number } {
  return { source: Math.ceil(mib * 1.25) + 512, target: Math.ceil((mib + 64) * 2.1) + 256 }
}

/**
 * Creates the source h0 and the targets h1 … h4, every link shaped to B both ways, starts MariaDB
 * on h0 and seeds it, runs `body`, then stops the server, destroys the cluster and removes the
 * server's datadir template, also when `body` fails.
 */
export async function withDatabaseBench<T>(
  params: DatabaseParams,
  body: (bench: DatabaseBench) => Promise<T>,
): Promise<T> {
  const diskMiB = diskSizes(params.datadirMib)
  say(
    `creating h0 + ${TARGETS.length} targets at ${params.mbit} Mbit/s, /srv ${diskMiB.source}/${diskMiB.target} MiB`,
  )
  const specs = ['h0', ...TARGETS].map((name) => ({
    name,
    rateMbit: params.mbit,
    diskMiB: name === 'h0' ? diskMiB.source : diskMiB.target,
  }))
  const cluster = await createCluster(specs)
  try {
    const source = { db: await startMariadb(cluster, 'h0') }
    try {
      const seeded = await seedDatadir(source.db, params.datadirMib)
      const ratio = await gzipRatio(source.db, seeded.tables[0] ?? 'fx.t1')
      const linkBytesPerSecond = (params.mbit * 1e6) / 8
      return await body({
        cluster,
        cli: params.cli,
        source,
        seeded,
        gzipRatio: ratio,
        linkBytesPerSecond,
        diskMiB,
      })
    } finally {
      await source.db
        .stop()
        .catch((err: unknown) => say(`stopping the source's server failed: ${String(err)}`))
    }
  } finally {
    await cluster.destroy()
    // The datadir template mariadb-install-db made for this process, outside the cluster.
    await removeMariadbTemplate()
  }
}
