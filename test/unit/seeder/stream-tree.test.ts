import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { link, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, test } from 'vitest'
import { scanTree } from '../../../seeder/package/scan-tree.js'
import { materialize } from '../../../seeder/place/materialize.js'
import { ReadBack } from '../../../seeder/store/read-back.js'
import { chain } from '../../../seeder/stream/chain.js'
import { compressor, decompressor } from '../../../seeder/stream/codec.js'
import { packTree } from '../../../seeder/stream/pack-tree.js'
import { unpackTree } from '../../../seeder/stream/unpack-tree.js'
import { FanoutError } from '../../../shared/errors.js'
import { CHUNK_LENGTH, PIECE_HASH_LENGTH, type StreamCodec } from '../../../shared/messages.js'
import { buildTree, describeTree, tmpDir, withoutTimes } from '../../helpers/tmp-tree.js'

const LONG_DIR = 'd'.repeat(120)
const ODD_NAMES = [
  'with\nnewline',
  'back\\slash',
  'quote\'"',
  'ünïcödé ✓',
  'tab\there',
  `${'n'.repeat(200)}.dat`,
]

/** A tree with what tar formats get wrong: long paths, odd bytes in names, hard links, empty files. */
async function oddTree(root: string): Promise<void> {
  await buildTree(root, [
    { kind: 'file', path: 'big.bin', content: randomBytes(CHUNK_LENGTH * 2 + 12345), mode: 0o640 },
    { kind: 'file', path: 'empty', content: '' },
    { kind: 'dir', path: `${LONG_DIR}/${LONG_DIR}`, mode: 0o750 },
    ...ODD_NAMES.map((name) => ({
      kind: 'file' as const,
      path: `${LONG_DIR}/${LONG_DIR}/${name}`,
      content: name,
    })),
    { kind: 'symlink', path: 'link-to-big', target: 'big.bin' },
  ])
  await link(join(root, 'big.bin'), join(root, LONG_DIR, 'hard-link-to-big'))
}

/** Source tree → tar → codec → tar → staging, as the two agents do it, with the read-back check. */
async function streamTree(source: string, staging: string, codec: StreamCodec | null, corrupt = false) {
  const tree = await scanTree(source)
  const readBack = new ReadBack()
  const digests: Buffer[] = []
  const pack = packTree(tree, {
    onRead: () => {},
    onChunk: (digest) => digests.push(digest),
    signal: new AbortController().signal,
  })
  const wire = new PassThrough()
  let flipped = !corrupt
  await Promise.all([
    pipeline([Readable.from(pack, { objectMode: false }), ...compressor(codec), wire]),
    unpackTree(chain(wire, decompressor(codec)), staging, {
      onWritten: () => {},
      onChunk: (chunk) => {
        if (!flipped) {
          flipped = true
          const data = readFileSync(chunk.path)
          data[chunk.offset] = (data[chunk.offset] as number) ^ 1
          writeFileSync(chunk.path, data)
        }
        readBack.wrote(chunk)
      },
    }),
  ])
  readBack.learn(0, Buffer.concat(digests))
  expect(digests.every((d) => d.length === PIECE_HASH_LENGTH)).toBe(true)
  const checked = await readBack.finish()
  await materialize(tree.manifest, join(staging, tree.manifest.name))
  return checked
}

describe('the stream of a tree', () => {
  for (const codec of [null, 'gzip', 'zstd'] as const) {
    test(`arrives exactly, hard links as links, odd and long names intact (${codec ?? 'uncompressed'})`, async () => {
      const dir = await tmpDir()
      const source = join(dir, 'src', 'payload')
      await oddTree(source)
      const staging = join(dir, 'staging')
      await buildTree(staging, [])
      const checked = await streamTree(source, staging, codec)
      expect(checked.seconds).toBeGreaterThanOrEqual(0)
      const copy = join(staging, 'payload')
      expect(withoutTimes(await describeTree(copy))).toEqual(withoutTimes(await describeTree(source)))
      const [first, second] = await Promise.all([
        stat(join(copy, 'big.bin')),
        stat(join(copy, LONG_DIR, 'hard-link-to-big')),
      ])
      expect(second.ino).toBe(first.ino)
      expect(first.nlink).toBe(2)
    })
  }

  test('a byte changed on the disk after it was written fails the read-back, naming the file', async () => {
    const dir = await tmpDir()
    const source = join(dir, 'src', 'payload')
    await oddTree(source)
    const staging = join(dir, 'staging')
    await buildTree(staging, [])
    const failure = await streamTree(source, staging, null, true).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(FanoutError)
    expect((failure as FanoutError).code).toBe('VERIFY_FAILED')
    expect((failure as FanoutError).message).toMatch(
      /checksum mismatch: .*big\.bin differs from the source at bytes 0-/,
    )
  })
})
