import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { DirectReader } from '../../../seeder/store/direct-read.js'
import { tmpDir } from '../../helpers/tmp-tree.js'

test('reads ranges exactly, the file end included, whether or not the filesystem takes O_DIRECT', async () => {
  const dir = await tmpDir()
  const path = join(dir, 'data')
  const data = randomBytes(3 * 65536 + 777)
  await writeFile(path, data)
  const reader = new DirectReader(65536)
  for (const offset of [0, 65536, 131072, 196608]) {
    const length = Math.min(65536, data.length - offset)
    expect(reader.read(path, offset, length).equals(data.subarray(offset, offset + length))).toBe(true)
  }
  // Ranges that start and end inside a block, as a piece does in a file of a multi-file torrent.
  for (const [offset, length] of [
    [1, 65536],
    [4095, 2],
    [70_000, 60_001],
    [data.length - 10, 10],
  ] as const) {
    expect(reader.read(path, offset, length).equals(data.subarray(offset, offset + length))).toBe(true)
  }
  expect(() => reader.read(path, 0, 65537)).toThrow(RangeError)
})
