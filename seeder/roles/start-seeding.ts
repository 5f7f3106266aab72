import type { Logger } from 'pino'
import type { AgentCommand, Manifest, PieceHashes } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { buildTorrent } from '../package/build-torrent.js'
import type { PayloadFiles } from '../package/scan-tree.js'
import { HashBatches } from '../policy/hash-batches.js'
import { ServedBlocks } from '../policy/served-blocks.js'
import { requestLength } from '../swarm/block-length.js'
import { type JoinedSwarm, joinSwarm } from '../swarm/join-swarm.js'
import { seedHashedPiece } from '../swarm/piece-hashes.js'

type SeedCommand = Extract<AgentCommand, { type: 'seed' }>

/** A payload as a source seeds it: what it is, and where its bytes lie. */
export interface SeedPayload {
  manifest: Manifest
  files: PayloadFiles
  pieceLength: number
  /** The directory the torrent's paths are relative to. */
  storePath: string
  /** Names the torrent after this run alone: a payload that exists only for it (a hot backup). */
  run?: string
}

export interface Seeding {
  swarm: JoinedSwarm
  infoHash: string
  served: ServedBlocks
  /** Seeds a piece whose hash is now known and sends the hash on to the targets, in batches. */
  pieceHashed(index: number, digest: Buffer): void
  /** Sends the hashes a batch still holds. */
  flushHashes(): void
}

/**
 * What every source does before its first piece is hashed (piece-hashes.ts): make the torrent with
 * placeholder hashes, join the swarm with its private tracker, and report `seeding` with all a
 * target needs to join. The pieces then become seedable one by one, as their hashes are known.
 */
export async function startSeeding(
  command: SeedCommand,
  payload: SeedPayload,
  io: { report: Report; log: Logger },
): Promise<Seeding> {
  const { manifest, files, pieceLength } = payload
  const { torrent, infoHash, contentId } = buildTorrent(manifest, files, pieceLength, payload.run)
  // Counted per request, so that two small pieces never share one bit (and count as repeats).
  const served = new ServedBlocks(manifest.totalBytes, requestLength(pieceLength))
  const swarm = await joinSwarm(
    {
      settings: command.swarm,
      role: { kind: 'source', site: command.site, dataAddress: command.dataAddress, served },
      torrent: { bytes: torrent },
      storePath: payload.storePath,
    },
    io,
  )
  io.log.info(
    { infoHash, pieceLength, bytes: manifest.totalBytes, encrypted: command.swarm.security.encrypt },
    'seeding',
  )
  io.report({
    type: 'seeding',
    torrent: torrent.toString('base64'),
    infoHash,
    contentId,
    manifest,
    trackerUrl: swarm.trackerUrl,
  })
  const batches = new HashBatches()
  const send = (hashes: PieceHashes | undefined) => {
    if (hashes !== undefined) io.report({ type: 'pieceHashes', ...hashes })
  }
  return {
    swarm,
    infoHash,
    served,
    pieceHashed: (index, digest) => {
      seedHashedPiece(swarm.torrent, index, digest)
      send(batches.add(digest, Date.now()))
    },
    flushHashes: () => send(batches.flush(Date.now())),
  }
}
