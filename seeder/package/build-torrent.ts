import { createHash } from 'node:crypto'
import bencode from 'bencode'
import { type Manifest, PIECE_HASH_LENGTH } from '../../shared/messages.js'
import type { PayloadFile } from './scan-tree.js'

export interface BuiltTorrent {
  /** The bencoded .torrent (info dict only: the tracker URL is given to each client separately). */
  torrent: Buffer
  infoHash: string
  pieceCount: number
}

/**
 * A private BitTorrent v1 info dict, made before a byte is hashed, so the source can seed each piece
 * as soon as it is hashed instead of after the whole payload (see piece-hashes.ts). Its `pieces`
 * are zeros: the real hashes reach every target over its SSH channel, which authenticates them as it
 * did the torrent. No SHA-1 of real data is zero, so a piece checked against a placeholder fails.
 *
 * The info hash still names the content, as the staging directory and resume need: the files'
 * paths, sizes and modification times (rsync's quick check) and the piece length. A resumed staging
 * copy is checked piece by piece against the real hashes anyway, so a file rewritten in place with
 * the same size and time costs a re-fetch, never a wrong copy. `private` keeps every client off DHT
 * and PEX for this swarm, whatever its defaults. Zero-length files are left out: the manifest
 * recreates them.
 */
export function buildTorrent(
  manifest: Manifest,
  files: readonly PayloadFile[],
  pieceLength: number,
  run?: string,
): BuiltTorrent {
  const pieceCount = Math.ceil(manifest.totalBytes / pieceLength)
  const common = {
    name: manifest.name,
    'piece length': pieceLength,
    pieces: Buffer.alloc(pieceCount * PIECE_HASH_LENGTH),
    private: 1,
    'fanout files': filesKey(manifest),
    // A payload that exists only for this run (a hot backup) is named by the run, never resumed.
    ...(run === undefined ? {} : { 'fanout run': run }),
  }
  const info =
    manifest.rootKind === 'file'
      ? { ...common, length: files[0]?.size ?? 0 }
      : { ...common, files: files.map((f) => ({ length: f.size, path: f.path.split('/') })) }
  const encodedInfo = Buffer.from(bencode.encode(info))
  const infoHash = createHash('sha1').update(encodedInfo).digest('hex')
  return { torrent: Buffer.from(bencode.encode({ info })), infoHash, pieceCount }
}

function filesKey(manifest: Manifest): string {
  const hash = createHash('sha1')
  for (const entry of manifest.entries) {
    if (entry.kind === 'file') hash.update(JSON.stringify([entry.path, entry.size, entry.mtimeMs]))
  }
  return hash.digest('hex')
}
