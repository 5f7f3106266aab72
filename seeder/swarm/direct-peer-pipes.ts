import Peer from 'webtorrent/lib/peer.js'
import { blockSink } from './piece-buffers.js'
import { PieceMessageRouter } from './piece-message-router.js'
import type { PeerPipesInternals } from './webtorrent-internals.js'

/**
 * Connects each peer's socket straight to its protocol parser, without webtorrent's stream stack.
 *
 * webtorrent joins socket and wire with a streamx pipeline of five stages each way (socket, download
 * throttle, a Transform that counts bytes, wire, upload throttle, a Transform, socket), and every
 * TLS record crosses its queues before the parser sees it. The wire's parser is synchronous (`_write`
 * calls back at once), so handing it each chunk as the socket reads it is the same work without the
 * queues. Measured: about 8% less agent CPU on an unshaped local run; on the shaped test bed the
 * difference is within run-to-run noise. Flow control is unchanged: bytes in flight are bounded by
 * the requests each side has sent, as before. On the way in, blocks are copied straight into their
 * piece's buffer (piece-message-router.ts).
 *
 * Under `--bwlimit` (an enabled throttle group) webtorrent's own pipeline stays: its throttles
 * are the backstop behind the scheduler's request pacing, and the cap matters more than CPU there.
 */
export function installDirectPeerPipes(): void {
  const proto = Peer.prototype as unknown as PeerPipesInternals
  if (proto.__fanoutDirectPipes) return
  const throttledPipes = proto.setThrottlePipes
  proto.__fanoutDirectPipes = true
  proto.setThrottlePipes = function setPipes(this: PeerPipesInternals) {
    const { up, down } = this.throttleGroups
    if (up.getEnabled() || down.getEnabled()) return throttledPipes.call(this)
    pipeDirectly(this)
  }
}

/** Exported for its test; installDirectPeerPipes applies it to every connected peer. */
export function pipeDirectly(peer: PeerPipesInternals): void {
  const { conn, wire } = peer
  const written = () => {}
  const router = new PieceMessageRouter({
    forward: (bytes) => wire._write(bytes, written),
    // The wire only ever waits for a message's 4-byte length with _onMessageLength.
    atMessageBoundary: () => wire._parser === wire._onMessageLength && wire._bufferSize === 0,
    sinkFor: (index, begin, length) =>
      peer.swarm === null ? null : blockSink(peer.swarm, wire, index, begin, length),
    deliver: (index, begin, block) => wire._onPiece(index, begin, block),
  })
  conn.on('data', (chunk: Uint8Array) => {
    if (peer.destroyed || wire._finished) return
    peer.emit('download', chunk.length)
    router.feed(chunk)
  })
  const endReadable = wire.push.bind(wire)
  // Everything the wire sends goes through push(); null is its end of stream (after 'finish').
  wire.push = (data: Uint8Array | null) => {
    if (data === null) {
      // streamx emits 'close' (and sets `destroyed`, which webtorrent and our scheduler read) only
      // once both sides have ended; the readable side ends when its end is pushed and consumed.
      endReadable(null)
      wire.resume()
      if (!conn.destroyed) conn.end()
      return false
    }
    if (peer.destroyed || conn.destroyed) return false
    peer.emit('upload', data.length)
    return conn.write(data)
  }
}
