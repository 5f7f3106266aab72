import { EventEmitter } from 'node:events'
import type { Torrent } from 'webtorrent'
import type { TorrentInternals } from './webtorrent-internals.js'

/**
 * Turns off BitTorrent's metadata exchange (ut_metadata, BEP 9) for one torrent.
 *
 * Every agent holds the torrent before it joins (the source builds it, targets receive it over
 * SSH), so no peer ever needs it from another. Yet webtorrent 2.8.5 gives every wire a ut_metadata
 * extension that, on construction, decodes the whole .torrent and re-encodes it twice. For a
 * 20,000-file tree that is about 0.8 MB of bencode, a second of CPU per connection, and it took a
 * quarter of every agent's CPU time. The extension is swapped for an inert one of the same name,
 * which advertises no metadata and ignores requests for it.
 *
 * Relies on Torrent#_onWire calling `wire.use(utMetadata(...))`, which is pinned with the version.
 */
export function skipMetadataExchange(torrent: Torrent): void {
  const internals = torrent as unknown as TorrentInternals
  const onWire = internals._onWire
  internals._onWire = function (this: TorrentInternals, wire, addr) {
    // An own property shadows the prototype's `use` for the duration of this call only.
    const use = wire.use
    wire.use = (extension) => use.call(wire, isMetadataExchange(extension) ? NoMetadata : extension)
    try {
      onWire.call(this, wire, addr)
    } finally {
      Reflect.deleteProperty(wire, 'use')
    }
  }
}

function isMetadataExchange(extension: { prototype: object }): boolean {
  return Reflect.get(extension.prototype, 'name') === 'ut_metadata'
}

/**
 * What webtorrent calls on `wire.ut_metadata`: an emitter (it listens for 'warning'), `fetch` when
 * it lacks metadata and `setMetadata` when metadata arrives. None of it has anything to do here.
 */
class NoMetadata extends EventEmitter {
  // biome-ignore lint/complexity/noUselessConstructor: drops the argument, see below
  constructor() {
    // bittorrent-protocol passes the wire, which is not an EventEmitter option bag.
    super()
  }
  fetch(): void {}
  cancel(): void {}
  setMetadata(): boolean {
    return true
  }
}
Object.defineProperty(NoMetadata.prototype, 'name', { value: 'ut_metadata' })
