import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as esbuild from 'esbuild'
import { describe, expect, onTestFinished, test } from 'vitest'
import { BLOCK_LENGTH } from '../../../seeder/swarm/block-length.js'
import { interventionsPlugin } from '../../../seeder/swarm/bundle-plugin.js'
import { BUNDLE_INTERVENTIONS } from '../../../seeder/swarm/interventions.js'

/**
 * The bundle interventions change dependencies only as esbuild bundles the agent, so these tests
 * bundle the module each one changes, with the build's own plugin, and use what comes out.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..')
const modules = (path: string) => join(ROOT, 'node_modules', path)

async function bundle(
  entry: string,
): Promise<{ text: string; inputs: string[]; load(): Promise<Record<string, unknown>> }> {
  const { plugin } = interventionsPlugin(ROOT, BUNDLE_INTERVENTIONS)
  const built = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
    external: ['bufferutil', 'utf-8-validate'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    plugins: [plugin],
  })
  const text = built.outputFiles[0]?.text ?? ''
  return {
    text,
    inputs: Object.keys(built.metafile.inputs),
    load: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'fanout-bundle-'))
      onTestFinished(() => rm(dir, { recursive: true, force: true }))
      const file = join(dir, 'bundle.mjs')
      await writeFile(file, text)
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>
    },
  }
}

interface PieceModule {
  new (
    length: number,
  ): {
    reserve(): number
    chunkLength(i: number): number
    set(i: number, data: Uint8Array, source: unknown): boolean
    flush(): Uint8Array
  }
  BLOCK_LENGTH: number
}

async function torrentPiece(): Promise<PieceModule> {
  const built = await bundle(`export { default } from ${JSON.stringify(modules('torrent-piece/index.js'))}`)
  return (await built.load()).default as PieceModule
}

describe('bundle interventions', () => {
  test('webtorrent bundles without its native uTP module', async () => {
    const built = await bundle(`export { default } from ${JSON.stringify(modules('webtorrent/lib/utp.cjs'))}`)
    expect(built.text).not.toContain('utp-native')
    expect((await built.load()).default).toEqual({})
  })

  test("bittorrent-tracker's announce goes through the agent's own fetch", async () => {
    const built = await bundle(
      `export * from ${JSON.stringify(modules('bittorrent-tracker/lib/client/http-tracker.js'))}`,
    )
    expect(built.inputs).toContain('seeder/swarm/http-fetch.ts')
    expect(built.inputs.filter((input) => /cross-fetch|node-fetch/.test(input))).toEqual([])
  })

  test('torrent-piece asks for blocks of BLOCK_LENGTH', async () => {
    const Piece = await torrentPiece()
    expect(Piece.BLOCK_LENGTH).toBe(BLOCK_LENGTH)
    const piece = new Piece(2 * BLOCK_LENGTH + 5)
    expect([piece.reserve(), piece.reserve(), piece.reserve(), piece.reserve()]).toEqual([0, 1, 2, -1])
    expect([0, 1, 2].map((i) => piece.chunkLength(i))).toEqual([BLOCK_LENGTH, BLOCK_LENGTH, 5])
  })

  test('torrent-piece hands back blocks lying in place as a view, and copies others', async () => {
    const Piece = await torrentPiece()
    const length = BLOCK_LENGTH + 10
    const whole = Buffer.alloc(length, 7)
    const inPlace = new Piece(length)
    inPlace.set(0, whole.subarray(0, BLOCK_LENGTH), 'peer')
    inPlace.set(1, whole.subarray(BLOCK_LENGTH), 'peer')
    const joined = inPlace.flush()
    expect(joined.buffer).toBe(whole.buffer)
    expect(Buffer.isBuffer(joined)).toBe(true)
    const apart = new Piece(length)
    apart.set(0, Buffer.alloc(BLOCK_LENGTH, 1), 'peer')
    apart.set(1, Buffer.alloc(10, 2), 'peer')
    const copied = apart.flush()
    expect(copied.length).toBe(length)
    expect([copied[0], copied[length - 1]]).toEqual([1, 2])
  })

  test('a wire keeps the chunks of an unfinished message as they came', async () => {
    const built = await bundle(
      `export { default } from ${JSON.stringify(modules('bittorrent-protocol/index.js'))}`,
    )
    const Wire = (await built.load()).default as new () => {
      _write(chunk: Uint8Array, cb: () => void): void
      _buffer: Uint8Array[]
      on(event: 'piece', listener: (index: number, offset: number, block: Uint8Array) => void): void
    }
    const wire = new Wire()
    const pieces: number[] = []
    wire.on('piece', (index, _offset, block) => pieces.push(index, block.length))
    const handshake = Buffer.concat([
      Buffer.from([19]),
      Buffer.from('BitTorrent protocol'),
      Buffer.alloc(8),
      Buffer.alloc(20, 0xab),
      Buffer.alloc(20, 0xcd),
    ])
    wire._write(handshake, () => {})
    const block = Buffer.alloc(4096, 9)
    const message = Buffer.alloc(13)
    message.writeUInt32BE(9 + block.length, 0)
    message.writeUInt8(7, 4)
    message.writeUInt32BE(3, 5)
    message.writeUInt32BE(0, 9)
    const bytes = Buffer.concat([message, block])
    // The length prefix is parsed at once; the rest of the message arrives in three reads.
    wire._write(bytes.subarray(0, 4), () => {})
    for (const [from, to] of [
      [4, 1000],
      [1000, 2000],
      [2000, 3000],
    ] as const)
      wire._write(bytes.subarray(from, to), () => {})
    expect(wire._buffer.length).toBe(3)
    expect(pieces).toEqual([])
    wire._write(bytes.subarray(3000), () => {})
    expect(pieces).toEqual([3, block.length])
  })

  test('a tracker client gives requests in flight no grace period when it leaves', async () => {
    const built = await bundle(
      `export { DESTROY_TIMEOUT } from ${JSON.stringify(modules('bittorrent-tracker/lib/common-node.js'))}`,
    )
    expect((await built.load()).DESTROY_TIMEOUT).toBe(0)
  })

  test('an intervention that finds nothing to change is named, for the build to refuse', async () => {
    const { plugin, unapplied } = interventionsPlugin(ROOT, BUNDLE_INTERVENTIONS)
    await esbuild.build({
      stdin: {
        contents: `export { default } from ${JSON.stringify(modules('torrent-piece/index.js'))}`,
        resolveDir: ROOT,
      },
      bundle: true,
      write: false,
      format: 'esm',
      logLevel: 'silent',
      plugins: [plugin],
    })
    expect(unapplied()).toEqual(
      BUNDLE_INTERVENTIONS.map((i) => i.name).filter(
        (name) => !['block-length', 'join-in-place'].includes(name),
      ),
    )
  })
})
