import type { Duplex } from 'node:stream'
import type { StreamCodec } from '../../shared/messages.js'
import { gunzipBlocks, gzipBlocks } from './block-gzip.js'
import { zstdPipe } from './zstd-pipe.js'

/** The source's compression stage; none when the stream goes uncompressed. */
export function compressor(codec: StreamCodec | null): Duplex[] {
  if (codec === 'gzip') return [gzipBlocks()]
  if (codec === 'zstd') return [zstdPipe('compress')]
  return []
}

/** The target's matching decompression stage. */
export function decompressor(codec: StreamCodec | null): Duplex[] {
  if (codec === 'gzip') return [gunzipBlocks()]
  if (codec === 'zstd') return [zstdPipe('decompress')]
  return []
}
