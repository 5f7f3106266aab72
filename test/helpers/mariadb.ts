/**
 * Real MariaDB servers inside the cluster's hosts, for the database-replica tests (issue 16).
 *
 * What was found on Debian 12 (MariaDB 10.11.19, kernel 6.18, 2 cores):
 * - Binaries: `mariadbd` is in /usr/sbin (not on a non-root PATH); `mariadb`, `mariadb-admin`,
 *   `mariadb-install-db`, `mariadb-backup` and `mbstream` in /usr/bin. `mariabackup` is only a
 *   symlink to `mariadb-backup`; there is no `xbstream` binary, only `mbstream`.
 * - `mariadb-backup --backup --stream=xbstream --socket=S --user=root --target-dir=D` writes the
 *   stream to stdout and its log to stderr; it asks the server for the datadir (no --datadir needed)
 *   and leaves D empty. `mbstream -x -C DIR` unpacks it into an existing DIR. The backup holds
 *   `xtrabackup_binlog_info` (`<file>\t<pos>\t<gtid>`), `xtrabackup_checkpoints`,
 *   `xtrabackup_info` and `backup-my.cnf` (10.11 still uses the xtrabackup_ names, not
 *   mariadb_backup_); with `--slave-info`, from a replica, also `xtrabackup_slave_info`.
 *   `--prepare --target-dir=DIR` adds `xtrabackup_binlog_pos_innodb`. No binlogs are copied.
 * - This kernel's tmpfs accepts O_DIRECT (tmpfs has supported it since Linux 6.6), so the default
 *   flush method works; `--innodb-flush-method=fsync` is passed anyway, for older kernels.
 * - Sizes: 3 seeded tables of 3 MB of rows make 11 MiB .ibd files each; the datadir is ~80 MiB
 *   (16 MiB redo log, 12 MiB ibdata1 and ibtmp1) and a backup unpacks to ~52 MiB. A 1 MiB ibtmp1
 *   would not help: autoextend grows it by innodb_autoextend_increment, 64 MiB, at startup.
 * - Timings in the cluster: install-db 2-3 s (once per process, see mariadb-template.ts), a server
 *   start 0.5-1 s, seeding 0.3 s, a backup 2 s quiet and 4.5 s under the writer (~170 rows written
 *   meanwhile), mbstream keeps pace with it, prepare 0.7 s, a start on the prepared copy 1 s.
 * - An unknown option is reported in --log-error's file, not on stderr.
 */
import { join } from 'node:path'
import type { Cluster } from './cluster.js'
import { findCommand } from './cluster-unavailable-reason.js'
import { type Daemon, startDaemon } from './daemon.js'
import { INNODB_OPTIONS, mariadbTemplate } from './mariadb-template.js'
import { pollUntil } from './poll-until.js'
import { runCommand, runOrThrow } from './run-command.js'

/** A running MariaDB server inside one host of a cluster. */
export interface MariaDb {
  readonly cluster: Cluster
  readonly host: string
  /** The host's address, which the server listens on (with {@link MariaDb.port}). */
  readonly address: string
  readonly port: number
  readonly serverId: number
  /** `/srv/mysql-<name>`: the socket, pid file, error log and binlogs, beside the datadir. */
  readonly runDir: string
  readonly datadir: string
  readonly socket: string
  readonly pid: number
  /** Runs SQL as root over the unix socket; tab-separated rows without a header. Throws with stderr. */
  sql(query: string): Promise<string>
  /** Runs a query and returns its rows keyed by column name (e.g. `SHOW SLAVE STATUS`). */
  rows(query: string): Promise<Record<string, string>[]>
  /** Clean shutdown, then waits (bounded) for the process to exit. Idempotent. */
  stop(): Promise<void>
}

/** Options for {@link startMariadb}. */
export interface MariadbOptions {
  /** Names the run directory `/srv/mysql-<name>`; default `db`. */
  name?: string
  /** Default 3306; each host has its own network namespace. */
  port?: number
  /** Default: a number unique within this process. */
  serverId?: number
  /** Starts on this existing datadir (a restored backup) instead of a fresh copy of the template. */
  datadir?: string
}

const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 60_000
const QUERY_TIMEOUT_MS = 60_000
const BINARIES = ['mariadbd', 'mariadb', 'mariadb-admin', 'mariadb-install-db', 'mariadb-backup', 'mbstream']
let lastServerId = 0

/** Why no MariaDB server can be started here, or undefined; for `describe.skipIf`, like the cluster's. */
export function mariadbUnavailableReason(): string | undefined {
  const missing = BINARIES.filter((name) => findCommand(name) === undefined)
  return missing.length > 0 ? `missing ${missing.join(', ')}: run scripts/ci-deps.sh` : undefined
}

/** Starts a MariaDB server inside `host` and resolves once it answers queries on its socket. */
export async function startMariadb(
  cluster: Cluster,
  host: string,
  opts: MariadbOptions = {},
): Promise<MariaDb> {
  const address = cluster.hosts.find((h) => h.name === host)?.address
  if (address === undefined) throw new Error(`cluster ${cluster.id} has no host ${host}`)
  const runDir = `/srv/mysql-${opts.name ?? 'db'}`
  const datadir = opts.datadir ?? join(runDir, 'data')
  await runOrThrow(cluster.hostArgv(host, ['mkdir', '-p', join(runDir, 'binlog'), join(runDir, 'tmp')]))
  if (opts.datadir === undefined) {
    await runOrThrow(cluster.hostArgv(host, ['cp', '-a', await mariadbTemplate(), datadir]))
  }
  const port = opts.port ?? 3306
  const serverId = opts.serverId ?? ++lastServerId
  const argv = serverArgv({ runDir, datadir, address, port, serverId })
  // stderr only gets warnings: every error, even an unknown option, goes to --log-error in runDir.
  const daemon = startDaemon(cluster.hostArgv(host, argv), '/dev/null')
  const db = handle({ cluster, host, address, port, serverId, runDir, datadir }, daemon)
  await waitForServer(db, daemon)
  return db
}

function serverArgv(s: { runDir: string; datadir: string; address: string; port: number; serverId: number }) {
  return [
    'mariadbd',
    '--no-defaults',
    '--user=root',
    `--datadir=${s.datadir}`,
    `--socket=${s.runDir}/mysqld.sock`,
    `--pid-file=${s.runDir}/mysqld.pid`,
    `--log-error=${s.runDir}/error.log`,
    `--port=${s.port}`,
    `--bind-address=${s.address}`,
    `--server-id=${s.serverId}`,
    // Binlogs and relay logs outside the datadir keep it what a backup or a copy should carry.
    `--log-bin=${s.runDir}/binlog/binlog`,
    `--relay-log=${s.runDir}/binlog/relay-bin`,
    '--binlog-format=ROW',
    '--innodb-flush-method=fsync',
    '--innodb-buffer-pool-size=64M',
    // Temporary files (a big transaction's binlog cache) stay on the host's own disk too.
    `--tmpdir=${s.runDir}/tmp`,
    // The namespaces have no DNS; a reverse lookup of a replica's address would only stall.
    '--skip-name-resolve',
    ...INNODB_OPTIONS,
  ]
}

type Place = Omit<MariaDb, 'socket' | 'pid' | 'sql' | 'rows' | 'stop'>

function handle(place: Place, daemon: Daemon): MariaDb {
  const socket = `${place.runDir}/mysqld.sock`
  const client = async (args: readonly string[]): Promise<string> => {
    const argv = ['mariadb', '--no-defaults', `--socket=${socket}`, '--user=root', '--batch', ...args]
    return runOrThrow(place.cluster.hostArgv(place.host, argv), { timeoutMs: QUERY_TIMEOUT_MS })
  }
  return {
    ...place,
    socket,
    pid: daemon.pid,
    sql: (query) => client(['--skip-column-names', `--execute=${query}`]),
    rows: async (query) => parseRows(await client([`--execute=${query}`])),
    stop: () => stopServer(place, socket, daemon),
  }
}

/** Parses the client's batch output: a header line, then rows; tabs and newlines in values are escaped. */
function parseRows(output: string): Record<string, string>[] {
  const [header, ...lines] = output.split('\n').filter((line) => line !== '')
  if (header === undefined) return []
  const names = header.split('\t')
  return lines.map((line) => {
    const values = line.split('\t')
    return Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']))
  })
}

async function waitForServer(db: MariaDb, daemon: Daemon): Promise<void> {
  const outcome = await pollUntil(
    `mariadbd on ${db.host} to answer on ${db.socket}`,
    async () => (daemon.exited ? 'exited' : (await db.sql('SELECT 1')).trim() === '1' ? 'ready' : undefined),
    { timeoutMs: START_TIMEOUT_MS, intervalMs: 100 },
  ).catch(async (err: unknown) => {
    await daemon.stop()
    throw new Error(`${String(err)}; error log:\n${await errorLog(db)}`, { cause: err })
  })
  if (outcome === 'exited')
    throw new Error(`mariadbd on ${db.host} exited; error log:\n${await errorLog(db)}`)
}

async function stopServer(place: Place, socket: string, daemon: Daemon): Promise<void> {
  if (daemon.exited) return
  // mariadb-admin shutdown returns once the server has gone; the poll bounds it all the same.
  const admin = ['mariadb-admin', '--no-defaults', `--socket=${socket}`, '--user=root', 'shutdown']
  const shutdown = await runCommand(place.cluster.hostArgv(place.host, admin), { timeoutMs: STOP_TIMEOUT_MS })
  const exited = await pollUntil('mariadbd to exit', async () => (daemon.exited ? true : undefined), {
    timeoutMs: STOP_TIMEOUT_MS,
  }).catch(() => false)
  if (exited) return
  await daemon.stop()
  throw new Error(`mariadbd on ${place.host} did not shut down cleanly: ${shutdown.stderr.trim()}`)
}

/** The end of the server's error log, for the error that says it failed. */
export async function errorLog(db: Pick<MariaDb, 'cluster' | 'host' | 'runDir'>): Promise<string> {
  const tail = ['tail', '-n', '30', `${db.runDir}/error.log`]
  const result = await runCommand(db.cluster.hostArgv(db.host, tail), { timeoutMs: 10_000 })
  return result.exitCode === 0 ? result.stdout.trim() : `(no error log: ${result.stderr.trim()})`
}
