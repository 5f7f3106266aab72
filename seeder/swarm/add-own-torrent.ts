import { createHash } from 'node:crypto'
import { join, sep } from 'node:path'
import type WebTorrent from 'webtorrent'
import type { AddOptions, ParsedTorrent, Torrent } from 'webtorrent'
import { pieceCacheSlots } from '../policy/memory-budget.js'
import { decodeBencode } from './decode-bencode.js'
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
  parsed: ParsedTorrent = parseOwnTorrent(torrent),
): Torrent {
  // webtorrent's option, missing from its type definitions.
  const cache = { storeCacheSlots: pieceCacheSlots(parsed.pieceLength) } as AddOptions
  const storeOpts = { ...opts.storeOpts, payloadFiles: parsed.files }
  const added = client.add(asOneFile(parsed), { ...cache, ...opts, storeOpts })
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
 * webtorrent makes an object (an EventEmitter with a dozen fields and two Sets) for every file of a
 * torrent, and walks them in places; for a tree of 20,000 files that was tens of MiB of an agent's
 * heap. It needs files only to hand them to the store and for its own file API, which agents never
 * use. So it sees the payload as one file, and the store (payload-store.ts) gets the real list as
 * `payloadFiles`. The info dict, and so the info hash and what peers exchange, are unchanged.
 */
function asOneFile(parsed: ParsedTorrent): ParsedTorrent {
  return { ...parsed, files: [{ path: parsed.name, name: parsed.name, length: parsed.length, offset: 0 }] }
}

/**
 * webtorrent needs the decoded info dict only to see that the metadata is there, until it has built
 * its files and pieces (the 'metadata' event). It is then let go (for 20,000 files it is 40,000 small
 * objects) and decoded again from the bytes if anything ever asks.
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

interface InfoFile {
  length: number
  path: Uint8Array[]
}

interface InfoDict {
  name: Uint8Array
  'piece length': number
  pieces: Uint8Array
  private?: number
  length?: number
  files?: InfoFile[]
}

/** build-torrent.ts writes `{ info }` and nothing else, so the info dict is these bytes exactly. */
const PREFIX = 'd4:info'

/** What parse-torrent makes of the torrent (the fields webtorrent reads), computed the cheap way. */
export function parseOwnTorrent(torrent: Uint8Array): ParsedTorrent {
  const bytes = asBuffer(torrent)
  const decoded = decodeBencode(bytes) as { info?: InfoDict }
  const { info } = decoded
  if (
    info === undefined ||
    Object.keys(decoded).length !== 1 ||
    bytes.toString('latin1', 0, PREFIX.length) !== PREFIX
  ) {
    throw new Error('not a torrent made by build-torrent.ts')
  }
  const infoHashBuffer = createHash('sha1').update(bytes.subarray(PREFIX.length, -1)).digest()
  const name = text(info.name)
  const files = filesOf(name, info)
  const last = files[files.length - 1]
  const length = last === undefined ? 0 : last.offset + last.length
  const pieceLength = info['piece length']
  return {
    info,
    infoHash: infoHashBuffer.toString('hex'),
    infoHashBuffer,
    name,
    private: info.private !== undefined ? info.private !== 0 : undefined,
    announce: [],
    urlList: [],
    files,
    length,
    pieceLength,
    lastPieceLength: length % pieceLength || pieceLength,
    pieces: splitPieces(info.pieces),
  }
}

/** As parse-torrent lays them out: paths start with the torrent's name, joined with the OS separator. */
function filesOf(name: string, info: InfoDict): ParsedTorrent['files'] {
  const listed = info.files ?? [{ length: info.length ?? 0, path: [] }]
  let offset = 0
  return listed.map((file) => {
    const parts = [name, ...file.path.map(text)]
    const entry = {
      path: join(sep, ...parts).slice(1),
      name: parts[parts.length - 1] as string,
      length: file.length,
      offset,
    }
    offset += file.length
    return entry
  })
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
