import { execa } from 'execa'
import type { Cluster } from './cluster.js'
import type { MariaDb } from './mariadb.js'
import { helperPath, runOrThrow, splitArgv } from './run-command.js'

/** Where a backup stands in its server's binlog: `xtrabackup_binlog_info`'s three fields. */
export interface BinlogInfo {
  file: string
  position: number
  /** The GTID position to start a replica of the restored copy from (`gtid_slave_pos`). */
  gtid: string
}

/** Options for {@link streamBackup}. */
export interface StreamBackupOptions {
  /** More mariadb-backup options, e.g. `--slave-info` when backing up a replica. */
  args?: readonly string[]
  /** Default 120 s, for the backup and the unpacking alike. */
  timeoutMs?: number
}

/**
 * Takes a hot backup of `source` with `mariadb-backup --backup --stream=xbstream` inside its host
 * and pipes the stream, through the test process, into `mbstream -x` inside `toHost`, which
 * unpacks it into `dir` (made if missing). Returns mariadb-backup's log (its stderr).
 */
export async function streamBackup(
  source: MariaDb,
  toHost: string,
  dir: string,
  opts: StreamBackupOptions = {},
): Promise<string> {
  const { cluster } = source
  const options = { reject: false, env: { PATH: helperPath() }, timeout: opts.timeoutMs ?? 120_000 } as const
  // With --stream nothing is written to --target-dir, but mariadb-backup still wants one.
  const mktemp = ['mktemp', '-d', '/srv/.backup.XXXXXX']
  const scratch = (await runOrThrow(cluster.hostArgv(source.host, mktemp))).trim()
  try {
    await runOrThrow(cluster.hostArgv(toHost, ['mkdir', '-p', dir]))
    const backup = cluster.hostArgv(source.host, backupArgv(source, scratch, opts.args ?? []))
    // execa would also keep the whole stream in memory (failing past maxBuffer) and quote it in its
    // error message; it only has to go to mbstream.
    const producer = execa(...splitArgv(backup), { ...options, buffer: { stdout: false } })
    const unpack = cluster.hostArgv(toHost, ['mbstream', '-x', '-C', dir])
    const unpacked = await producer.pipe(...splitArgv(unpack), options)
    const backedUp = await producer
    if (backedUp.failed) throw new Error(`mariadb-backup on ${source.host} failed: ${tail(backedUp)}`)
    if (unpacked.failed) throw new Error(`mbstream on ${toHost} failed: ${tail(unpacked)}`)
    return backedUp.stderr
  } finally {
    await runOrThrow(cluster.hostArgv(source.host, ['rm', '-rf', scratch]))
  }
}

function backupArgv(source: MariaDb, scratch: string, args: readonly string[]): string[] {
  return [
    'mariadb-backup',
    '--no-defaults',
    '--backup',
    '--stream=xbstream',
    `--socket=${source.socket}`,
    '--user=root',
    `--target-dir=${scratch}`,
    ...args,
  ]
}

function tail(result: { shortMessage?: string | undefined; stderr: string }): string {
  return `${result.shortMessage ?? ''}\n${result.stderr.slice(-2000)}`.trim()
}

/** `mariadb-backup --prepare` on an unpacked backup in `dir`, so a server can start on it. */
export async function prepareBackup(cluster: Cluster, host: string, dir: string): Promise<string> {
  const argv = ['mariadb-backup', '--no-defaults', '--prepare', `--target-dir=${dir}`]
  const result = await execa(...splitArgv(cluster.hostArgv(host, argv)), {
    reject: false,
    env: { PATH: helperPath() },
    timeout: 120_000,
  })
  if (result.failed) throw new Error(`mariadb-backup --prepare on ${host} failed: ${tail(result)}`)
  return result.stderr
}

/** Reads the binlog position a backup in `dir` recorded (`xtrabackup_binlog_info`). */
export async function readBinlogInfo(cluster: Cluster, host: string, dir: string): Promise<BinlogInfo> {
  const text = await runOrThrow(cluster.hostArgv(host, ['cat', `${dir}/xtrabackup_binlog_info`]))
  const [file = '', position = '', gtid = ''] = text.trim().split('\t')
  if (file === '' || !/^\d+$/.test(position)) throw new Error(`unexpected xtrabackup_binlog_info: ${text}`)
  return { file, position: Number(position), gtid }
}
