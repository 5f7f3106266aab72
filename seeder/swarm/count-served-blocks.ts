import type { Torrent } from 'webtorrent'
import type { ServedBlocks } from '../policy/served-blocks.js'
import type { TorrentInternals, WireUploadInternals } from './webtorrent-internals.js'

/** Records every block the seed sends on any of its wires, at the payload offset it starts at. */
export function countServedBlocks(torrent: Torrent, pieceLength: number, served: ServedBlocks): void {
  const internals = torrent as unknown as TorrentInternals
  internals.on('wire', (wire) => {
    const uploads = wire as unknown as WireUploadInternals
    const send = uploads.piece
    uploads.piece = function piece(this: WireUploadInternals, index, offset, buffer) {
      served.record(index * pieceLength + offset, buffer.length)
      send.call(this, index, offset, buffer)
    }
  })
}
