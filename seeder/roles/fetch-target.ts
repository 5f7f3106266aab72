import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Torrent } from 'webtorrent'
import { FanoutError } from '../../shared/errors.js'
import type { AgentCommand, PieceHashes } from '../../shared/messages.js'
import { makePeerId } from '../../shared/peer-id.js'
import { announceUrl, deriveSwarmKeys } from '../../shared/swarm-keys.js'
import { every, type Report } from '../control/report.js'
import { openFirewall, peerPort } from '../firewall/firewall-holes.js'
import { materialize } from '../place/materialize.js'
import { placeIntoTarget } from '../place/place-into-target.js'
import { KnownHashes } from '../policy/known-hashes.js'
import { PayloadStore } from '../store/payload-store.js'
import { WriteBacklog } from '../store/write-backlog.js'
import { addOwnTorrent, parseOwnTorrent } from '../swarm/add-own-torrent.js'
import { checkDoneByCount } from '../swarm/check-done-by-count.js'
import { dropDuplicateWires } from '../swarm/drop-duplicate-wires.js'
import { learnPieceHashes, startWithNoPieces } from '../swarm/piece-hashes.js'
import { schedulePieces } from '../swarm/piece-scheduler.js'
import { skipMetadataExchange } from '../swarm/skip-metadata-exchange.js'
import {
  countersOf,
  createSwarmClient,
  destroyClient,
  destroyTorrent,
  UPLOAD_SLOTS,
} from '../swarm/swarm-client.js'

type FetchCommand = Extract<AgentCommand, { type: 'fetch' }>

export interface TargetRole {
  /** Hashes from the source: their pieces may be asked for now (after checking a resumed copy's). */
  learnPieceHashes(hashes: PieceHashes): Promise<void>
  /** Stops sharing, rebuilds metadata, verifies and moves the copy to its final name. */
  finalize(): Promise<string>
  stop(): Promise<void>
}

const PROGRESS_MS = 500

/**
 * Joins the swarm and downloads into a hidden staging directory named after the content, so an
 * interrupted run leaves something a later run of the same payload resumes from (each piece already
 * there is checked once its hash arrives, before any peer is asked for it). Keeps uploading to
 * other targets once complete.
 */
export async function fetchTarget(command: FetchCommand, report: Report, log: Logger): Promise<TargetRole> {
  const stagingDir = join(command.targetDir, command.stagingName)
  const resumed = await mkdir(stagingDir, { mode: 0o700 }).then(
    () => false,
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
      log.info({ stagingDir }, 'resuming from an earlier staging copy')
      return true
    },
  )
  const keys = deriveSwarmKeys(command.swarm)
  const peerId = makePeerId({ role: 'target', ...command.placement })
  const client = createSwarmClient(keys.psk, command.bwlimit, peerId)
  const closeFirewall = await openFirewall(
    command.transferId,
    [await peerPort(client)],
    command.firewall,
    log,
    report,
  )
  let stopProgress = () => {}
  let materialized: Promise<void> | undefined
  const materializeOnce = (): Promise<void> => {
    materialized ??= materialize(command.manifest, join(stagingDir, command.manifest.name))
    return materialized
  }
  let torrent: Torrent | undefined
  let known: KnownHashes | undefined
  let scheduler: { wake(): void } | undefined
  let complete = false
  if (command.torrent === null || command.trackerUrl === null) {
    complete = true
    report({ type: 'complete', bytes: 0 })
  } else {
    client.on('error', (err: Error) => report({ type: 'error', code: 'AGENT_FAILED', message: err.message }))
    const backlog = new WriteBacklog()
    const bytes = Buffer.from(command.torrent, 'base64')
    const parsed = parseOwnTorrent(bytes)
    const pieceCount = parsed.pieces.length
    torrent = addOwnTorrent(
      client,
      bytes,
      {
        path: stagingDir,
        store: PayloadStore,
        storeOpts: { backlog },
        // Nothing is held until its hash arrives; a resumed copy's pieces are checked then.
        skipVerify: true,
        uploads: UPLOAD_SLOTS,
        announce: [announceUrl(command.trackerUrl, keys.trackerSecret)],
      },
      parsed,
    )
    startWithNoPieces(torrent)
    checkDoneByCount(torrent, pieceCount)
    dropDuplicateWires(torrent, peerId)
    known = new KnownHashes(pieceCount)
    scheduler = schedulePieces(torrent, pieceCount, command.placement, command.bwlimit, backlog, known)
    skipMetadataExchange(torrent)
    const joined = torrent
    joined.on('error', (err: Error) => report({ type: 'error', code: 'AGENT_FAILED', message: err.message }))
    joined.once('done', () => {
      complete = true
      report({ type: 'complete', bytes: joined.length })
      // The copy's metadata is restored while this target still serves the others, not after the
      // last target is done: for a tree of 20,000 files that is 80,000 calls per target, all at the
      // end of the run. Nothing writes to the copy any more; reads keep its access times
      // (payload-store.ts). A failure surfaces at finalize.
      materializeOnce().catch(() => {})
    })
    stopProgress = every(PROGRESS_MS, () => report({ type: 'progress', ...countersOf(joined) }))
  }
  let left: Promise<void> | undefined
  const leaveSwarm = () => {
    left ??= (async () => {
      stopProgress()
      if (torrent !== undefined) await destroyTorrent(torrent)
      await destroyClient(client)
      await closeFirewall()
    })()
    return left
  }
  return {
    learnPieceHashes: async ({ first, digests }) => {
      if (torrent === undefined || known === undefined)
        throw new FanoutError('AGENT_PROTOCOL', 'piece hashes for an empty payload')
      const count = await learnPieceHashes(torrent, first, Buffer.from(digests, 'base64'), resumed)
      known.add(first, count)
      scheduler?.wake()
    },
    finalize: async () => {
      // Files can have their full size long before every piece is in them; only 'done' means verified.
      if (!complete) throw new FanoutError('VERIFY_FAILED', 'finalize before every piece was verified')
      await leaveSwarm()
      await materializeOnce()
      return placeIntoTarget(stagingDir, command.targetDir, command.manifest.name)
    },
    stop: leaveSwarm,
  }
}
