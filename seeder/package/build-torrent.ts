import { createHash } from 'node:crypto'
import { ManifestView } from '../../shared/manifest-table.js'
import { type Manifest, PIECE_HASH_LENGTH } from '../../shared/messages.js'
import { BencodeWriter } from './bencode-writer.js'
import type { PayloadFiles } from './scan-tree.js'

export interface BuiltTorrent {
  /** The bencoded .torrent (info dict only: the tracker URL is given to each client separately). */
  torrent: Buffer
  infoHash: string
  /**
   * Names the content whatever its piece length (smaller with a base, piece-length.ts): the SHA-1 of
   * the info dict up to its piece length. The staging directory is named by it.
   */
  contentId: string
  pieceCount: number
}

/**
 * A private BitTorrent v1 info dict, made before a byte is hashed, so the source can seed each piece
 * as soon as it is hashed instead of after the whole payload (see piece-hashes.ts). Its `pieces`
 * are zeros: the real hashes reach every target over its SSH channel, which authenticates them as it
 * did the torrent. No SHA-1 of real data is zero, so a piece checked against a placeholder fails.
 *
 * The info hash still names the content and its piece length; `contentId` the content alone, as the
 * staging directory and resume need: the files' paths, sizes and modification times (rsync's quick
 * check). A resumed staging copy is checked piece by piece against the real hashes anyway, so a
 * file rewritten in place with the same size and time costs a re-fetch, never a wrong copy.
 * `private` keeps every client off DHT and PEX for this swarm, whatever its defaults. Zero-length
 * files are left out: the manifest recreates them.
 */
export function buildTorrent(
  manifest: Manifest,
  files: PayloadFiles,
  pieceLength: number,
  run?: string,
): BuiltTorrent {
  const pieceCount = Math.ceil(manifest.totalBytes / pieceLength)
  const writer = new BencodeWriter().token('d').string('info')
  const infoStart = writer.length
  // Keys in bencode's sorted order.
  writer.token('d').string('fanout files').string(filesKey(manifest))
  // A payload that exists only for this run (a hot backup) is named by the run, never resumed.
  if (run !== undefined) writer.string('fanout run').string(run)
  if (manifest.rootKind === 'file') writer.string('length').int(files.at(0)?.size ?? 0)
  else writeFiles(writer, files)
  writer.string('name').string(manifest.name)
  const contentEnd = writer.length
  writer.string('piece length').int(pieceLength)
  writer.string('pieces').zeros(pieceCount * PIECE_HASH_LENGTH)
  writer.string('private').int(1).token('e')
  const infoEnd = writer.length
  const torrent = writer.token('e').result()
  const sha1 = (end: number) => createHash('sha1').update(torrent.subarray(infoStart, end)).digest('hex')
  return { torrent, infoHash: sha1(infoEnd), contentId: sha1(contentEnd), pieceCount }
}

/** `files`: a dictionary per file, its path split into its names. */
function writeFiles(writer: BencodeWriter, files: PayloadFiles): void {
  writer.string('files').token('l')
  for (const file of files) {
    writer.token('d').string('length').int(file.size).string('path').token('l')
    for (const name of file.path.split('/')) writer.string(name)
    writer.token('e').token('e')
  }
  writer.token('e')
}

function filesKey(manifest: Manifest): string {
  const hash = createHash('sha1')
  const view = new ManifestView(manifest.entries)
  const { size, mtimeMs } = manifest.entries
  for (let i = 0; i < view.count; i++) {
    if (view.kind(i) === 'file') hash.update(JSON.stringify([view.path(i), size[i], mtimeMs[i]]))
  }
  return hash.digest('hex')
}
