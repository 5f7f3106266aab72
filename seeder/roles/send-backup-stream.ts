import { Transform, type TransformCallback } from 'node:stream'
import type { Logger } from 'pino'
import type { BackupOrder } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { backupManifest } from '../package/backup-manifest.js'
import { takeBackup } from '../package/take-backup.js'
import { sendOverLink } from '../stream/send-over-link.js'
import { connectToTarget } from '../stream/stream-link.js'
import type { StreamSourceRole } from './send-stream.js'

/**
 * The stream's source for a hot backup: each `send` takes a backup and streams it as
 * mariadb-backup writes it, so the target unpacks while the backup runs (one target: no spool, no
 * disk on the source). Several targets get one backup each, as transfer.py did.
 */
export function backupStreamSource(
  order: BackupOrder,
  workDir: string,
  io: { log: Logger; report: Report },
): StreamSourceRole {
  let current: { abort(): void } | undefined
  return {
    manifest: backupManifest(),
    send: async (command) => {
      const { stream } = command
      const key = stream.security.encrypt ? Buffer.from(stream.security.key, 'base64') : null
      const stopped = new AbortController()
      const backup = await takeBackup(order, workDir, io)
      const socket = await connectToTarget({ address: command.address, port: command.port, key }).catch(
        async (err: unknown) => {
          backup.abort()
          await backup.finished.catch(() => {})
          throw err
        },
      )
      current = {
        abort: () => {
          stopped.abort()
          backup.abort()
        },
      }
      let bytesRead = 0
      const body = backup.stream.pipe(endsOnlyIfBackupOk(backup.finished, (n) => (bytesRead += n)))
      try {
        const sent = await sendOverLink(body, socket, stream, stopped.signal)
        await backup.finished
        return { type: 'sent', bytesRead, ...sent }
      } catch (err) {
        backup.abort()
        await backup.finished.catch(() => {})
        // The backup's own words say more than the broken pipe they caused.
        throw await backup.finished.then(
          () => err,
          (backupErr: unknown) => backupErr,
        )
      }
    },
    stop: async () => current?.abort(),
  }
}

/**
 * Passes the xbstream through, but ends it only once mariadb-backup has said "completed OK!": a
 * backup that fails must break the connection, never end it cleanly, or the target could take a
 * truncated stream that happens to end between two chunks for a whole backup.
 */
function endsOnlyIfBackupOk(finished: Promise<void>, onBytes: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      onBytes(chunk.length)
      done(null, chunk)
    },
    flush(done: TransformCallback) {
      finished.then(() => done(), done)
    },
  })
}
