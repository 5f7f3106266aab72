import type { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { StreamSettings } from '../../shared/messages.js'
import { compressor } from './codec.js'
import { throttle } from './throttle.js'
import { WireTap } from './wire-tap.js'

/**
 * The source's half of a stream after the payload's bytes: compression, the in-flight checksum's
 * tap, the upload cap, the connection. Resolves once the target has every byte in its buffers.
 */
export async function sendOverLink(
  body: Readable,
  socket: Writable,
  stream: StreamSettings,
  signal: AbortSignal,
): Promise<{ wireBytes: number; streamDigest: string | null }> {
  const tap = new WireTap(stream.checksum === 'in-flight')
  await pipeline(
    [
      body,
      ...compressor(stream.compress),
      tap,
      ...(stream.bwlimit === null ? [] : [throttle(stream.bwlimit)]),
      socket,
    ],
    { signal },
  )
  return { wireBytes: tap.bytes, streamDigest: tap.digest() }
}
