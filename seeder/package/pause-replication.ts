import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Logger } from 'pino'
import { FanoutError, stderrTail } from '../../shared/errors.js'
import type { Report } from '../control/report.js'

const run = promisify(execFile)

/**
 * transfer.py's --stop-slave: STOP SLAVE on the server behind `socket`, for a backup that must not
 * race the replica's own writes. Returns what starts it again, which does nothing if replication
 * was not running to begin with (a replica stopped by its operator stays stopped) and nothing the
 * second time. The mariadb client takes its credentials from the host's client config.
 */
export async function pauseReplication(
  socket: string,
  io: { log: Logger; report: Report },
): Promise<() => Promise<void>> {
  const { log, report } = io
  const status = await sql(socket, 'SHOW SLAVE STATUS\\G')
  if (status.trim() === '') {
    throw new FanoutError('REPLICATION', `--stop-slave: the server behind ${socket} is not a replica`)
  }
  const running = /Slave_IO_Running: Yes/.test(status) || /Slave_SQL_Running: Yes/.test(status)
  if (!running) {
    log.info({ socket }, 'replication was not running; left as it is')
    return async () => {}
  }
  await sql(socket, 'STOP SLAVE')
  report({ type: 'replication', stopped: true })
  log.info({ socket }, 'replication stopped for the backup')
  let resumed: Promise<void> | undefined
  return () => {
    resumed ??= sql(socket, 'START SLAVE').then(() => {
      report({ type: 'replication', stopped: false })
      log.info({ socket }, 'replication started again')
    })
    return resumed
  }
}

async function sql(socket: string, statement: string): Promise<string> {
  try {
    const { stdout } = await run('mariadb', [
      `--socket=${socket}`,
      '--batch',
      '--connect-timeout=10',
      '-e',
      statement,
    ])
    return stdout
  } catch (err) {
    const failed = err as Error & { stderr?: string }
    throw new FanoutError(
      'REPLICATION',
      `${statement} failed: ${stderrTail(failed.stderr ?? failed.message)}`,
    )
  }
}
