import type { ArchiveFormat } from '../../shared/messages.js'
import type { TransferType } from '../config/defaults.js'

/** The first bytes of the source file, and of its decompressed content when it is compressed. */
export interface SourceHead {
  raw: Uint8Array
  /** The first bytes after gzip or zstd decompression; absent when the file is neither. */
  inner?: Uint8Array
}

export type Compression = 'gzip' | 'zstd'

const GZIP = [0x1f, 0x8b]
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd]
const XBSTREAM = Buffer.from('XBSTCK01')
/** POSIX and GNU tar headers both carry "ustar" at this offset. */
const USTAR_OFFSET = 257
const USTAR = Buffer.from('ustar')

/** Which decompressor reads the file, from its magic number; null when it is not compressed. */
export function compressionOf(raw: Uint8Array): Compression | null {
  if (startsWith(raw, GZIP)) return 'gzip'
  if (startsWith(raw, ZSTD)) return 'zstd'
  return null
}

/**
 * What archive a source file of `type` is, read from its first bytes (never from its name):
 * `decompress` takes a tar, gzip or zstd tarball, `xtrabackup` an xbstream. Returns the reason
 * instead when the file is not what the type needs, in words that say what was expected.
 */
export function archiveFormatOf(
  type: Exclude<TransferType, 'file'>,
  head: SourceHead,
): { format: ArchiveFormat } | { problem: string } {
  if (type === 'xtrabackup') {
    return startsWith(head.raw, XBSTREAM)
      ? { format: 'xbstream' }
      : { problem: 'is not an xbstream (the output of mariadb-backup --stream=xbstream)' }
  }
  const compression = compressionOf(head.raw)
  const tarball = compression === null ? isTar(head.raw) : head.inner !== undefined && isTar(head.inner)
  if (!tarball) {
    const what = compression === null ? 'file' : `${compression} file`
    return {
      problem: `is not a tarball: a ${what} without a tar header (a .tar, .tar.gz or .tar.zst is needed)`,
    }
  }
  if (compression === 'gzip') return { format: 'tar.gz' }
  if (compression === 'zstd') return { format: 'tar.zst' }
  return { format: 'tar' }
}

/** Host commands a target needs to unpack `format`. */
export function unpackCommands(format: ArchiveFormat): string[] {
  switch (format) {
    case 'tar':
      return ['tar']
    case 'tar.gz':
      return ['tar', 'gzip']
    case 'tar.zst':
      return ['tar', 'zstd']
    case 'xbstream':
      return ['mbstream']
  }
}

/** An archive already compressed gains nothing from the stream's compression. */
export function isCompressed(format: ArchiveFormat): boolean {
  return format === 'tar.gz' || format === 'tar.zst'
}

function isTar(bytes: Uint8Array): boolean {
  return Buffer.from(bytes)
    .subarray(USTAR_OFFSET, USTAR_OFFSET + USTAR.length)
    .equals(USTAR)
}

function startsWith(bytes: Uint8Array, prefix: Iterable<number>): boolean {
  let i = 0
  for (const byte of prefix) if (bytes[i++] !== byte) return false
  return true
}
