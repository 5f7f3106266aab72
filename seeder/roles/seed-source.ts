import { dirname } from 'node:path'
import type { Logger } from 'pino'
import type { Torrent } from 'webtorrent'
import type { AgentCommand, PieceHashes, ServedCounts } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { buildTorrent } from '../package/build-torrent.js'
import { hashPieces } from '../package/hash-pieces.js'
import { type PayloadFile, scanTree } from '../package/scan-tree.js'
import { HashBatches } from '../policy/hash-batches.js'
import { choosePieceLength } from '../policy/piece-length.js'
import { ServedBlocks } from '../policy/served-blocks.js'
import { BLOCK_LENGTH } from '../swarm/block-length.js'
import { joinSwarm } from '../swarm/join-swarm.js'
import { seedHashedPiece } from '../swarm/piece-hashes.js'

type SeedCommand = Extract<AgentCommand, { type: 'seed' }>

export interface SourceRole {
  /**
   * Settles when every piece is hashed and its hash reported; rejects if hashing failed (the source
   * changed under it, a read error). Stopping ends it quietly.
   */
  hashed: Promise<void>
  stop(): Promise<void>
  /** What the seed queued to peers, and how much of it more than once; null when there was nothing to seed. */
  served(): ServedCounts | null
}

const PROGRESS_MS = 500
/**
 * The source's whole job: describe the payload, join the swarm with its private tracker, seed, and
 * hash the payload in place while seeding it (piece-hashes.ts). Reports 'seeding' with everything a
 * target needs to join before the first piece is hashed, then the hashes as they come.
 */
export async function seedSource(
  command: SeedCommand,
  report: Report,
  log: Logger,
  signal: AbortSignal,
): Promise<SourceRole> {
  const { manifest, files } = await scanTree(command.sourcePath)
  report({ type: 'scanned', files: manifest.entries.length, bytes: manifest.totalBytes })
  if (files.length === 0) {
    report({ type: 'seeding', torrent: null, infoHash: null, manifest, trackerUrl: null })
    return { hashed: Promise.resolve(), stop: async () => {}, served: () => null }
  }
  const pieceLength = choosePieceLength(manifest.totalBytes)
  const { torrent, infoHash } = buildTorrent(manifest, files, pieceLength)
  const served = new ServedBlocks(manifest.totalBytes, BLOCK_LENGTH)
  const swarm = await joinSwarm(
    {
      settings: command.swarm,
      role: { kind: 'source', site: command.site, dataAddress: command.dataAddress, served },
      torrent: { bytes: torrent },
      // The torrent's paths start with the source's own name, so its parent is the store root.
      storePath: dirname(command.sourcePath),
    },
    { report, log },
  )
  log.info(
    { infoHash, pieceLength, bytes: manifest.totalBytes, encrypted: command.swarm.security.encrypt },
    'seeding',
  )
  report({
    type: 'seeding',
    torrent: torrent.toString('base64'),
    infoHash,
    manifest,
    trackerUrl: swarm.trackerUrl,
  })
  const stopHashing = new AbortController()
  const hashed = hashWhileSeeding(
    swarm.torrent,
    files,
    pieceLength,
    report,
    AbortSignal.any([signal, stopHashing.signal]),
  )
  return {
    hashed: hashed.catch((err: unknown) => {
      if (!stopHashing.signal.aborted && !signal.aborted) throw err
    }),
    stop: async () => {
      stopHashing.abort()
      await hashed.catch(() => {})
      await swarm.leave()
    },
    served: () => served.counts(),
  }
}

/** Hashes the payload, seeding each piece and reporting its hash (in batches) as soon as it is known. */
async function hashWhileSeeding(
  torrent: Torrent,
  files: PayloadFile[],
  pieceLength: number,
  report: Report,
  signal: AbortSignal,
): Promise<void> {
  const totalBytes = torrent.length
  const reportHashing = throttled((hashedBytes: number) =>
    report({ type: 'hashing', hashedBytes, totalBytes }),
  )
  const batches = new HashBatches()
  const send = (hashes: PieceHashes | undefined) => {
    if (hashes !== undefined) report({ type: 'pieceHashes', ...hashes })
  }
  await hashPieces(files, pieceLength, {
    onProgress: reportHashing,
    onPiece: (index, digest) => {
      seedHashedPiece(torrent, index, digest)
      send(batches.add(digest, Date.now()))
    },
    signal,
  })
  send(batches.flush(Date.now()))
  report({ type: 'hashing', hashedBytes: totalBytes, totalBytes })
}

/** Reports at most every PROGRESS_MS, so hashing a million small files does not flood the channel. */
function throttled(send: (value: number) => void): (value: number) => void {
  let last = 0
  return (value) => {
    const now = Date.now()
    if (now - last < PROGRESS_MS) return
    last = now
    send(value)
  }
}
