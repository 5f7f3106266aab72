// Minimal types for the untyped webtorrent stack: only what fanout calls. Keeping them narrow makes
// a webtorrent upgrade that changes these surfaces fail to compile rather than fail at run time.
declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events'
  import type { AddressInfo } from 'node:net'
  /** A swarm's peers as lib/server/swarm.js keeps them (an LRU keyed by `ip:port`). */
  export interface SwarmPeer {
    type: string
    /** Hex. */
    peerId: string
    ip: string
    port: number
  }
  /** What Swarm#announce answers; the server fills in `interval` when it is missing. */
  export interface AnnounceResponse {
    complete: number
    incomplete: number
    peers: SwarmPeer[]
    /** Seconds until the peer's next periodic announce. */
    interval?: number
  }
  export interface Swarm {
    /** The `lru` package's cache, keyed by `ip:port`. */
    peers: {
      length: number
      set(key: string, peer: SwarmPeer): void
      remove(key: string): SwarmPeer | undefined
    }
    announce(
      params: Record<string, unknown>,
      cb: (err: Error | null, response?: AnnounceResponse) => void,
    ): void
    /** The peer list of one announce; the library's own picks at random. */
    _getPeers(numwant: number, ownPeerId: string, isWebRTC: boolean): SwarmPeer[]
  }
  export class Server extends EventEmitter {
    constructor(opts: Record<string, unknown>)
    http: { address(): AddressInfo }
    listen(port: number, host: string, cb: () => void): void
    close(cb: () => void): void
    /** Documented as overridable (lib/server/swarm.js) to supply one's own swarm. */
    createSwarm(infoHash: string, cb: (err: Error | null, swarm?: Swarm) => void): void
  }
}

declare module 'bencode' {
  const bencode: {
    encode(value: unknown): Uint8Array
    decode(data: Uint8Array): unknown
  }
  export default bencode
}

declare module 'webtorrent' {
  import type { EventEmitter } from 'node:events'
  export interface Wire {
    remoteAddress: string
    remotePort: number
  }
  export interface Torrent extends EventEmitter {
    infoHash: string
    length: number
    downloaded: number
    uploaded: number
    downloadSpeed: number
    uploadSpeed: number
    numPeers: number
    progress: number
    done: boolean
    wires: Wire[]
    destroy(opts: { destroyStore?: boolean }, cb?: (err?: Error | null) => void): void
    addPeer(peer: string): boolean
  }
  export interface AddOptions {
    path?: string
    announce?: string[]
    store?: unknown
    storeOpts?: Record<string, unknown>
    skipVerify?: boolean
    strategy?: 'rarest' | 'sequential'
    /** Unchoke slots. */
    uploads?: number
    private?: boolean
  }
  /** A torrent as parse-torrent describes it: what `add` works from when given one. */
  export interface ParsedTorrent {
    info: unknown
    infoHash: string
    infoHashBuffer: Uint8Array
    name: string
    private: boolean | undefined
    announce: string[]
    urlList: string[]
    /** `path` starts with `name`. */
    files: { path: string; name: string; length: number; offset: number }[]
    length: number
    pieceLength: number
    lastPieceLength: number
    /** SHA-1 per piece, hex. */
    pieces: string[]
  }
  export default class WebTorrent extends EventEmitter {
    constructor(opts: Record<string, unknown>)
    torrentPort: number
    add(
      torrent: Uint8Array | ParsedTorrent,
      opts: AddOptions,
      onTorrent?: (torrent: Torrent) => void,
    ): Torrent
    destroy(cb?: (err?: Error | null) => void): void
  }
}

declare module 'webtorrent/lib/peer.js' {
  /** webtorrent's Peer class; only its prototype is used (seeder/swarm/direct-peer-pipes.ts). */
  const Peer: { prototype: object }
  export default Peer
}

declare module 'bittorrent-protocol' {
  import type { EventEmitter } from 'node:events'
  /** bittorrent-protocol's Wire (a streamx Duplex); only what our tests drive directly. */
  export default class Wire extends EventEmitter {
    destroyed: boolean
    handshake(infoHash: string, peerId: string): void
    have(index: number): void
    unchoke(): void
    request(
      index: number,
      offset: number,
      length: number,
      cb: (err: Error | null, block: Uint8Array) => void,
    ): void
    destroy(): void
  }
}
