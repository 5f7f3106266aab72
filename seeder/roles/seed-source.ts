import { once } from 'node:events'
import { dirname } from 'node:path'
import type { Logger } from 'pino'
import type { Torrent } from 'webtorrent'
import type { AgentCommand, PieceHashes, ServedCounts } from '../../shared/messages.js'
import { makePeerId } from '../../shared/peer-id.js'
import { announceUrl, deriveSwarmKeys } from '../../shared/swarm-keys.js'
import { startTracker } from '../../tracker/server.js'
import { every, type Report } from '../control/report.js'
import { openFirewall, peerPort } from '../firewall/firewall-holes.js'
import { buildTorrent } from '../package/build-torrent.js'
import { hashPieces } from '../package/hash-pieces.js'
import { type PayloadFile, scanTree } from '../package/scan-tree.js'
import { HashBatches } from '../policy/hash-batches.js'
import { choosePieceLength } from '../policy/piece-length.js'
import { ServedBlocks } from '../policy/served-blocks.js'
import { PayloadStore } from '../store/payload-store.js'
import { addOwnTorrent } from '../swarm/add-own-torrent.js'
import { BLOCK_LENGTH } from '../swarm/block-length.js'
import { checkDoneByCount } from '../swarm/check-done-by-count.js'
import { countServedBlocks } from '../swarm/count-served-blocks.js'
import { dropDuplicateWires } from '../swarm/drop-duplicate-wires.js'
import { seedHashedPiece, startWithNoPieces } from '../swarm/piece-hashes.js'
import { skipMetadataExchange } from '../swarm/skip-metadata-exchange.js'
import { countersOf, createSwarmClient, destroyClient, UPLOAD_SLOTS } from '../swarm/swarm-client.js'
import type { TorrentInternals } from '../swarm/webtorrent-internals.js'

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
/** Often enough that targets rarely wait for a hash, rarely enough to keep the channel quiet. */
const HASH_BATCH_MS = 200
const ANNOUNCE_TIMEOUT_MS = 15_000

/**
 * The source's whole job: describe the payload, start the private tracker, seed, and hash the
 * payload in place while seeding it (piece-hashes.ts). Reports 'seeding' with everything a target
 * needs to join before the first piece is hashed, then the hashes as they come.
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
  const { torrent, infoHash, pieceCount } = buildTorrent(manifest, files, pieceLength)
  const keys = deriveSwarmKeys(command.swarm)
  const tracker = await startTracker({ host: command.dataAddress, infoHash, secret: keys.trackerSecret, log })
  const peerId = makePeerId({ role: 'source', site: command.site, rank: 0 })
  const client = createSwarmClient(keys.psk, command.bwlimit, peerId)
  client.on('error', (err: Error) => report({ type: 'error', code: 'AGENT_FAILED', message: err.message }))
  const ports = [tracker.port, await peerPort(client)]
  const closeFirewall = await openFirewall(command.transferId, ports, command.firewall, log, report)
  const seeded = await addSeed(client, torrent, command.sourcePath, {
    announce: announceUrl(tracker.url, keys.trackerSecret),
    peerId,
    pieceCount,
  })
  const served = new ServedBlocks(manifest.totalBytes, BLOCK_LENGTH)
  countServedBlocks(seeded, pieceLength, served)
  const stopProgress = every(PROGRESS_MS, () => report({ type: 'progress', ...countersOf(seeded) }))
  log.info(
    { infoHash, pieceLength, bytes: manifest.totalBytes, encrypted: keys.psk !== undefined },
    'seeding',
  )
  report({
    type: 'seeding',
    torrent: torrent.toString('base64'),
    infoHash,
    manifest,
    trackerUrl: tracker.url,
  })
  const stopHashing = new AbortController()
  const hashed = hashWhileSeeding(
    seeded,
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
      stopProgress()
      await destroyClient(client)
      await tracker.close()
      await closeFirewall()
    },
    served: () => served.counts(),
  }
}

async function addSeed(
  client: ReturnType<typeof createSwarmClient>,
  torrent: Buffer,
  sourcePath: string,
  { announce, peerId, pieceCount }: { announce: string; peerId: string; pieceCount: number },
): Promise<Torrent> {
  const added = addOwnTorrent(client, torrent, {
    // The torrent's paths start with the source's own name, so its parent is the store root.
    path: dirname(sourcePath),
    store: PayloadStore,
    storeOpts: { readOnly: true },
    // Nothing to check: each piece is held from the moment it is hashed from these very files.
    skipVerify: true,
    uploads: UPLOAD_SLOTS,
    announce: [announce],
  })
  startWithNoPieces(added)
  checkDoneByCount(added, pieceCount)
  // The source never downloads; while its own pieces are still being hashed, webtorrent would
  // look for them on every wire update.
  ;(added as unknown as TorrentInternals)._updateWire = () => {}
  skipMetadataExchange(added)
  dropDuplicateWires(added, peerId)
  // Targets learn of peers only when they announce, so the source must be on the tracker's list
  // before any target is told to join, or the first target finds nobody to fetch from.
  const announced = once(added, 'trackerAnnounce', { signal: AbortSignal.timeout(ANNOUNCE_TIMEOUT_MS) })
  // events.once rejects on the torrent's 'error' event as well.
  const ready = once(added, 'ready')
  try {
    await Promise.all([announced, ready])
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err
    throw new Error('the source could not announce to its own tracker')
  }
  return added
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
  const batches = new HashBatches(HASH_BATCH_MS)
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
