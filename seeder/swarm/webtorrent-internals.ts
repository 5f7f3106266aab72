import type { ParsedTorrent } from 'webtorrent'

/**
 * The parts of webtorrent 2.8.5's Torrent and Peer and of bittorrent-protocol's Wire that the
 * runtime interventions (interventions.ts lists them) use beyond the public API. webtorrent is
 * pinned exactly in package.json; check these when upgrading it.
 */
export interface BitField {
  get(index: number): boolean
  /** The bits, piece 0 in the high bit of byte 0, as BitTorrent sends them. */
  buffer: Uint8Array
}

export interface WireInternals {
  peerId: string | null
  /** The other end's IP address (bittorrent-protocol's Wire sets it from the socket). */
  remoteAddress?: string
  peerChoking: boolean
  destroyed: boolean
  requests: unknown[]
  /** Payload bytes received on this connection (bittorrent-protocol counts each block). */
  downloaded: number
  peerPieces: BitField
  peerExtendedHandshake?: { reqq?: unknown }
  downloadSpeed(): number
  /** Tells the peer we now hold a piece. */
  have(piece: number): void
  destroy(): void
  /** Installs a protocol extension; bittorrent-protocol's extension classes carry their name on the prototype. */
  use(extension: { prototype: object }): void
  on(event: string, listener: (...args: never[]) => void): void
  once(event: string, listener: () => void): void
}

export interface PeerInternals {
  /** The address we dialled (`ip:port`), or the remote end of an incoming connection. */
  id: string
  /** 'tcpOutgoing' when we dialled, 'tcpIncoming' when they did. */
  type: string
  wire: WireInternals | null
}

export interface TorrentInternals {
  pieceLength: number
  pieces: (object | null)[]
  bitfield: BitField
  wires: WireInternals[]
  /** The .torrent file's bytes. */
  torrentFile: Uint8Array
  destroyed: boolean
  /** Payload bytes that came from peers (blocks received, including any that failed their hash). */
  received: number
  /** Each piece's SHA-1 in hex, from the .torrent; what a received piece is checked against. */
  _hashes: string[]
  _markVerified(piece: number): void
  _markAllVerified(): void
  /** Whether every file is complete; sets `done` and emits 'done' the first time it is. */
  _checkDone(): boolean
  done: boolean
  files: { done: boolean }[]
  discovery: { complete(): void }
  /** Moves each piece selection past the pieces now held. */
  _gcSelections(): void
  emit(event: 'done'): boolean
  /** Reads a piece from the store and checks it against _hashes; false when it is not there. */
  _verifyPiece(piece: number, cb: (err: Error | null, verified?: boolean) => void): void
  _processParsedTorrent(parsed: ParsedTorrent): void
  _onWire(wire: WireInternals, addr?: string): void
  _peers: Map<string, PeerInternals>
  /** Every dial goes through here: tracker answers and webtorrent's own reconnects alike. */
  _addPeer(peer: unknown, type: string, source?: unknown): unknown
  removePeer(id: string): void
  _updateWire(wire: WireInternals): void
  /** Interested in the peer if it has a piece we lack: a walk over every piece. */
  _updateWireInterest(wire: WireInternals): void
  _update(): void
  _request(wire: WireInternals, index: number, hotswap: boolean): boolean
  on(event: 'wire', listener: (wire: WireInternals) => void): void
  /** Every way a piece comes to be held (downloaded, or found in a resumed copy) ends in this event. */
  on(event: 'verified', listener: (index: number) => void): void
  /** Things webtorrent goes on after, such as a piece failing its hash. */
  on(event: 'warning', listener: (err: Error) => void): void
}

/** A ThrottleGroup of speed-limiter, as webtorrent's client holds one per direction. */
export interface ThrottleGroupInternals {
  getEnabled(): boolean
}

/** The parts of bittorrent-protocol's Wire that carry bytes in and out (seeder/swarm/direct-peer-pipes.ts). */
export interface WirePipesInternals extends WireRequestsInternals {
  _finished: boolean
  _write(chunk: Uint8Array, cb: () => void): void
  /** What its parser waits for next: between messages it wants a 4-byte length, nothing buffered. */
  _parser: unknown
  _bufferSize: number
  _onMessageLength: unknown
  _onPiece(index: number, begin: number, block: Uint8Array): void
  push(data: Uint8Array | null): boolean
  resume(): void
}

/** torrent-piece's Piece: one piece being fetched (seeder/swarm/piece-buffers.ts). */
export interface PieceInternals {
  length: number
  /** Set when its blocks were joined for hashing; it takes no more blocks after that. */
  _flushed: boolean
}

/** webtorrent's Torrent as piece-buffers.ts sees it: a Piece per piece being fetched, null once held. */
export interface TorrentPiecesInternals {
  pieces: (PieceInternals | null | undefined)[]
  on(event: 'verified', listener: (index: number) => void): void
}

/** bittorrent-protocol's Wire: the blocks it asked for and is still waiting for. */
export interface WireRequestsInternals {
  requests: { piece: number; offset: number; length: number }[]
}

/** bittorrent-protocol's Wire as it sends a block (seeder/swarm/count-served-blocks.ts). */
export interface WireUploadInternals {
  piece(this: WireUploadInternals, index: number, offset: number, buffer: Uint8Array): void
}

/** webtorrent's Peer, once connected: its socket, its wire and the client's throttle groups. */
export interface PeerPipesInternals {
  conn: import('node:net').Socket
  wire: WirePipesInternals
  /** The torrent, once known (an incoming connection names it in its handshake). */
  swarm: TorrentPiecesInternals | null
  destroyed: boolean
  throttleGroups: { up: ThrottleGroupInternals; down: ThrottleGroupInternals }
  emit(event: 'download' | 'upload', bytes: number): boolean
  setThrottlePipes(this: PeerPipesInternals): void
  /** Set once our override is installed, so installing twice keeps the original. */
  __fanoutDirectPipes?: true
}

/** The peer record webtorrent keeps for a connection: what says whether we dialled it, and where. */
export function peerOf(torrent: TorrentInternals, wire: WireInternals): PeerInternals | undefined {
  for (const peer of torrent._peers.values()) if (peer.wire === wire) return peer
  return undefined
}
