import { createHash } from 'node:crypto'
import bencode from 'bencode'
import type { Manifest } from '../src/protocol/messages.js'
import type { PayloadFile } from './scan-tree.js'

export interface BuiltTorrent {
  /** The bencoded .torrent (info dict only: the tracker URL is given to each client separately). */
  torrent: Buffer
  infoHash: string
}

/**
 * A private BitTorrent v1 info dict. `private` keeps every client off DHT and PEX for this swarm,
 * whatever its defaults. Zero-length files are left out: the manifest recreates them.
 */
export function buildTorrent(
  manifest: Manifest,
  files: readonly PayloadFile[],
  pieceLength: number,
  pieces: Buffer,
): BuiltTorrent {
  const common = { name: manifest.name, 'piece length': pieceLength, pieces, private: 1 }
  const info =
    manifest.rootKind === 'file'
      ? { ...common, length: files[0]?.size ?? 0 }
      : { ...common, files: files.map((f) => ({ length: f.size, path: f.path.split('/') })) }
  const encodedInfo = Buffer.from(bencode.encode(info))
  const infoHash = createHash('sha1').update(encodedInfo).digest('hex')
  return { torrent: Buffer.from(bencode.encode({ info })), infoHash }
}
