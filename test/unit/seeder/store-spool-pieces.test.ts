import { createHash, randomBytes } from 'node:crypto'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { SpoolPieces } from '../../../seeder/store/spool-pieces.js'
import { tmpDir } from '../../helpers/tmp-tree.js'

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest()

async function spool(chunks: Buffer[], pieceLength: number, capacity = 1 << 20) {
  const path = join(await tmpDir(), 'backup.xbstream')
  const fd = openSync(path, 'w+')
  const pieces: [number, Buffer][] = []
  const spooled = new SpoolPieces(fd, pieceLength, capacity, (index, digest) => pieces.push([index, digest]))
  try {
    for (const chunk of chunks) spooled.write(chunk)
    return { end: spooled.finish(), pieces, file: readFileSync(path) }
  } finally {
    closeSync(fd)
  }
}

test('chunks across piece boundaries: each piece hashed as written, the last one padded with zeros', async () => {
  const data = randomBytes(1000)
  const { end, pieces, file } = await spool(
    [data.subarray(0, 300), data.subarray(300, 301), data.subarray(301)],
    256,
  )
  expect(end).toEqual({ bytes: 1000, pieces: 4 })
  expect(file.length).toBe(1024)
  expect(file.subarray(0, 1000).equals(data)).toBe(true)
  expect(file.subarray(1000).equals(Buffer.alloc(24))).toBe(true)
  expect(pieces).toEqual([0, 1, 2, 3].map((i) => [i, sha1(file.subarray(i * 256, (i + 1) * 256))]))
})

test('a stream that ends on a piece boundary gets no padding; an empty one has no piece', async () => {
  expect((await spool([randomBytes(512)], 256)).end).toEqual({ bytes: 512, pieces: 2 })
  expect((await spool([], 256)).end).toEqual({ bytes: 0, pieces: 0 })
})

test('a backup larger than the run was sized for fails instead of outgrowing the torrent', async () => {
  await expect(spool([randomBytes(600), randomBytes(600)], 256, 1000)).rejects.toMatchObject({
    code: 'BACKUP_FAILED',
    message: 'the backup grew past 1000 bytes, the most this run was sized for',
  })
})
