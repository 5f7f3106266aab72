import { createHash } from 'node:crypto'
import type WebTorrent from 'webtorrent'
import type { AddOptions, ParsedTorrent, Torrent } from 'webtorrent'
import { pieceCacheSlots } from '../policy/memory-budget.js'
import { byteString, DICT, decodeBencode, END, type Reader, readValue, skipValue } from './decode-bencode.js'
import { TorrentFiles } from './torrent-files.js'
import type { TorrentInternals } from './webtorrent-internals.js'

/**
 * `client.add` for a torrent that build-torrent.ts made, without webtorrent 2.8.5 re-encoding it.
 *
 * Given the bytes, webtorrent decodes them, encodes the info dict again to hash it, then encodes the
 * whole torrent twice more (Torrent#_processParsedTorrent runs for the parsed torrent, and again from
 * _onMetadata). For a 20,000-file tree that is 0.8 MB of bencode through a slow encoder four times:
 * about a second of CPU per agent, and on a loaded host five seconds at the start in which the agent
 * answers nobody. Here the torrent is decoded once, its info hash is taken from its own bytes, and
 * webtorrent gets it parsed, keeping these bytes as its .torrent.
 *
 * The piece cache is sized in bytes (memory-budget.ts) unless `opts` says otherwise. A caller that
 * needs the torrent's shape before webtorrent has processed it (that happens a few microtasks later:
 * until then its `pieces` is empty) parses it first and passes `parsed`.
 *
 * Relies on _processParsedTorrent, pinned with the version (package.json pins webtorrent exactly).
 */
export function addOwnTorrent(
  client: WebTorrent,
  torrent: Uint8Array,
  opts: AddOptions,
  parsed: OwnTorrent = parseOwnTorrent(torrent),
): Torrent {
  // webtorrent's option, missing from its type definitions.
  const cache = { storeCacheSlots: pieceCacheSlots(parsed.pieceLength) } as AddOptions
  const storeOpts = { ...opts.storeOpts, payloadFiles: parsed.payloadFiles }
  const added = client.add(parsed, { ...cache, ...opts, storeOpts })
  const internals = added as unknown as TorrentInternals
  const process = internals._processParsedTorrent
  internals._processParsedTorrent = function (this: TorrentInternals, given) {
    // The second run, from _onMetadata, hands the torrent itself over: nothing left to do.
    if (given === (this as unknown)) return
    // Without `info`, the .torrent webtorrent encodes for itself is a few bytes; ours replaces it.
    process.call(this, { ...given, info: undefined })
    this.torrentFile = torrent
    lazyInfo(added, given.info, torrent)
  }
  return added
}

/**
 * webtorrent needs the decoded info dict only to see that the metadata is there, until it has built
 * its files and pieces (the 'metadata' event). It gets the dict without its file list, lets go of it
 * then, and the whole dict is decoded from the bytes if anything ever asks.
 */
function lazyInfo(torrent: Torrent, info: unknown, bytes: Uint8Array): void {
  let kept: unknown = info
  Object.defineProperty(torrent, 'info', {
    configurable: true,
    enumerable: true,
    get: () => kept ?? (decodeBencode(asBuffer(bytes)) as { info: unknown }).info,
    set: (value: unknown) => {
      kept = value
    },
  })
  torrent.once('metadata', () => {
    kept = undefined
  })
}

/** The info dict as webtorrent is given it: everything but the file list (see parseOwnTorrent). */
interface InfoHead {
  name: Uint8Array
  'piece length': number
  pieces: Uint8Array
  private?: number
  length?: number
}

/** What parse-torrent makes of one of our torrents, with its real files apart (torrent-files.ts). */
export interface OwnTorrent extends ParsedTorrent {
  /** The payload's files, which the store reads and writes: `files` is one file spanning them. */
  payloadFiles: TorrentFiles
}

/** build-torrent.ts writes `{ info }` and nothing else, so the info dict is these bytes exactly. */
const PREFIX = 'd4:info'

/**
 * What parse-torrent makes of the torrent (the fields webtorrent reads), computed the cheap way.
 * webtorrent makes an object (an EventEmitter with a dozen fields and two Sets) for every file of a
 * torrent, and walks them in places; for a tree of 20,000 files that was tens of MiB of an agent's
 * heap. It needs files only to hand them to the store and for its own file API, which agents never
 * use. So `files` is one file spanning the payload, and the store gets the real ones as
 * `payloadFiles`. `info` leaves the file list out: webtorrent only checks that it is there. The info
 * dict's bytes, and so the info hash and what peers exchange, are unchanged.
 */
export function parseOwnTorrent(torrent: Uint8Array): OwnTorrent {
  const bytes = asBuffer(torrent)
  if (bytes.toString('latin1', 0, PREFIX.length) !== PREFIX) throw notOurs()
  const reader = { bytes, position: PREFIX.length }
  const { info, files } = readInfo(reader)
  // Nothing may follow the info dict but the end of the outer one.
  if (reader.position !== bytes.length - 1 || bytes[reader.position] !== END) throw notOurs()
  const infoHashBuffer = createHash('sha1').update(bytes.subarray(PREFIX.length, -1)).digest()
  const name = text(info.name)
  const payloadFiles = files?.(name) ?? TorrentFiles.single(bytes, name, info.length ?? 0)
  const length = payloadFiles.count === 0 ? 0 : payloadFiles.offset(payloadFiles.count)
  const pieceLength = info['piece length']
  return {
    info,
    infoHash: infoHashBuffer.toString('hex'),
    infoHashBuffer,
    name,
    private: info.private !== undefined ? info.private !== 0 : undefined,
    announce: [],
    urlList: [],
    files: [{ path: name, name, length, offset: 0 }],
    payloadFiles,
    length,
    pieceLength,
    lastPieceLength: length % pieceLength || pieceLength,
    pieces: splitPieces(info.pieces),
  }
}

/** The info dict's keys but `files`, whose list is read once the name is known (it comes later). */
function readInfo(reader: Reader): { info: InfoHead; files?: (name: string) => TorrentFiles } {
  const head: Record<string, unknown> = {}
  let filesAt: number | undefined
  if (reader.bytes[reader.position] !== DICT) throw notOurs()
  reader.position++
  while (reader.bytes[reader.position] !== END) {
    const key = byteString(reader).toString('utf8')
    if (key === 'files') {
      filesAt = reader.position
      skipValue(reader)
    } else head[key] = readValue(reader)
  }
  reader.position++
  const info = head as unknown as InfoHead
  if (filesAt === undefined) return { info }
  const at = filesAt
  return { info, files: (name) => TorrentFiles.list({ bytes: reader.bytes, position: at }, name) }
}

function notOurs(): Error {
  return new Error('not a torrent made by build-torrent.ts')
}

function splitPieces(pieces: Uint8Array): string[] {
  const hex = asBuffer(pieces).toString('hex')
  const out: string[] = []
  for (let i = 0; i < hex.length; i += 40) out.push(hex.slice(i, i + 40))
  return out
}

function text(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('utf8')
}

/** The same bytes as a Buffer, without a copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
