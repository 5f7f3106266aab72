// Minimal types for the untyped webtorrent stack: only what fanout calls. Keeping them narrow makes
// a webtorrent upgrade that changes these surfaces fail to compile rather than fail at run time.
declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events'
  import type { AddressInfo } from 'node:net'
  export class Server extends EventEmitter {
    constructor(opts: Record<string, unknown>)
    http: { address(): AddressInfo }
    listen(port: number, host: string, cb: () => void): void
    close(cb: () => void): void
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
    private?: boolean
  }
  export default class WebTorrent extends EventEmitter {
    constructor(opts: Record<string, unknown>)
    torrentPort: number
    add(torrent: Uint8Array, opts: AddOptions, onTorrent?: (torrent: Torrent) => void): Torrent
    destroy(cb?: (err?: Error | null) => void): void
  }
}
