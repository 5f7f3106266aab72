import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import {
  type MariaDb,
  type MariadbOptions,
  mariadbUnavailableReason,
  startMariadb,
} from '../helpers/mariadb.js'
import { prepareBackup, readBinlogInfo, streamBackup } from '../helpers/mariadb-backup.js'
import { slaveRunning, startReplica, waitCaughtUp } from '../helpers/mariadb-replica.js'
import { seedTables, tableFingerprint } from '../helpers/mariadb-tables.js'
import { removeMariadbTemplate } from '../helpers/mariadb-template.js'
import { startWriter } from '../helpers/mariadb-writer.js'
import { pollUntil } from '../helpers/poll-until.js'
import { runOrThrow } from '../helpers/run-command.js'

const reason = clusterUnavailableReason() ?? mariadbUnavailableReason()
const SEED = { tables: 3, megabytes: 3 }
/** Rows per writer transaction; each transaction is one GTID in the primary's binlog. */
const BATCH = 5

/** The sequence number of a single-domain GTID position such as `0-1-42`. */
function gtidSeq(position: string): number {
  const seq = Number(position.trim().split('-')[2])
  if (!Number.isInteger(seq)) throw new Error(`not a single-domain GTID position: ${position}`)
  return seq
}

/**
 * The MariaDB fixture that the database-replica tests build on (issue 16): real servers inside the
 * cluster's hosts, a hot backup streamed from one host to another, prepared and started there, and
 * GTID replication over the cluster's network.
 */
describe.skipIf(reason !== undefined)(`the MariaDB fixture${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cluster: Cluster
  let primary: MariaDb
  let tables: string[]

  beforeAll(async () => {
    cluster = await createCluster([
      { name: 'h0', diskMiB: 320 },
      { name: 'h1', diskMiB: 320 },
      { name: 'h2', diskMiB: 320 },
    ])
    primary = await startMariadb(cluster, 'h0')
    tables = await seedTables(primary, SEED)
  }, 180_000)
  afterAll(async () => {
    try {
      await primary?.stop()
    } finally {
      await cluster?.destroy()
      await removeMariadbTemplate()
    }
  })

  /** A server that is stopped again when the current test finishes, pass or fail. */
  async function server(host: string, opts: MariadbOptions): Promise<MariaDb> {
    const db = await startMariadb(cluster, host, opts)
    onTestFinished(() => db.stop())
    return db
  }

  test('a server runs inside its host: root over the socket, binlog on, seeded tables', async () => {
    const vars = await primary.sql(
      'SELECT CURRENT_USER(), @@log_bin, @@binlog_format, @@server_id, @@datadir',
    )
    expect(vars.trim().split('\t')).toEqual([
      'root@localhost',
      '1',
      'ROW',
      String(primary.serverId),
      `${primary.datadir}/`,
    ])
    const fingerprint = await tableFingerprint(primary, tables)
    expect(Object.keys(fingerprint)).toEqual(['fx.t1', 'fx.t2', 'fx.t3'])
    for (const table of Object.values(fingerprint)) expect(table.rows).toBe(SEED.megabytes * 4096)
    // Its files are on h0's own /srv, which no other host sees.
    const inHost = await runOrThrow(cluster.hostArgv('h0', ['du', '-sm', `${primary.datadir}/fx`]))
    expect(Number.parseInt(inHost, 10)).toBeGreaterThanOrEqual(SEED.tables * SEED.megabytes)
    expect(await cluster.exec('h1', ['test', '-e', primary.datadir])).toMatchObject({ exitCode: 1 })
  }, 60_000)

  test('a hot backup under writes restores on another host to its binlog position, then catches up', async () => {
    const seeded = await tableFingerprint(primary, tables)
    const before = gtidSeq(await primary.sql('SELECT @@GLOBAL.gtid_binlog_pos'))
    const writer = startWriter(primary, 'fx.t1', { batch: BATCH })
    // Stops a writer that a failed assertion left running; the test itself reports the writer's errors.
    onTestFinished(async () => {
      await writer.stop().catch(() => undefined)
    })
    await pollUntil('the writer to commit', async () => (writer.rows > 0 ? true : undefined), {
      timeoutMs: 30_000,
    })

    const rowsAtStart = writer.rows
    await streamBackup(primary, 'h1', '/srv/restore')
    expect(writer.rows, 'rows written while the backup ran').toBeGreaterThan(rowsAtStart)
    await prepareBackup(cluster, 'h1', '/srv/restore')
    const info = await readBinlogInfo(cluster, 'h1', '/srv/restore')
    const copy = await server('h1', { name: 'copy', datadir: '/srv/restore' })

    // Every writer transaction is one GTID, so the backup's GTID says exactly which writes it holds.
    const atBackup = await tableFingerprint(copy, tables)
    const written = (gtidSeq(info.gtid) - before) * BATCH
    expect(atBackup['fx.t1']?.rows).toBe((seeded['fx.t1']?.rows ?? 0) + written)
    expect({ ...atBackup, 'fx.t1': undefined }).toEqual({ ...seeded, 'fx.t1': undefined })

    await startReplica(primary, copy, { gtidSlavePos: info.gtid })
    const { rows } = await writer.stop()
    expect(rows, 'the writer went on after the backup').toBeGreaterThan(written)
    await waitCaughtUp(primary, copy)
    const source = await tableFingerprint(primary, tables)
    expect(source['fx.t1']?.rows).toBe((seeded['fx.t1']?.rows ?? 0) + rows)
    expect(await tableFingerprint(copy, tables)).toEqual(source)
  }, 180_000)

  test('with writes stopped, a copy has the fingerprint of its source at the backup position', async () => {
    const log = await streamBackup(primary, 'h2', '/srv/quiet')
    expect(log).toContain('completed OK!')
    const files = await runOrThrow(cluster.hostArgv('h2', ['ls', '/srv/quiet']))
    expect(files.split('\n')).toEqual(
      expect.arrayContaining([
        'xtrabackup_binlog_info',
        'xtrabackup_checkpoints',
        'xtrabackup_info',
        'backup-my.cnf',
      ]),
    )
    await prepareBackup(cluster, 'h2', '/srv/quiet')
    const info = await readBinlogInfo(cluster, 'h2', '/srv/quiet')
    expect(info.gtid).toBe((await primary.sql('SELECT @@GLOBAL.gtid_binlog_pos')).trim())
    const copy = await server('h2', { name: 'quiet', datadir: '/srv/quiet' })
    expect(await tableFingerprint(copy, tables)).toEqual(await tableFingerprint(primary, tables))
  }, 180_000)

  test('replication between two hosts: threads run, rows arrive, a replica backup has slave info', async () => {
    const replica = await server('h2', { name: 'replica' })
    expect(await slaveRunning(replica)).toEqual({ io: false, sql: false })
    await startReplica(primary, replica)
    expect(await slaveRunning(replica)).toEqual({ io: true, sql: true })
    await primary.sql(
      "INSERT INTO fx.t2 (id, payload, counter) VALUES (2000000000, 'after the replica started', 1)",
    )
    await waitCaughtUp(primary, replica)
    expect(await tableFingerprint(replica, tables)).toEqual(await tableFingerprint(primary, tables))

    await streamBackup(replica, 'h1', '/srv/from-replica', { args: ['--slave-info'] })
    const slaveInfo = await runOrThrow(
      cluster.hostArgv('h1', ['cat', '/srv/from-replica/xtrabackup_slave_info']),
    )
    expect(slaveInfo).toContain((await replica.sql('SELECT @@GLOBAL.gtid_slave_pos')).trim())

    await replica.sql('STOP SLAVE')
    expect(await slaveRunning(replica)).toEqual({ io: false, sql: false })
  }, 180_000)
})
