// Compiles the TypeScript (tsc) and bundles the agent into one file (esbuild). The agent bundle is
// what the orchestrator copies to each host, which needs nothing but Node.js: every dependency,
// webtorrent included, is inside it.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
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

// webtorrent's peer connections go through seeder/secure-net.ts, which adds TLS when the transfer is
// encrypted. Only webtorrent's own files are redirected; everything else keeps the real `net`.
const secureNet = {
  name: 'secure-net',
  setup(build) {
    build.onResolve({ filter: /^(node:)?net$/ }, (args) =>
      /[\\/]node_modules[\\/]webtorrent[\\/]lib[\\/]/.test(args.importer)
        ? { path: join(root, 'seeder/secure-net.ts') }
        : undefined,
    )
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
  plugins: [noUtp, secureNet],
  logLevel: 'warning',
})
