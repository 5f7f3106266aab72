import { once } from 'node:events'
import type { Logger } from 'pino'
import type { ParsedTorrent, Torrent } from 'webtorrent'
import type { SwarmSettings } from '../../shared/messages.js'
import { makePeerId } from '../../shared/peer-id.js'
import type { Placement } from '../../shared/placement.js'
import { announceUrl, deriveSwarmKeys } from '../../shared/swarm-keys.js'
import { startTracker } from '../../tracker/server.js'
import { errorCodeOf } from '../control/error-code.js'
import { every, type Report } from '../control/report.js'
import { openFirewall, peerPort } from '../firewall/firewall-holes.js'
import type { KnownHashes } from '../policy/known-hashes.js'
import { WHOLE_COPY_MIN_PIECE } from '../policy/piece-length.js'
import type { ServedBlocks } from '../policy/served-blocks.js'
import { PayloadStore } from '../store/payload-store.js'
import type { WriteBacklog } from '../store/write-backlog.js'
import { addOwnTorrent, type OwnTorrent, parseOwnTorrent } from './add-own-torrent.js'
import { checkDoneByCount } from './check-done-by-count.js'
import { coalesceUpdates } from './coalesce-updates.js'
import { countServedBlocks } from './count-served-blocks.js'
import { type DroppedPeer, dropBadPeers } from './drop-bad-peers.js'
import { dropDuplicateWires } from './drop-duplicate-wires.js'
import { startWithNoPieces } from './piece-hashes.js'
import { schedulePieces } from './piece-scheduler.js'
import { serveOnly } from './serve-only.js'
import { skipMetadataExchange } from './skip-metadata-exchange.js'
import { countersOf, createSwarmClient, destroyClient, destroyTorrent, UPLOAD_SLOTS } from './swarm-client.js'

/** What only one side brings: the source serves the tracker and its files, a target fetches. */
export type SwarmRole =
  | {
      kind: 'source'
      /** The source's site; the tracker groups peers by site. */
      site: number
      /** Where the tracker listens: the address the targets reach this host on. */
      dataAddress: string
      /** Counts what the source hands to its peers (the usage report's `served`). */
      served: ServedBlocks
    }
  | {
      kind: 'target'
      placement: Placement
      /** The source's tracker, without the secret. */
      trackerUrl: string
      /** The store's writes in progress: the scheduler holds back requests while the disk is behind. */
      backlog: WriteBacklog
      /** The pieces whose hashes have arrived: only those are asked for. */
      known: KnownHashes
    }

export interface JoinRequest {
  settings: SwarmSettings
  role: SwarmRole
  /** A torrent made by build-torrent.ts; `parsed` when the caller has parsed it already. */
  torrent: { bytes: Uint8Array; parsed?: OwnTorrent }
  /** The directory the torrent's paths are relative to. */
  storePath: string
}

export interface JoinedSwarm {
  torrent: Torrent
  /** The tracker every peer announces to (on the source, the one started here). */
  trackerUrl: string
  /** More piece hashes are known: a target's scheduler looks again. Nothing to do on the source. */
  wake(): void
  /** A growing payload ended: the torrent is done once its first `pieces` are held. */
  expectPieces(pieces: number): void
  /**
   * A target's copy moved under `root` (it landed): it is served from there, read-only, until the
   * target leaves.
   */
  serveFrom(root: string): void
  /** Leaves the swarm: progress, torrent, client, tracker, firewall holes. Safe to call twice. */
  leave(): Promise<void>
}

const PROGRESS_MS = 500
const ANNOUNCE_TIMEOUT_MS = 15_000

/**
 * Joins the transfer's swarm, the same way for the source and every target: derive the keys from
 * the transfer's secret, start the tracker (source), make the peer id and the client, open the
 * firewall for the ports bound, add the torrent, install the interventions in webtorrent
 * (interventions.ts lists them), report progress. The source returns once the tracker lists it, so a
 * target told to join next finds it there.
 */
export async function joinSwarm(
  request: JoinRequest,
  io: { report: Report; log: Logger },
): Promise<JoinedSwarm> {
  const { settings, role } = request
  const parsed = request.torrent.parsed ?? parseOwnTorrent(request.torrent.bytes)
  const keys = deriveSwarmKeys(settings.security)
  const tracker = await trackerFor(role, parsed.infoHash, keys.trackerSecret, io.log)
  const peerId = makePeerId(
    role.kind === 'source'
      ? { role: 'source', site: role.site, rank: 0 }
      : { role: 'target', ...role.placement },
  )
  const client = createSwarmClient(keys.psk, settings.bwlimit, peerId)
  client.on('error', (err: Error) => io.report({ type: 'error', code: 'AGENT_FAILED', message: err.message }))
  let store: PayloadStore | undefined
  const ports = [await peerPort(client), ...tracker.ports]
  const closeFirewall = await openFirewall(settings.transferId, ports, settings.firewall, io.log, io.report)
  const torrent = addOwnTorrent(
    client,
    request.torrent.bytes,
    {
      path: request.storePath,
      store: PayloadStore,
      storeOpts:
        role.kind === 'source'
          ? { readOnly: true }
          : {
              backlog: role.backlog,
              corruptReadsForTest: process.env.FANOUT_TEST_SERVE_CORRUPT === '1',
              onCreated: (created: PayloadStore) => {
                store = created
              },
            },
      // Nothing is held until its hash is known: hashed on the source, arrived on a target (where a
      // resumed copy's pieces are checked then).
      skipVerify: true,
      uploads: UPLOAD_SLOTS,
      announce: [announceUrl(tracker.url, keys.trackerSecret)],
    },
    parsed,
  )
  torrent.on('error', (err: Error) =>
    io.report({ type: 'error', code: errorCodeOf(err), message: err.message }),
  )
  const dropped = (peer: DroppedPeer) => io.report({ type: 'peerDropped', ...peer })
  const { wake, expectPieces } = installInterventions(
    torrent,
    parsed,
    { peerId, role, dropped },
    settings.bwlimit,
  )
  const stopProgress = every(PROGRESS_MS, () => io.report({ type: 'progress', ...countersOf(torrent) }))
  let left: Promise<void> | undefined
  // The holes close last: until the client is gone its port still listens.
  const leave = () => {
    left ??= (async () => {
      stopProgress()
      // A target leaves its torrent first, keeping the store's files (its copy); the source's goes
      // with the client, at the same time as its connections.
      if (role.kind === 'target') await destroyTorrent(torrent)
      await destroyClient(client)
      await tracker.close()
      await closeFirewall()
    })()
    return left
  }
  if (role.kind === 'source') {
    await listed(torrent).catch(async (err: unknown) => {
      await leave()
      throw err
    })
  }
  const serveFrom = (root: string) => {
    if (store === undefined) throw new Error('the copy moved before its store was made')
    store.moveTo(root)
  }
  return { torrent, trackerUrl: tracker.url, wake, expectPieces, serveFrom, leave }
}

/** The source starts the transfer's tracker and must open its port; a target only announces to it. */
async function trackerFor(
  role: SwarmRole,
  infoHash: string,
  secret: string,
  log: Logger,
): Promise<{ url: string; ports: number[]; close(): Promise<void> }> {
  if (role.kind === 'target') return { url: role.trackerUrl, ports: [], close: async () => {} }
  const tracker = await startTracker({ host: role.dataAddress, infoHash, secret, log })
  return { url: tracker.url, ports: [tracker.port], close: () => tracker.close() }
}

/**
 * Every runtime intervention, in the one order that works: those that replace webtorrent's own
 * handling first, de-duplication before anything else listens for 'wire', then what each role adds.
 */
function installInterventions(
  torrent: Torrent,
  parsed: ParsedTorrent,
  { peerId, role, dropped }: { peerId: string; role: SwarmRole; dropped: (peer: DroppedPeer) => void },
  bwlimit: number | null,
): { wake: () => void; expectPieces: (pieces: number) => void } {
  const pieceCount = parsed.pieces.length
  startWithNoPieces(torrent)
  const expectPieces = checkDoneByCount(torrent, pieceCount)
  dropDuplicateWires(torrent, peerId)
  skipMetadataExchange(torrent)
  // Only pieces smaller than a whole copy's (a run with a base) bring bursts of haves worth it; with
  // whole-copy pieces, deferring the updates sent more requests to the source (swarm-efficiency).
  if (parsed.pieceLength < WHOLE_COPY_MIN_PIECE) coalesceUpdates(torrent)
  if (role.kind === 'source') {
    serveOnly(torrent)
    countServedBlocks(torrent, parsed.pieceLength, role.served)
    return { wake: () => {}, expectPieces }
  }
  dropBadPeers(torrent, dropped)
  const pieces = { count: pieceCount, length: parsed.pieceLength }
  const { wake } = schedulePieces(torrent, pieces, role.placement, bwlimit, role.backlog, role.known)
  return { wake, expectPieces }
}

/**
 * Targets learn of peers only when they announce, so the source must be on the tracker's list
 * before any target is told to join, or the first target finds nobody to fetch from.
 */
async function listed(torrent: Torrent): Promise<void> {
  const announced = once(torrent, 'trackerAnnounce', { signal: AbortSignal.timeout(ANNOUNCE_TIMEOUT_MS) })
  // events.once rejects on the torrent's 'error' event as well.
  const ready = once(torrent, 'ready')
  try {
    await Promise.all([announced, ready])
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err
    throw new Error('the source could not announce to its own tracker')
  }
}
