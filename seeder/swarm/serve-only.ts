import type { Torrent } from 'webtorrent'
import type { TorrentInternals } from './webtorrent-internals.js'

/**
 * The source never downloads. While its own pieces are still being hashed webtorrent would look for
 * them on every wire at every update (Torrent#_updateWire), work that can only ever find nothing.
 */
export function serveOnly(torrent: Torrent): void {
  ;(torrent as unknown as TorrentInternals)._updateWire = () => {}
}
