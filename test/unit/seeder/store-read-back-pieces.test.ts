import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { storedFiles } from '../../../seeder/store/locate-span.js'
import { readBackPieces } from '../../../seeder/store/read-back-pieces.js'
import { FanoutError } from '../../../shared/errors.js'
import { tmpDir } from '../../helpers/tmp-tree.js'

const PIECE = 16 * 1024

/** Three files laid end to end, so pieces straddle file boundaries at unaligned offsets. */
async function store() {
  const root = await tmpDir()
  const sizes = [PIECE + 100, 7, 2 * PIECE + 333]
  const contents = sizes.map((size) => randomBytes(size))
  let offset = 0
  const files = []
  await mkdir(join(root, 'payload'))
  for (const [i, content] of contents.entries()) {
    const path = `payload/f${i}`
    await writeFile(join(root, path), content)
    files.push({ path, length: content.length, offset })
    offset += content.length
  }
  const all = Buffer.concat(contents)
  const hashes = []
  for (let at = 0; at < all.length; at += PIECE)
    hashes.push(
      createHash('sha1')
        .update(all.subarray(at, at + PIECE))
        .digest('hex'),
    )
  return { root, files: storedFiles(files), pieceLength: PIECE, length: all.length, hashes }
}

describe('readBackPieces', () => {
  test('a copy as the source hashed it passes, pieces across files included', async () => {
    const stored = await store()
    const checked = await readBackPieces(stored, new AbortController().signal)
    expect(checked.seconds).toBeGreaterThanOrEqual(0)
  })

  test.each([
    // Inside piece 2, which lies in f2 alone.
    { offset: 20_000, message: /checksum mismatch: .*payload\/f2 differs from the source at bytes / },
    // Inside piece 1, which spans the end of f0, all of f1 and the start of f2.
    { offset: 5000, message: /piece 1, in .*payload\/f0 or .*payload\/f1 or .*payload\/f2, differs/ },
  ])(
    'one byte changed on disk fails the check and names the file(s) it may be in',
    async ({ offset, message }) => {
      const stored = await store()
      const path = join(stored.root, 'payload/f2')
      const data = await readFile(path)
      data[offset] = (data[offset] as number) ^ 1
      await writeFile(path, data)
      const failure = await readBackPieces(stored, new AbortController().signal).catch((err: unknown) => err)
      expect(failure).toBeInstanceOf(FanoutError)
      expect((failure as FanoutError).code).toBe('VERIFY_FAILED')
      expect((failure as FanoutError).message).toMatch(message)
    },
  )
})
