import { once } from 'node:events'
import { join } from 'node:path'
import type WebTorrent from 'webtorrent'
import type { Torrent } from 'webtorrent'
import { peerPort } from '../../seeder/firewall/firewall-holes.js'
import { buildTorrent } from '../../seeder/package/build-torrent.js'
import { hashPieces } from '../../seeder/package/hash-pieces.js'
import { scanTree } from '../../seeder/package/scan-tree.js'
import { PayloadStore, type PayloadStoreOptions } from '../../seeder/store/payload-store.js'
import { addOwnTorrent } from '../../seeder/swarm/add-own-torrent.js'
import { startWithNoPieces } from '../../seeder/swarm/piece-hashes.js'
import type { TorrentInternals, WireInternals } from '../../seeder/swarm/webtorrent-internals.js'
import { buildTree, tmpDir } from './tmp-tree.js'

/**
 * Real webtorrent clients in this process, joined over loopback without a tracker: for tests of one
 * intervention at a time, each installed (or not) by the test itself.
 */

export interface SmallPayload {
  /** The payload's parent directory: the store root of a torrent that holds it. */
  dir: string
  torrent: Buffer
  /** The pieces' SHA-1s, concatenated. */
  digests: Buffer
  pieceCount: number
}

/** One file of `pieceCount` pieces of `pieceLength` bytes and a short last one, its torrent and hashes. */
export async function smallPayload(pieceCount = 6, pieceLength = 16 * 1024): Promise<SmallPayload> {
  const dir = await tmpDir()
  const length = (pieceCount - 1) * pieceLength + 100
  const content = Buffer.from(Array.from({ length }, (_, i) => (i * 31 + 7) % 251))
  await buildTree(join(dir, 'src'), [{ kind: 'file', path: 'data.bin', content }])
  const { manifest, files } = await scanTree(join(dir, 'src', 'data.bin'))
  const { torrent } = buildTorrent(manifest, files, pieceLength)
  return { dir: join(dir, 'src'), torrent, digests: await hashPieces(files, pieceLength), pieceCount }
}

/** Adds the torrent as the agents do (nothing held until its hash is known) and waits until it is ready. */
export async function addAsAgent(
  client: WebTorrent,
  torrent: Buffer,
  path: string,
  storeOpts: Partial<PayloadStoreOptions> = {},
  install: (added: Torrent) => void = () => {},
): Promise<Torrent> {
  const added = addOwnTorrent(client, torrent, { path, store: PayloadStore, storeOpts, skipVerify: true })
  startWithNoPieces(added)
  install(added)
  await once(added, 'ready')
  return added
}

/** Dials the client that `to` belongs to, at its listening port. */
export async function dial(from: Torrent, toClient: WebTorrent): Promise<void> {
  from.addPeer(`127.0.0.1:${await peerPort(toClient)}`)
}

export function internals(torrent: Torrent): TorrentInternals {
  return torrent as unknown as TorrentInternals
}

/** The torrent's connections that are still open. */
export function liveWires(torrent: Torrent): WireInternals[] {
  return internals(torrent).wires.filter((wire) => !wire.destroyed)
}
