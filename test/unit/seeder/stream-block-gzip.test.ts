import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { pipeline } from 'node:stream/promises'
import { gunzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { gunzipBlocks, gzipBlocks } from '../../../seeder/stream/block-gzip.js'
import { FanoutError } from '../../../shared/errors.js'

const MiB = 2 ** 20

async function through(stream: NodeJS.ReadWriteStream, data: Buffer, piece = 64 * 1024): Promise<Buffer> {
  const pieces = Array.from({ length: Math.ceil(data.length / piece) }, (_, i) =>
    data.subarray(i * piece, (i + 1) * piece),
  )
  const [, out] = await Promise.all([
    pipeline(Readable.from(pieces), stream as unknown as NodeJS.WritableStream),
    buffer(stream as unknown as Readable),
  ])
  return out
}

/** The blocks of a gzipBlocks stream: [gzipped, body] each. */
function blocksOf(wire: Buffer): [boolean, Buffer][] {
  const blocks: [boolean, Buffer][] = []
  for (let at = 0; at < wire.length; ) {
    const header = wire.readUInt32BE(at)
    const length = header & 0x7fff_ffff
    blocks.push([header >= 0x8000_0000, wire.subarray(at + 4, at + 4 + length)])
    at += 4 + length
  }
  return blocks
}

describe('gzip blocks', () => {
  test('compressible data shrinks, each block is a gzip member, and comes back exactly', async () => {
    const text = Buffer.from('INSERT INTO t VALUES (1, "row"), (2, "row");\n'.repeat(100_000))
    const wire = await through(gzipBlocks(), text)
    expect(wire.length).toBeLessThan(text.length / 10)
    const blocks = blocksOf(wire)
    expect(blocks.length).toBe(Math.ceil(text.length / MiB))
    // What pigz -d (or gunzip) would read: the members one after another.
    expect(Buffer.concat(blocks.map(([gz, body]) => (gz ? gunzipSync(body) : body))).equals(text)).toBe(true)
    expect((await through(gunzipBlocks(), wire)).equals(text)).toBe(true)
  })

  test('random data goes mostly as it is, and comes back exactly', async () => {
    const random = randomBytes(40 * MiB)
    const wire = await through(gzipBlocks(), random)
    const blocks = blocksOf(wire)
    expect(blocks.length).toBe(40)
    // Tried: the first block and a few samples; the rest is sent raw without trying.
    expect(blocks.every(([gz]) => !gz)).toBe(true)
    expect(wire.length).toBe(random.length + 4 * 40)
    expect((await through(gunzipBlocks(), wire)).equals(random)).toBe(true)
  })

  test('a stream cut inside a block or with a damaged block fails as corrupt', async () => {
    const text = Buffer.from('abc'.repeat(MiB))
    const wire = await through(gzipBlocks(), text)
    await expect(through(gunzipBlocks(), wire.subarray(0, wire.length - 10))).rejects.toThrow(
      /ended inside a block/,
    )
    const damaged = Buffer.from(wire)
    damaged[20] = (damaged[20] as number) ^ 0xff
    const failure = await through(gunzipBlocks(), damaged).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(FanoutError)
    expect((failure as FanoutError).code).toBe('VERIFY_FAILED')
  })
})
