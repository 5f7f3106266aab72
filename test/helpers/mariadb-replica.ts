import { randomBytes } from 'node:crypto'
import type { MariaDb } from './mariadb.js'
import { pollUntil } from './poll-until.js'

/** Options for {@link startReplica}. */
export interface ReplicaOptions {
  /**
   * Where the replica starts in the primary's binlog: the GTID a restored backup recorded (its
   * `xtrabackup_binlog_info`). Without it, a fresh replica replays the primary's binlog from the start.
   */
  gtidSlavePos?: string
  /** Default 60 s. */
  timeoutMs?: number
}

/** Whether the replica's two threads run, as `SHOW SLAVE STATUS` says. */
export interface SlaveThreads {
  io: boolean
  sql: boolean
}

const REPLICATION_USER = 'fanout_repl'

/**
 * Makes `replica` replicate from `primary` over the cluster's network, with GTIDs, and resolves
 * once both slave threads run. The replication account gets a fresh password, given through SQL
 * only; it is created outside the binlog, so replicas do not replay it.
 */
export async function startReplica(
  primary: MariaDb,
  replica: MariaDb,
  opts: ReplicaOptions = {},
): Promise<void> {
  const password = randomBytes(12).toString('hex')
  await primary.sql(
    `SET SESSION sql_log_bin = 0; CREATE OR REPLACE USER '${REPLICATION_USER}'@'%' IDENTIFIED BY '${password}'; ` +
      `GRANT REPLICATION SLAVE ON *.* TO '${REPLICATION_USER}'@'%';`,
  )
  const position =
    opts.gtidSlavePos === undefined ? '' : `SET GLOBAL gtid_slave_pos = '${opts.gtidSlavePos}'; `
  await replica.sql(
    `STOP SLAVE; ${position}CHANGE MASTER TO MASTER_HOST = '${primary.address}', MASTER_PORT = ${primary.port}, ` +
      `MASTER_USER = '${REPLICATION_USER}', MASTER_PASSWORD = '${password}', MASTER_USE_GTID = slave_pos, ` +
      'MASTER_CONNECT_RETRY = 1; START SLAVE;',
  )
  await pollUntil(
    `replication ${primary.host} -> ${replica.host} to run`,
    async () => {
      const threads = await slaveRunning(replica)
      if (threads.io && threads.sql) return true
      throw new Error(`slave threads ${JSON.stringify(threads)}: ${await slaveErrors(replica)}`)
    },
    { timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 100 },
  )
}

/** Whether `db`'s slave IO and SQL threads run; both false on a server that is no replica. */
export async function slaveRunning(db: MariaDb): Promise<SlaveThreads> {
  const [status] = await db.rows('SHOW SLAVE STATUS')
  return { io: status?.Slave_IO_Running === 'Yes', sql: status?.Slave_SQL_Running === 'Yes' }
}

/**
 * Waits until the replica has applied everything in the primary's binlog (its `gtid_slave_pos`
 * reaches the primary's `gtid_binlog_pos`) and returns that GTID position. Stop the writes first.
 */
export async function waitCaughtUp(primary: MariaDb, replica: MariaDb, timeoutMs = 60_000): Promise<string> {
  const target = (await primary.sql('SELECT @@GLOBAL.gtid_binlog_pos')).trim()
  await pollUntil(
    `${replica.host} to reach ${primary.host}'s GTID ${target}`,
    async () => {
      const applied = (await replica.sql('SELECT @@GLOBAL.gtid_slave_pos')).trim()
      if (applied === target) return true
      throw new Error(`at ${applied}: ${await slaveErrors(replica)}`)
    },
    { timeoutMs, intervalMs: 100 },
  )
  return target
}

async function slaveErrors(db: MariaDb): Promise<string> {
  const [status] = await db.rows('SHOW SLAVE STATUS')
  if (status === undefined) return 'not a replica'
  const { Slave_IO_State: state = '', Last_IO_Error: io = '', Last_SQL_Error: sql = '' } = status
  return `state '${state}', IO error '${io}', SQL error '${sql}'`
}
