import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import type { Logger } from 'pino'
import type { AgentCommand, AgentReport, Manifest, PieceHashes } from '../../shared/messages.js'
import type { Report } from '../control/report.js'
import { type ScannedTree, scanTree } from '../package/scan-tree.js'
import { HashBatches } from '../policy/hash-batches.js'
import { packTree } from '../stream/pack-tree.js'
import { sendOverLink } from '../stream/send-over-link.js'
import { connectToTarget } from '../stream/stream-link.js'

type SendCommand = Extract<AgentCommand, { type: 'send' }>
type Sent = Extract<AgentReport, { type: 'sent' }>

export interface StreamSourceRole {
  manifest: Manifest
  /** Streams the payload to one listening target; several targets are sent to one after another. */
  send(command: SendCommand): Promise<Sent>
  stop(): Promise<void>
}

/**
 * The source of compatibility mode: scans once, then sends the payload as a tar stream (compressed,
 * encrypted) over one TCP connection to each target in turn, reading the files again for each, as
 * transfer.py does. With the read-back checksum it hashes each chunk of file data as it reads it
 * and reports the hashes, which the orchestrator relays to the target.
 */
export async function scanStreamSource(
  sourcePath: string,
  report: Report,
  log: Logger,
): Promise<StreamSourceRole> {
  const tree = await scanTree(sourcePath)
  report({ type: 'scanned', files: tree.manifest.entries.name.length, bytes: tree.manifest.totalBytes })
  let current: AbortController | undefined
  return {
    manifest: tree.manifest,
    send: async (command) => {
      current = new AbortController()
      return sendTree(tree, sourcePath, command, { report, log, signal: current.signal })
    },
    stop: async () => current?.abort(),
  }
}

async function sendTree(
  tree: ScannedTree,
  sourcePath: string,
  command: SendCommand,
  io: { report: Report; log: Logger; signal: AbortSignal },
): Promise<Sent> {
  const { stream } = command
  const key = stream.security.encrypt ? Buffer.from(stream.security.key, 'base64') : null
  const socket = await connectToTarget({ address: command.address, port: command.port, key })
  io.log.info({ address: command.address, port: command.port, compress: stream.compress }, 'streaming')
  const batches = new HashBatches()
  const sendHashes = (hashes: PieceHashes | undefined) => {
    if (hashes !== undefined) io.report({ type: 'pieceHashes', ...hashes })
  }
  let bytesRead = 0
  const body =
    command.raw === true
      ? rawFile(sourcePath, (bytes) => {
          bytesRead += bytes
        })
      : Readable.from(
          packTree(tree, {
            onRead: (bytes) => {
              bytesRead += bytes
            },
            ...(stream.checksum === 'read-back'
              ? { onChunk: (digest: Buffer) => sendHashes(batches.add(digest, Date.now())) }
              : {}),
            signal: io.signal,
          }),
          { objectMode: false },
        )
  const sent = await sendOverLink(body, socket, stream, io.signal)
  sendHashes(batches.flush(Date.now()))
  return { type: 'sent', bytesRead, ...sent }
}

/** The payload file's bytes as they are: an archive that the target unpacks as it arrives. */
function rawFile(path: string, onRead: (bytes: number) => void): Readable {
  return createReadStream(path, { highWaterMark: 1024 * 1024 }).on('data', (chunk) => onRead(chunk.length))
}
