import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FanoutError } from '../../shared/errors.js'

/**
 * Which agent a run ships: the whole one, or the stream's, built without the swarm's roles (and so
 * without webtorrent), which starts sooner.
 */
export type AgentKind = 'swarm' | 'stream'

const FILE: Record<AgentKind, string> = { swarm: 'agent.mjs', stream: 'agent-stream.mjs' }

/**
 * An agent bundle built by `npm run build` (dist/agent.mjs, dist/agent-stream.mjs). Found by walking
 * up from this module, so it works from the compiled CLI (dist/src/run), the bundled one (dist/)
 * and the TypeScript sources under test.
 */
export function agentBundlePath(kind: AgentKind = 'swarm'): string {
  const name = FILE[kind]
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth++) {
    for (const candidate of [join(dir, name), join(dir, 'dist', name)]) {
      if (existsSync(candidate)) return candidate
    }
    dir = dirname(dir)
  }
  throw new FanoutError('AGENT_FAILED', `the agent bundle dist/${name} is missing: run \`npm run build\``)
}

const cached = new Map<AgentKind, Promise<Buffer>>()

/** The bundle gzipped (made by the build next to it), as it is shipped. */
export function readShippedAgent(kind: AgentKind = 'swarm'): Promise<Buffer> {
  let bundle = cached.get(kind)
  if (bundle === undefined) {
    bundle = readFile(`${agentBundlePath(kind)}.gz`).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
      throw new FanoutError(
        'AGENT_FAILED',
        `the agent bundle dist/${FILE[kind]}.gz is missing: run \`npm run build\``,
      )
    })
    cached.set(kind, bundle)
  }
  return bundle
}
