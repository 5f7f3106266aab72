import { closeSync, openSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { AgentCommand, PieceHashes } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { BACKUP_NAME, backupManifest } from '../package/backup-manifest.js'
import { buildTorrent } from '../package/build-torrent.js'
import { takeBackup } from '../package/take-backup.js'
import { HASH_BATCH_MS, HashBatches } from '../policy/hash-batches.js'
import { choosePieceLength } from '../policy/piece-length.js'
import { ServedBlocks } from '../policy/served-blocks.js'
import { SpoolPieces } from '../store/spool-pieces.js'
import { BLOCK_LENGTH } from '../swarm/block-length.js'
import { joinSwarm } from '../swarm/join-swarm.js'
import { seedHashedPiece } from '../swarm/piece-hashes.js'
import type { SourceRole } from './seed-source.js'

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
  const manifest = backupManifest()
  const file = { path: '', absPath: join(spoolDir, BACKUP_NAME), size: backup.capacity }
  const sized = { ...manifest, totalBytes: backup.capacity }
  const { torrent, infoHash } = buildTorrent(sized, [file], pieceLength, command.swarm.transferId)
  const served = new ServedBlocks(backup.capacity, BLOCK_LENGTH)
  const swarm = await joinSwarm(
    {
      settings: command.swarm,
      role: { kind: 'source', site: command.site, dataAddress: command.dataAddress, served },
      torrent: { bytes: torrent },
      storePath: spoolDir,
    },
    io,
  ).catch(async (err: unknown) => {
    closeSync(fd)
    await removeSpool()
    throw err
  })
  report({
    type: 'seeding',
    torrent: torrent.toString('base64'),
    infoHash,
    manifest,
    trackerUrl: swarm.trackerUrl,
  })
  const stopping = new AbortController()
  const signal = AbortSignal.any([io.signal, stopping.signal])
  const batches = new HashBatches()
  const send = (hashes: PieceHashes | undefined) => {
    if (hashes !== undefined) report({ type: 'pieceHashes', ...hashes })
  }
  const spool = new SpoolPieces(fd, pieceLength, backup.capacity, (index, digest) => {
    seedHashedPiece(swarm.torrent, index, digest)
    send(batches.add(digest, Date.now()))
  })
  const pumped = (async () => {
    const running = await takeBackup(backup, workDir, io)
    const onAbort = () => running.abort()
    signal.addEventListener('abort', onAbort)
    // A backup can write nothing for a while (large tables' pages come in bursts): hashes already
    // made must not wait for the next piece to be sent.
    const flusher = setInterval(() => send(batches.flush(Date.now())), HASH_BATCH_MS)
    try {
      for await (const chunk of running.stream) spool.write(chunk as Buffer)
      await running.finished
      const end = spool.finish()
      send(batches.flush(Date.now()))
      log.info({ infoHash, ...end }, 'backup spooled')
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
