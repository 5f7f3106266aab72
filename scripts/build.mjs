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

// What the bundle changes in webtorrent and its dependencies is listed, with why, in
// seeder/swarm/interventions.ts; tsc has just compiled it and the plugin that applies it.
const { BUNDLE_INTERVENTIONS } = await import('../dist/seeder/swarm/interventions.js')
const { interventionsPlugin } = await import('../dist/seeder/swarm/bundle-plugin.js')
const interventions = interventionsPlugin(root, BUNDLE_INTERVENTIONS)

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
  plugins: [interventions.plugin],
  logLevel: 'warning',
})
const unapplied = interventions.unapplied()
if (unapplied.length > 0) {
  rmSync(join(root, 'dist/agent.mjs'), { force: true })
  throw new Error(`bundle interventions that found nothing to change: ${unapplied.join(', ')}`)
}

// What the orchestrator ships to each remote host: a quarter of the bytes, which counts when one
// admin host starts dozens of agents at once. Made here so that no run pays for compressing it.
await writeFile(
  join(root, 'dist/agent.mjs.gz'),
  gzipSync(await readFile(join(root, 'dist/agent.mjs')), { level: 9 }),
)
