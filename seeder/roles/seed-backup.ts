import { closeSync, openSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { AgentCommand } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { BACKUP_NAME, backupManifest } from '../package/backup-manifest.js'
import { takeBackup } from '../package/take-backup.js'
import { HASH_BATCH_MS } from '../policy/hash-batches.js'
import { choosePieceLength } from '../policy/piece-length.js'
import { SpoolPieces } from '../store/spool-pieces.js'
import type { SourceRole } from './seed-source.js'
import { startSeeding } from './start-seeding.js'

type SeedCommand = Extract<AgentCommand, { type: 'seed' }>
type BackupSeed = NonNullable<SeedCommand['backup']>

/**
 * The swarm's source for a hot backup. Its size is known only at its end, so the torrent is made
 * for the most it may reach (`capacity`) and grows into it: mariadb-backup's stream is spooled to
 * a file in the agent's private directory and hashed on the way (SpoolPieces), each piece seeded
 * the moment it is on disk and its hash sent to the targets, which fetch while the backup runs.
 * Once the backup completed OK the last piece is padded and `payloadEnd` says where the backup
 * ends; targets are done when they hold that many pieces. The spool goes when the role stops.
 */
export async function seedBackup(
  command: SeedCommand,
  backup: BackupSeed,
  workDir: string,
  io: { report: Report; log: Logger; signal: AbortSignal },
): Promise<SourceRole> {
  const { report, log } = io
  const spoolDir = await mkdtemp(join(workDir, 'fanout-spool-'))
  const removeSpool = () => rm(spoolDir, { recursive: true, force: true })
  const fd = openSync(join(spoolDir, BACKUP_NAME), 'w+', 0o600)
  const pieceLength = choosePieceLength(backup.capacity)
  const manifest = backupManifest(backup.capacity)
  const file = { path: '', absPath: join(spoolDir, BACKUP_NAME), size: backup.capacity }
  const payload = { manifest, files: [file], pieceLength, storePath: spoolDir, run: command.swarm.transferId }
  const seeding = await startSeeding(command, payload, io).catch(async (err: unknown) => {
    closeSync(fd)
    await removeSpool()
    throw err
  })
  const { swarm, served } = seeding
  const stopping = new AbortController()
  const signal = AbortSignal.any([io.signal, stopping.signal])
  const spool = new SpoolPieces(fd, pieceLength, backup.capacity, seeding.pieceHashed)
  const pumped = (async () => {
    const running = await takeBackup(backup, workDir, io)
    const onAbort = () => running.abort()
    signal.addEventListener('abort', onAbort)
    // A backup can write nothing for a while (large tables' pages come in bursts): hashes already
    // made must not wait for the next piece to be sent.
    const flusher = setInterval(seeding.flushHashes, HASH_BATCH_MS)
    try {
      for await (const chunk of running.stream) spool.write(chunk as Buffer)
      await running.finished
      const end = spool.finish()
      seeding.flushHashes()
      log.info({ infoHash: seeding.infoHash, ...end }, 'backup spooled')
      report({ type: 'payloadEnd', ...end })
    } catch (err) {
      running.abort()
      await running.finished.catch(() => {})
      throw err
    } finally {
      clearInterval(flusher)
      signal.removeEventListener('abort', onAbort)
    }
  })()
  pumped.catch(() => {})
  return {
    hashed: pumped.catch((err: unknown) => {
      if (!signal.aborted) throw err
    }),
    stop: async () => {
      stopping.abort()
      await pumped.catch(() => {})
      await swarm.leave()
      closeSync(fd)
      await removeSpool()
    },
    served: () => served.counts(),
  }
}
