import { dirname } from 'node:path'
import type { Logger } from 'pino'
import type { AgentCommand, ServedCounts } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { digestFiles } from '../package/digest-files.js'
import { hashPieces } from '../package/hash-pieces.js'
import { type PayloadFiles, scanTree } from '../package/scan-tree.js'
import { shareHardLinks } from '../package/share-hard-links.js'
import { choosePieceLength } from '../policy/piece-length.js'
import { type Seeding, startSeeding } from './start-seeding.js'

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
  const { manifest, files } = shareHardLinks(await scanTree(command.sourcePath))
  report({ type: 'scanned', files: manifest.entries.name.length, bytes: manifest.totalBytes })
  if (files.length === 0) {
    report({ type: 'seeding', torrent: null, infoHash: null, contentId: null, manifest, trackerUrl: null })
    return { hashed: Promise.resolve(), stop: async () => {}, served: () => null }
  }
  const incremental = command.incremental === true
  if (incremental) await digestFiles(manifest, files, signal)
  const pieceLength = choosePieceLength(manifest.totalBytes, { incremental })
  // The torrent's paths start with the source's own name, so its parent is the store root.
  const storePath = dirname(command.sourcePath)
  const seeding = await startSeeding(command, { manifest, files, pieceLength, storePath }, { report, log })
  const { swarm, served } = seeding
  const stopHashing = new AbortController()
  const hashed = hashWhileSeeding(
    seeding,
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
  seeding: Seeding,
  files: PayloadFiles,
  pieceLength: number,
  report: Report,
  signal: AbortSignal,
): Promise<void> {
  const totalBytes = seeding.swarm.torrent.length
  const reportHashing = throttled((hashedBytes: number) =>
    report({ type: 'hashing', hashedBytes, totalBytes }),
  )
  await hashPieces(files, pieceLength, { onProgress: reportHashing, onPiece: seeding.pieceHashed, signal })
  seeding.flushHashes()
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
