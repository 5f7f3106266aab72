import WebTorrent, { type Torrent } from 'webtorrent'
import type { TransferCounters } from '../../shared/messages.js'
import { atMost } from '../control/deadline.js'
import { installDirectPeerPipes } from './direct-peer-pipes.js'
import { useSwarmKey } from './secure-net.js'

/**
 * A webtorrent client that talks only to the peers our tracker names. Its defaults turn on DHT,
 * local service discovery, PEX, UPnP/NAT-PMP, web seeds, uTP and WebRTC; each one either leaks the
 * swarm beyond the transfer's hosts or is of no use between servers, so each is off explicitly.
 */
export function createSwarmClient(
  psk: Buffer | undefined,
  bwlimit: number | null,
  peerId: string,
): WebTorrent {
  // Read by the TLS layer when webtorrent opens its listener and each connection.
  useSwarmKey(psk)
  installDirectPeerPipes()
  return new WebTorrent({
    peerId,
    dht: false,
    lsd: false,
    utPex: false,
    natUpnp: false,
    natPmp: false,
    webSeeds: false,
    utp: false,
    // 0: the kernel picks a free port, so concurrent transfers on one host never collide.
    torrentPort: 0,
    // -1 is webtorrent's "unlimited".
    uploadLimit: bwlimit ?? -1,
    downloadLimit: bwlimit ?? -1,
    maxConns: MAX_PEER_CONNECTIONS,
  })
}

/**
 * A peer dials the peers the tracker names until it holds this many connections. Each one costs a
 * TLS session, socket buffers and a place in the scheduler's scan of every wire, so in a site of a
 * thousand targets a peer must not connect to each; a few dozen site-mates hold every piece
 * between them. Connections that others dial count too but are never refused, so the source still
 * takes one from each target of its site (tracker/select-peers.ts names it to every one), and a
 * target holds about this many plus the late-comers that dial it. The tracker's lists hold 50
 * (bittorrent-tracker's numwant), which this leaves room to dial in full. webtorrent's default,
 * set here on purpose.
 */
const MAX_PEER_CONNECTIONS = 55

/**
 * webtorrent unchokes at most 10 peers (BitTorrent's tit-for-tat among strangers). Here every peer
 * is one of ours and should get what it asks for, so every interested peer is unchoked.
 */
export const UPLOAD_SLOTS = 1_000

export function countersOf(torrent: Torrent): TransferCounters {
  return {
    downloaded: torrent.downloaded,
    uploaded: torrent.uploaded,
    downloadRate: Math.round(torrent.downloadSpeed),
    uploadRate: Math.round(torrent.uploadSpeed),
    peers: torrent.numPeers,
  }
}

/**
 * Leaving the swarm waits for webtorrent's teardown (a 'stopped' announce, closing every wire and
 * the store), which has no deadline of its own. The payload is verified by then and the agent's
 * exit closes whatever is left, so a teardown that hangs must not hold up the target's finalize.
 */
const TEARDOWN_MS = 10_000

export function destroyClient(client: WebTorrent): Promise<void> {
  return atMost(TEARDOWN_MS, new Promise((resolve) => client.destroy(() => resolve())))
}

export function destroyTorrent(torrent: Torrent): Promise<void> {
  return atMost(
    TEARDOWN_MS,
    new Promise((resolve) => torrent.destroy({ destroyStore: false }, () => resolve())),
  )
}
