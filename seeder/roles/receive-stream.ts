import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { AgentCommand, AgentReport, BackupPosition, PieceHashes } from '../../shared/messages.js'
import { errorCodeOf } from '../control/error-code.js'
import { every, type Report } from '../control/report.js'
import { type CloseHoles, openFirewall } from '../firewall/firewall-holes.js'
import { landUnpacked, unpackDirIn } from '../place/land-unpacked.js'
import { materialize } from '../place/materialize.js'
import { placeIntoTarget } from '../place/place-into-target.js'
import { finishUnpacked } from '../place/prepare-backup.js'
import { unpackArchive } from '../place/unpack-archive.js'
import { flipByte } from '../store/flip-byte.js'
import { ReadBack } from '../store/read-back.js'
import { chain } from '../stream/chain.js'
import { decompressor } from '../stream/codec.js'
import { listenForSource, type StreamListener } from '../stream/stream-link.js'
import { unpackTree } from '../stream/unpack-tree.js'
import { WireTap } from '../stream/wire-tap.js'

type ReceiveCommand = Extract<AgentCommand, { type: 'receive' }>

const PROGRESS_MS = 500

export interface StreamTargetRole {
  port: number
  learnPieceHashes(hashes: PieceHashes): Promise<void>
  /** Checks the copy against the source's hashes (read-back), restores metadata, moves it into place. */
  finalize(): Promise<Omit<Extract<AgentReport, { type: 'finalized' }>, 'type'>>
  stop(): Promise<void>
}

/**
 * The target of compatibility mode: listens first (a busy port fails before anything is written),
 * opens a firewall hole for the source alone, then unpacks the stream into a staging directory as
 * it arrives and reports `complete` at its end. A stream does not resume: a copy that did not land
 * is removed when the agent stops.
 */
export async function receiveStream(
  command: ReceiveCommand,
  report: Report,
  log: Logger,
): Promise<StreamTargetRole> {
  const { stream } = command
  const key = stream.security.encrypt ? Buffer.from(stream.security.key, 'base64') : null
  const listener = await listenForSource({
    address: command.address,
    port: command.port,
    peer: command.sourceAddress,
    key,
  })
  const stagingDir = join(command.targetDir, command.stagingName)
  let closeHoles: CloseHoles = async () => {}
  let landed = false
  try {
    closeHoles = await openFirewall(stream.transferId, [listener.port], stream.firewall, log, report)
    await mkdir(stagingDir, { mode: 0o700 })
  } catch (err) {
    listener.close()
    await closeHoles()
    throw err
  }
  const readBack = stream.checksum === 'read-back' ? new ReadBack() : undefined
  const received = receive(listener, command, stagingDir, readBack, report)
  received.catch((err: unknown) =>
    report({ type: 'error', code: errorCodeOf(err), message: (err as Error).message }),
  )
  log.info({ port: listener.port, stagingDir }, 'listening for the stream')
  return {
    port: listener.port,
    learnPieceHashes: async ({ first, digests }) => readBack?.learn(first, Buffer.from(digests, 'base64')),
    finalize: async () => {
      await received
      const checked = await readBack?.finish()
      const { path, backup } = await land(command, stagingDir)
      landed = true
      return {
        path,
        ...(checked === undefined ? {} : { readBackSeconds: checked.seconds }),
        ...(backup === undefined ? {} : { backup }),
      }
    },
    stop: async () => {
      listener.close()
      await closeHoles()
      if (!landed) await rm(stagingDir, { recursive: true, force: true })
    },
  }
}

async function land(
  command: ReceiveCommand,
  stagingDir: string,
): Promise<{ path: string; backup?: BackupPosition | undefined }> {
  const { manifest, targetDir, unpack } = command
  if (unpack === undefined) {
    await materialize(manifest, join(stagingDir, manifest.name))
    return { path: await placeIntoTarget(stagingDir, targetDir, manifest.name) }
  }
  const unpackDir = unpackDirIn(stagingDir, manifest.name)
  const backup = await finishUnpacked(unpackDir, { ...command, unpack })
  const path = await landUnpacked(unpackDir, unpack, targetDir, command.stagingName)
  // Nobody else reads the archive: it goes at once.
  await rm(stagingDir, { recursive: true, force: true })
  return { path, backup }
}

async function receive(
  listener: StreamListener,
  command: ReceiveCommand,
  stagingDir: string,
  readBack: ReadBack | undefined,
  report: Report,
): Promise<void> {
  const socket = await listener.accepted
  const tap = new WireTap(command.stream.checksum === 'in-flight')
  // A tree counts the file bytes it writes; an archive, the archive's bytes fed to its unpacker.
  let fileBytes = 0
  const archiveBytes = new WireTap(false)
  const written = () => (command.unpack === undefined ? fileBytes : archiveBytes.bytes)
  let lastWritten = 0
  let lastTick = performance.now()
  const stopReporting = every(PROGRESS_MS, () => {
    const now = performance.now()
    const downloaded = written()
    const downloadRate = ((downloaded - lastWritten) * 1000) / (now - lastTick)
    lastWritten = downloaded
    lastTick = now
    report({ type: 'progress', downloaded, uploaded: 0, downloadRate, uploadRate: 0, peers: 1 })
  })
  let corrupt = command.corruptForTest === true
  try {
    const input = chain(socket, [tap, ...decompressor(command.stream.compress)])
    if (command.unpack !== undefined) {
      // An archive is unpacked as it arrives, never stored: the same bytes, half the disk.
      const unpackDir = unpackDirIn(stagingDir, command.manifest.name)
      await mkdir(unpackDir, { mode: 0o700 })
      await unpackArchive(chain(input, [archiveBytes]), command.unpack, unpackDir)
    } else
      await unpackTree(input, stagingDir, {
        onWritten: (bytes) => {
          fileBytes += bytes
        },
        onChunk: (chunk) => {
          if (corrupt) {
            flipByte(chunk.path, chunk.offset)
            corrupt = false
          }
          readBack?.wrote(chunk)
        },
      })
  } finally {
    stopReporting()
    socket.destroy()
  }
  report({ type: 'complete', bytes: written(), wireBytes: tap.bytes, streamDigest: tap.digest() })
}
