import { join, sep } from 'node:path'
import type { StoredFiles } from '../store/locate-span.js'
import { byteString, DICT, END, LIST, type Reader, readValue, skipValue } from './decode-bencode.js'

/**
 * The files of a torrent made by build-torrent.ts, read from its bytes when asked: for 100,000
 * files, decoding the list into objects (a dictionary, a list and a buffer per name each) took
 * 80 MiB of an agent's heap, and the store then copied it. Here each file costs 12 bytes, its
 * offset and where its path lies in the torrent's bytes, which the agent keeps anyway.
 */
export class TorrentFiles implements StoredFiles {
  /** Each file's offset in the payload, then the payload's length. */
  private readonly offsets: Float64Array
  /** Where each file's `path` list starts in `bytes`; empty for a single-file torrent. */
  private readonly pathsAt: Uint32Array

  private constructor(
    private readonly bytes: Buffer,
    private readonly name: string,
    offsets: number[],
    pathsAt: number[],
  ) {
    this.offsets = Float64Array.from(offsets)
    this.pathsAt = Uint32Array.from(pathsAt)
  }

  /** A single-file torrent: its one file is the torrent's name. */
  static single(bytes: Buffer, name: string, length: number): TorrentFiles {
    return new TorrentFiles(bytes, name, [0, length], [])
  }

  /** A tree: the info dict's `files` list starts at `reader`'s position, which moves past it. */
  static list(reader: Reader, name: string): TorrentFiles {
    const offsets = [0]
    const pathsAt: number[] = []
    let offset = 0
    expectByte(reader, LIST)
    while (reader.bytes[reader.position] !== END) {
      const { length, pathAt } = readFile(reader)
      offset += length
      offsets.push(offset)
      pathsAt.push(pathAt)
    }
    reader.position++
    return new TorrentFiles(reader.bytes, name, offsets, pathsAt)
  }

  get count(): number {
    return this.offsets.length - 1
  }

  offset(index: number): number {
    return this.offsets[index] as number
  }

  length(index: number): number {
    return (this.offsets[index + 1] as number) - (this.offsets[index] as number)
  }

  /** As parse-torrent lays it out: the torrent's name first, joined with the OS separator. */
  path(index: number): string {
    const at = this.pathsAt[index]
    if (at === undefined) return this.name
    const reader = { bytes: this.bytes, position: at }
    const parts = [this.name]
    expectByte(reader, LIST)
    while (this.bytes[reader.position] !== END) parts.push(byteString(reader).toString('utf8'))
    return join(sep, ...parts).slice(1)
  }
}

/** One file's dictionary: its length, and where its path list is (skipped over). */
function readFile(reader: Reader): { length: number; pathAt: number } {
  let length: number | undefined
  let pathAt: number | undefined
  expectByte(reader, DICT)
  while (reader.bytes[reader.position] !== END) {
    const key = byteString(reader).toString('latin1')
    if (key === 'length') {
      const value = readValue(reader)
      if (typeof value === 'number' && value >= 0) length = value
    } else {
      if (key === 'path') pathAt = reader.position
      skipValue(reader)
    }
  }
  reader.position++
  if (length === undefined || pathAt === undefined) throw new Error('torrent: a file without length or path')
  return { length, pathAt }
}

function expectByte(reader: Reader, byte: number): void {
  if (reader.bytes[reader.position] !== byte) throw new Error('torrent: unexpected bencode')
  reader.position++
}
