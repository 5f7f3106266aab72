/**
 * Makes a private single-file .torrent for aria2c, on the source host (via `cluster.exec`):
 *
 *   node --import tsx bench/host/make-torrent.ts FILE OUT.torrent ANNOUNCE_URL
 *
 * 1 MiB pieces, `private=1` (no DHT, PEX or LSD: peers come from our tracker only).
 */
import { createHash } from 'node:crypto'
import { open, stat, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import bencode from 'bencode'

const PIECE = 2 ** 20
const [file = '', out = '', announce = ''] = process.argv.slice(2)
const length = (await stat(file)).size
const handle = await open(file, 'r')
const hashes: Buffer[] = []
const buffer = Buffer.alloc(PIECE)
try {
  for (let offset = 0; offset < length; offset += PIECE) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(PIECE, length - offset), offset)
    hashes.push(createHash('sha1').update(buffer.subarray(0, bytesRead)).digest())
  }
} finally {
  await handle.close()
}
const info = {
  length,
  name: basename(file),
  'piece length': PIECE,
  pieces: Buffer.concat(hashes),
  private: 1,
}
await writeFile(out, bencode.encode({ announce, info }))
