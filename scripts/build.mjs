// Compiles the TypeScript (tsc) and bundles the agent into one file (esbuild). The agent bundle is
// what the orchestrator copies to each host, which needs nothing but Node.js: every dependency,
// webtorrent included, is inside it.
import { execFileSync } from 'node:child_process'
import { chmodSync, rmSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
rmSync(join(root, 'dist'), { recursive: true, force: true })
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')],
  {
    stdio: 'inherit',
  },
)
// The CLI is package.json's bin. npm sets its run bit only when it links the bin (npm ci, the first
// npx), so a rebuild that left it off made `npx fanout` fail with "Permission denied".
chmodSync(join(root, 'dist/src/cli/main.js'), 0o755)

// uTP is off in our clients, and its native module cannot load from a single shipped file.
const noUtp = {
  name: 'no-utp',
  setup(build) {
    build.onLoad({ filter: /webtorrent[\\/]lib[\\/]utp\.cjs$/ }, () => ({
      contents: 'module.exports = {}',
      loader: 'js',
    }))
  },
}

// webtorrent's peer connections go through seeder/swarm/secure-net.ts, which adds TLS when the transfer is
// encrypted. Only webtorrent's own files are redirected; everything else keeps the real `net`.
const secureNet = {
  name: 'secure-net',
  setup(build) {
    build.onResolve({ filter: /^(node:)?net$/ }, (args) =>
      /[\\/]node_modules[\\/]webtorrent[\\/]lib[\\/]/.test(args.importer)
        ? { path: join(root, 'seeder/swarm/secure-net.ts') }
        : undefined,
    )
  },
}

// The agent's only fetch is an announce to its own tracker over plain HTTP; seeder/swarm/http-fetch.ts
// does it with node:http instead of loading undici and bundling node-fetch (why: in that file).
const httpFetch = {
  name: 'http-fetch',
  setup(build) {
    build.onResolve({ filter: /^cross-fetch-ponyfill$/ }, () => ({
      path: join(root, 'seeder/swarm/http-fetch.ts'),
    }))
  },
}

// Small fixes to dependencies, applied to their text as the bundle is built. Each must find its
// text exactly: a changed upstream file fails the build instead of silently losing the fix.
const patches = [
  {
    file: /[\\/]torrent-piece[\\/]index\.js$/,
    edits: [
      // Requests of 128 KiB instead of 16 KiB (why: seeder/swarm/block-length.ts).
      { from: 'const BLOCK_LENGTH = 1 << 14', to: 'const BLOCK_LENGTH = 1 << 17' },
      // Blocks that seeder/swarm/piece-message-router.ts copied into their piece's own buffer are already
      // the joined piece: a view over them replaces a copy. Blocks that are not contiguous in one
      // buffer are joined as before.
      {
        from: 'const buffer = concat(this._buffer, this.length)',
        to: 'const buffer = joinedInPlace(this._buffer, this.length) ?? concat(this._buffer, this.length)',
      },
    ],
    append: `
function joinedInPlace (blocks, length) {
  const first = blocks[0]
  let end = first.byteOffset
  for (const block of blocks) {
    if (block.buffer !== first.buffer || block.byteOffset !== end) return null
    end += block.length
  }
  // A Buffer, not a Uint8Array: the stores serve blocks with slice(), a view on a Buffer but a copy
  // on a Uint8Array.
  return end - first.byteOffset === length ? Buffer.from(first.buffer, first.byteOffset, length) : null
}
`,
  },
  {
    file: /[\\/]bittorrent-protocol[\\/]index\.js$/,
    edits: [
      // bittorrent-protocol joins all buffered bytes on every read, so a message arriving in n reads
      // is copied n times (quadratic: a 128 KiB block in 16 KiB TLS records is copied 4.5 times).
      // Join only once a whole parser unit is there.
      {
        from: 'if (this._buffer.length > 1) {',
        to: 'if (this._buffer.length > 1 && (this._bufferSize >= this._parserSize || this._cryptoSyncPattern)) {',
      },
    ],
  },
  {
    file: /[/]bittorrent-tracker[/]lib[/]common-node\.js$/,
    edits: [
      // Leaving a torrent waited up to a second for tracker requests still in flight (its own
      // 'stopped' announce, an interval one, the 'completed' one). The tracker dies with the
      // source, which stops while the targets finalize; a request it never answers held a target's
      // finalize for that whole second (2 runs in 6 on the bed). Pending requests are now dropped.
      { from: 'export const DESTROY_TIMEOUT = 1000', to: 'export const DESTROY_TIMEOUT = 0' },
    ],
  },
]
const patchDependencies = {
  name: 'patch-dependencies',
  setup(build) {
    for (const patch of patches) {
      build.onLoad({ filter: patch.file }, async (args) => {
        let source = await readFile(args.path, 'utf8')
        for (const { from, to } of patch.edits) {
          if (source.split(from).length !== 2)
            throw new Error(`${args.path} changed: "${from}" not found once`)
          source = source.replace(from, to)
        }
        return { contents: source + (patch.append ?? ''), loader: 'js' }
      })
    }
  },
}

await esbuild.build({
  entryPoints: [join(root, 'seeder/main.ts')],
  outfile: join(root, 'dist/agent.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  // ws tries these optional native speed-ups inside try/catch; absent is fine.
  external: ['bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire as __fanoutRequire } from 'node:module'; const require = __fanoutRequire(import.meta.url);",
  },
  plugins: [noUtp, secureNet, httpFetch, patchDependencies],
  logLevel: 'warning',
})

// What the orchestrator ships to each remote host: a quarter of the bytes, which counts when one
// admin host starts dozens of agents at once. Made here so that no run pays for compressing it.
await writeFile(
  join(root, 'dist/agent.mjs.gz'),
  gzipSync(await readFile(join(root, 'dist/agent.mjs')), { level: 9 }),
)
