import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { FanoutError, isFanoutError } from '../../shared/errors.js'
import type {
  AgentCommand,
  AgentReport,
  BackupPosition,
  PayloadEnd,
  PieceHashes,
} from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { landUnpacked, unpackDirIn } from '../place/land-unpacked.js'
import { materialize } from '../place/materialize.js'
import { openStaging } from '../place/open-staging.js'
import { placeIntoTarget } from '../place/place-into-target.js'
import { finishUnpacked } from '../place/prepare-backup.js'
import { checksItsOwnBytes, unpackStaged } from '../place/unpack-archive.js'
import { KnownHashes } from '../policy/known-hashes.js'
import { flipByte } from '../store/flip-byte.js'
import { storedFiles } from '../store/locate-span.js'
import { readBackPieces } from '../store/read-back-pieces.js'
import { WriteBacklog } from '../store/write-backlog.js'
import { type OwnTorrent, parseOwnTorrent } from '../swarm/add-own-torrent.js'
import { type JoinedSwarm, joinSwarm } from '../swarm/join-swarm.js'
import { learnPieceHashes } from '../swarm/piece-hashes.js'
import type { TorrentInternals } from '../swarm/webtorrent-internals.js'

type FetchCommand = Extract<AgentCommand, { type: 'fetch' }>
type Finalized = Omit<Extract<AgentReport, { type: 'finalized' }>, 'type'>
type Holdings = Omit<Extract<AgentReport, { type: 'holdings' }>, 'type'>

/** What is ready once every piece is held, before the copy lands. */
interface Landed {
  readBackSeconds: number | undefined
  backup?: BackupPosition | undefined
}

export interface TargetRole {
  /** Hashes from the source: their pieces may be asked for now (after checking a resumed copy's). */
  learnPieceHashes(hashes: PieceHashes): Promise<void>
  /** A growing payload (a hot backup) ended: it is `bytes` long, in its first `pieces` pieces. */
  payloadEnd(end: PayloadEnd): void
  /** The pieces held, for the orchestrator to tell whether the swarm can finish without its source. */
  holdings(): Holdings
  /**
   * Verifies, rebuilds metadata and moves the copy to its final name, as soon as it is complete;
   * keeps serving the others from there (or from the archive in staging) until `stop`.
   */
  finalize(): Promise<Finalized>
  stop(): Promise<void>
}

/**
 * Joins the swarm and downloads into a hidden staging directory named after the content, so an
 * interrupted run leaves something a later run of the same payload resumes from (each piece already
 * there is checked once its hash arrives, before any peer is asked for it). Keeps uploading to
 * other targets once complete.
 */
export async function fetchTarget(command: FetchCommand, report: Report, log: Logger): Promise<TargetRole> {
  const { stagingDir, checkHeld, unlock } = await openStaging(command, report, log)
  const unpackDir = unpackDirIn(stagingDir, command.manifest.name)
  // Read back (with --checksum), then metadata: both start once every piece is held, while this
  // target still serves the others, and finalize waits for them.
  let landing: Promise<Landed> | undefined
  // Why the copy could not land, once unpacked: some failures make the staging copy worthless.
  let landingFailure: unknown
  // A read-back of terabytes must end with the agent, not keep it reading after `stop`.
  const stopping = new AbortController()
  const prepareLanding = (): Promise<Landed> => {
    landing ??= readBackOnce(command, fetching, end, stagingDir, stopping.signal).then(
      async (readBackSeconds) => {
        const payload = join(stagingDir, command.manifest.name)
        const { unpack } = command
        if (unpack === undefined) {
          await materialize(command.manifest, payload)
          return { readBackSeconds }
        }
        await unpackStaged(payload, unpack, unpackDir, { signal: stopping.signal, length: end?.bytes })
        return {
          readBackSeconds,
          backup: await finishUnpacked(unpackDir, { ...command, unpack }, stopping.signal),
        }
      },
    )
    return landing
  }
  const fetching =
    command.torrent === null || command.trackerUrl === null
      ? undefined
      : await joinAsTarget(command, command.torrent, command.trackerUrl, stagingDir, { report, log })
  // The swarm holds the torrent's bytes now; its base64 text would live as long as the command (the
  // role's closures keep it), 13 MiB for a tree of 200,000 files.
  command.torrent = null
  // Set when a growing payload ends; until then its torrent cannot be done.
  let end: PayloadEnd | undefined
  let landed = false
  let complete = fetching === undefined
  if (fetching === undefined) report({ type: 'complete', bytes: 0 })
  else {
    const { torrent } = fetching.swarm
    torrent.once('done', () => {
      complete = true
      report({
        type: 'complete',
        bytes: end?.bytes ?? torrent.length,
        received: (torrent as unknown as TorrentInternals).received,
      })
      // The copy's metadata is restored while this target still serves the others, not after the
      // last target is done: for a tree of 20,000 files that is 80,000 calls per target, all at the
      // end of the run. Nothing writes to the copy any more; reads keep its access times
      // (payload-store.ts). A failure surfaces at finalize.
      prepareLanding().catch(() => {})
    })
  }
  const leaveSwarm = async () => fetching?.swarm.leave()
  return {
    learnPieceHashes: async ({ first, digests }) => {
      if (fetching === undefined) throw new FanoutError('AGENT_PROTOCOL', 'piece hashes for an empty payload')
      const { swarm, known } = fetching
      const count = await learnPieceHashes(swarm.torrent, first, Buffer.from(digests, 'base64'), checkHeld)
      known.add(first, count)
      swarm.wake()
    },
    holdings: () => {
      if (fetching === undefined) return { bitfield: '', pieces: 0 }
      const { torrent } = fetching.swarm
      const internals = torrent as unknown as TorrentInternals
      const pieces = command.growing === true ? (end?.pieces ?? null) : fetching.parsed.pieces.length
      return { bitfield: Buffer.from(internals.bitfield.buffer).toString('base64'), pieces }
    },
    payloadEnd: (ended) => {
      if (fetching === undefined || command.growing !== true) {
        throw new FanoutError('AGENT_PROTOCOL', 'an end for a payload that does not grow')
      }
      end = ended
      fetching.swarm.expectPieces(ended.pieces)
    },
    finalize: async () => {
      // Files can have their full size long before every piece is in them; only 'done' means verified.
      if (!complete) throw new FanoutError('VERIFY_FAILED', 'finalize before every piece was verified')
      try {
        const { readBackSeconds, backup } = await prepareLanding()
        const path =
          command.unpack === undefined
            ? await placeIntoTarget(stagingDir, command.targetDir, command.manifest.name, (root) =>
                fetching?.swarm.serveFrom(root),
              )
            : await landUnpacked(unpackDir, command.unpack, command.targetDir, command.stagingName).catch(
                (err: unknown) => {
                  landingFailure = err
                  throw err
                },
              )
        landed = true
        return {
          path,
          ...(readBackSeconds === undefined ? {} : { readBackSeconds }),
          ...(backup === undefined ? {} : { backup }),
        }
      } catch (err) {
        // A copy that failed its read-back must not be served; one that could not land need not be.
        await leaveSwarm()
        throw err
      }
    },
    stop: async () => {
      stopping.abort()
      await leaveSwarm()
      // A landed archive's staging directory held it for the others until now.
      if (landed && command.unpack !== undefined) await rm(stagingDir, { recursive: true, force: true })
      if (!landed) {
        const failure =
          landingFailure ??
          (await landing?.then(
            () => undefined,
            (err: unknown) => err,
          ))
        await removeWhatCannotResume(command, stagingDir, unpackDir, failure)
      }
      await unlock()
    },
  }
}

/**
 * What a target that did not land keeps for a later run: a copy, a file or an archive resumes from
 * its staging directory. Not a hot backup (never taken twice alike), not an archive that proved
 * wrong (the same one would fail again), and never a half-done unpacking, which starts afresh.
 */
async function removeWhatCannotResume(
  command: FetchCommand,
  stagingDir: string,
  unpackDir: string,
  failure: unknown,
): Promise<void> {
  if (command.growing === true || (isFanoutError(failure) && failure.code === 'SOURCE_FORMAT')) {
    await rm(stagingDir, { recursive: true, force: true })
  } else if (command.unpack !== undefined) {
    await rm(unpackDir, { recursive: true, force: true })
  }
}

/** The --checksum read-back of a complete swarm copy; undefined when not asked for (or nothing to read). */
async function readBackOnce(
  command: FetchCommand,
  fetching: Fetching | undefined,
  end: PayloadEnd | undefined,
  stagingDir: string,
  signal: AbortSignal,
): Promise<number | undefined> {
  if (!command.checksum || fetching === undefined) return undefined
  const { parsed, swarm } = fetching
  // A growing payload's torrent is sized for the most it could reach; only its pieces count.
  const length = end === undefined ? parsed.length : end.pieces * parsed.pieceLength
  const files =
    end === undefined
      ? parsed.payloadFiles
      : storedFiles([{ path: parsed.payloadFiles.path(0), offset: 0, length }])
  if (command.corruptForTest === true && files.count > 0) flipByte(join(stagingDir, files.path(0)), 0)
  // Unpacking such an archive checks the same bytes; the test hook above is caught there.
  if (command.unpack !== undefined && checksItsOwnBytes(command.unpack)) return undefined
  const stored = {
    root: stagingDir,
    files,
    pieceLength: parsed.pieceLength,
    length,
    hashes: (swarm.torrent as unknown as TorrentInternals)._hashes.slice(0, end?.pieces),
  }
  return (await readBackPieces(stored, signal)).seconds
}

async function joinAsTarget(
  command: FetchCommand,
  torrent: string,
  trackerUrl: string,
  stagingDir: string,
  io: { report: Report; log: Logger },
): Promise<Fetching> {
  const bytes = Buffer.from(torrent, 'base64')
  const parsed = parseOwnTorrent(bytes)
  const known = new KnownHashes(parsed.pieces.length)
  const role = {
    kind: 'target',
    placement: command.placement,
    trackerUrl,
    backlog: new WriteBacklog(),
    known,
  } as const
  const swarm = await joinSwarm(
    { settings: command.swarm, role, torrent: { bytes, parsed }, storePath: stagingDir },
    io,
  )
  return { swarm, known, parsed }
}

interface Fetching {
  swarm: JoinedSwarm
  known: KnownHashes
  parsed: OwnTorrent
}
