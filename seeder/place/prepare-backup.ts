import { execFile } from 'node:child_process'
import { lchown, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { FanoutError, stderrTail } from '../../shared/errors.js'
import type { ArchiveFormat, BackupPosition } from '../../shared/messages.js'

const run = promisify(execFile)

/**
 * Where a backup says it stands, as mariadb-backup wrote it: the binlog coordinates of the server it
 * was taken on and, from a replica, that replica's own primary. Both the old `xtrabackup_` names
 * and the new `mariadb_backup_` ones are read. Null where the backup has no such file.
 */
export async function readBackupPosition(dir: string): Promise<BackupPosition> {
  return {
    binlogInfo: await firstFile(dir, ['mariadb_backup_binlog_info', 'xtrabackup_binlog_info']),
    slaveInfo: await firstFile(dir, ['mariadb_backup_slave_info', 'xtrabackup_slave_info']),
  }
}

/**
 * `--prepare`: makes an unpacked backup a datadir a server can start on (the redo log applied),
 * then gives every file to the owner of the directory it will land in, as mysqld runs as that user.
 * The backup's own failure (an exit status, or no "completed OK!") fails with its log's tail.
 */
export async function prepareBackup(dir: string, ownerOf: string, signal?: AbortSignal): Promise<void> {
  await runBackupTool(['--prepare', `--target-dir=${dir}`], signal)
  const { uid, gid } = await stat(ownerOf)
  await chownTree(dir, uid, gid)
}

/** MariaDB's name for it since 10.5 (`mariabackup` before, now a link to it); the pre-flight checks it. */
const BACKUP_COMMAND = 'mariadb-backup'

async function runBackupTool(args: string[], signal?: AbortSignal): Promise<void> {
  const command = BACKUP_COMMAND
  let stderr: string
  try {
    // Its log goes to stderr, and a large prepare writes a lot of it: room for 64 MiB.
    ;({ stderr } = await run(command, args, { maxBuffer: 64 * 2 ** 20, ...(signal ? { signal } : {}) }))
  } catch (err) {
    const failed = err as Error & { stderr?: string }
    const log = failed.stderr ?? failed.message
    throw new FanoutError('PREPARE_FAILED', `${command} --prepare failed: ${stderrTail(log)}`, {
      command,
      stderr: log,
    })
  }
  if (!/completed OK!/.test(stderr)) {
    throw new FanoutError('PREPARE_FAILED', `${command} --prepare did not complete: ${stderrTail(stderr)}`, {
      command,
      stderr,
    })
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await lchown(dir, uid, gid)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await chownTree(path, uid, gid)
    else await lchown(path, uid, gid)
  }
}

async function firstFile(dir: string, names: string[]): Promise<string | null> {
  for (const name of names) {
    try {
      return (await readFile(join(dir, name), 'utf8')).trim()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  return null
}

/**
 * What an unpacked archive needs before it lands: a backup is prepared when asked, and its position
 * read; other archives need nothing. Undefined when the archive is not a backup.
 */
export async function finishUnpacked(
  dir: string,
  command: { unpack: ArchiveFormat; prepare?: boolean; targetDir: string },
  signal?: AbortSignal,
): Promise<BackupPosition | undefined> {
  if (command.unpack !== 'xbstream') return undefined
  if (command.prepare === true) await prepareBackup(dir, command.targetDir, signal)
  return readBackupPosition(dir)
}
