// Compiles the TypeScript (tsc) and bundles the agent into one file (esbuild). The agent bundle is
// what the orchestrator copies to each host, which needs nothing but Node.js: every dependency,
// webtorrent included, is inside it. The CLI is bundled too (dist/fanout.mjs, package.json's bin):
// tsc's output stays for the typed API and the tests.
import { execFileSync } from 'node:child_process'
import { chmodSync, realpathSync, rmSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// The CommonJS dependencies in an ES module bundle call require() for node's modules.
const REQUIRE_FOR_COMMONJS =
  "import { createRequire as __fanoutRequire } from 'node:module'; const require = __fanoutRequire(import.meta.url);"
// ssh2's lib/agent.js computes a path from __dirname as it loads (that of a helper for Windows'
// Pageant, which fanout never runs); without one, loading ssh2 from the CLI bundle threw.
const DIRNAME_FOR_COMMONJS =
  "import { fileURLToPath as __fanoutPath } from 'node:url'; const __filename = __fanoutPath(import.meta.url); const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));"
rmSync(join(root, 'dist'), { recursive: true, force: true })
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')],
  {
    stdio: 'inherit',
  },
)
// What the bundle changes in webtorrent and its dependencies is listed, with why, in
// seeder/swarm/interventions.ts; tsc has just compiled it and the plugin that applies it.
const { BUNDLE_INTERVENTIONS } = await import('../dist/seeder/swarm/interventions.js')
const { interventionsPlugin } = await import('../dist/seeder/swarm/bundle-plugin.js')
const interventions = interventionsPlugin(root, BUNDLE_INTERVENTIONS)

// Both agents: one entry, minified, every dependency inside.
const agentBuild = (outfile, plugins, extra = {}) =>
  esbuild.build({
    entryPoints: [join(root, 'seeder/main.ts')],
    outfile: join(root, 'dist', outfile),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    banner: { js: REQUIRE_FOR_COMMONJS },
    plugins,
    logLevel: 'warning',
    ...extra,
  })

// ws tries these optional native speed-ups inside try/catch; absent is fine.
await agentBuild('agent.mjs', [interventions.plugin], { external: ['bufferutil', 'utf-8-validate'] })
const unapplied = interventions.unapplied()
if (unapplied.length > 0) {
  rmSync(join(root, 'dist/agent.mjs'), { force: true })
  throw new Error(`bundle interventions that found nothing to change: ${unapplied.join(', ')}`)
}

// The stream's agent: the same entry without the swarm's roles, which only `seed` and `fetch`
// load (seeder/control/run-agent.ts), and so without webtorrent and the tracker. A sixth of the
// code to ship and compile: it says hello about 40 ms sooner, on the critical path of every single
// copy.
await agentBuild('agent-stream.mjs', [withoutSwarmRoles()])

// What the orchestrator ships to each remote host: a quarter of the bytes, which counts when one
// admin host starts dozens of agents at once. Made here so that no run pays for compressing it.
for (const bundle of ['agent.mjs', 'agent-stream.mjs']) {
  await writeFile(
    join(root, `dist/${bundle}.gz`),
    gzipSync(await readFile(join(root, `dist/${bundle}`)), { level: 9 }),
  )
}

// The CLI in one file (and the chunks that only some runs load): tsc's output is dozens of modules
// plus node_modules, and loading them one by one cost `fanout --version` about 140 ms of CPU over a
// bare node's start, against 60 ms bundled; a local run saves about 190 ms. The SSH and local
// executors stay separate chunks, loaded when a run first needs one (src/api/create-executor.ts), so
// a local run never compiles ssh2. Not minified, so that an internal error's stack names our code.
await esbuild.build({
  entryPoints: { fanout: join(root, 'src/cli/main.ts') },
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'cli-chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  absWorkingDir: root,
  legalComments: 'none',
  banner: { js: `${REQUIRE_FOR_COMMONJS}\n${DIRNAME_FOR_COMMONJS}` },
  plugins: [nativeAddonsFromNodeModules()],
  logLevel: 'warning',
})
// npm sets the bin's run bit only when it links it (npm ci, the first npx), so a rebuild that left
// it off made `npx fanout` fail with "Permission denied".
chmodSync(join(root, 'dist/fanout.mjs'), 0o755)

/**
 * Each of the swarm's roles becomes a module that refuses to load: the stream's agent is never sent
 * `seed` or `fetch`, and if it were, the command fails with this line instead of a missing file.
 */
function withoutSwarmRoles() {
  const roles = /\/roles\/(seed-source|seed-backup|fetch-target)\.js$/
  return {
    name: 'without-swarm-roles',
    setup(build) {
      build.onResolve({ filter: roles }, (args) => ({ path: args.path, namespace: 'swarm-role' }))
      build.onLoad({ filter: /.*/, namespace: 'swarm-role' }, () => ({
        contents: "throw new Error('this is the stream agent: it has no swarm roles')",
        loader: 'js',
      }))
    },
  }
}

/**
 * ssh2's optional native parts (cpu-features, and its own sshcrypto.node) stay where npm built
 * them: each `require` of one is rewritten to name its file inside its package, which node finds in
 * node_modules from dist/ as it did from ssh2. Where the build failed or was skipped, the require
 * throws as before and ssh2 uses its JavaScript ciphers.
 */
function nativeAddonsFromNodeModules() {
  return {
    name: 'native-addons-from-node-modules',
    setup(build) {
      build.onResolve({ filter: /^cpu-features$/ }, () => ({ path: 'cpu-features', external: true }))
      build.onResolve({ filter: /\.node$/ }, (args) => {
        const inPackage = relative(realpathSync(join(root, 'node_modules')), join(args.resolveDir, args.path))
        if (inPackage.startsWith('..')) throw new Error(`a native addon outside node_modules: ${args.path}`)
        return { path: inPackage.split(sep).join('/'), external: true }
      })
    },
  }
}
