import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { Logger } from 'pino'
import { FanoutError, stderrTail } from '../../shared/errors.js'
import type { BackupOrder } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { pauseReplication } from './pause-replication.js'

export interface RunningBackup {
  /** The xbstream, as mariadb-backup writes it. */
  stream: Readable
  /**
   * Settles when mariadb-backup has exited and replication runs again (if it was paused): resolves
   * only on exit status 0 with "completed OK!" in its log, else rejects with the log's tail.
   */
  finished: Promise<void>
  /** Stops the backup early (the transfer failed or was interrupted); replication is resumed. */
  abort(): void
}

/**
 * A hot backup of the server behind `order.socket`: `mariadb-backup --backup --stream=xbstream`,
 * with the connection's credentials from the host's own client config (fanout passes none), and
 * `--slave-info` so a replica's backup says where its primary stood. Its scratch directory (empty
 * with --stream, but required) is made under `workDir` and removed when it exits. With
 * `order.stopSlave`, replication is stopped first and started again as soon as the backup exits,
 * whatever happened.
 */
export async function takeBackup(
  order: BackupOrder,
  workDir: string,
  io: { log: Logger; report: Report },
): Promise<RunningBackup> {
  const { log } = io
  const resumeReplication = order.stopSlave ? await pauseReplication(order.socket, io) : async () => {}
  let scratch: string
  try {
    scratch = await mkdtemp(join(workDir, 'fanout-backup-'))
  } catch (err) {
    await resumeReplication()
    throw err
  }
  const args = [
    '--backup',
    '--stream=xbstream',
    `--socket=${order.socket}`,
    `--datadir=${order.datadir}`,
    `--target-dir=${scratch}`,
    '--slave-info',
  ]
  const child = spawn('mariadb-backup', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let logText = ''
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    logText = (logText + text).slice(-16_384)
  })
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new FanoutError(
          'BACKUP_FAILED',
          err.code === 'ENOENT'
            ? 'mariadb-backup is not installed on the source'
            : `mariadb-backup: ${err.message}`,
        ),
      ),
    )
    child.on('close', (status, signal) => {
      if (status === 0 && /completed OK!/.test(logText)) return resolve()
      const why =
        status === null
          ? `killed by ${signal}`
          : status === 0
            ? 'no "completed OK!"'
            : `exit status ${status}`
      reject(
        new FanoutError('BACKUP_FAILED', `mariadb-backup failed (${why}): ${stderrTail(logText, 600)}`, {
          command: 'mariadb-backup',
          exitCode: status,
          stderr: logText,
        }),
      )
    })
  })
  const finished = exited.finally(async () => {
    await rm(scratch, { recursive: true, force: true })
    await resumeReplication()
  })
  finished.catch(() => {})
  log.info({ socket: order.socket, stopSlave: order.stopSlave }, 'backup started')
  return {
    stream: child.stdout,
    finished,
    abort: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill()
    },
  }
}
