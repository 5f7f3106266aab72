import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FanoutError } from '../../shared/errors.js'

/**
 * The agent bundle built by `npm run build` (dist/agent.mjs). Found by walking up from this module,
 * so it works from the compiled CLI (dist/src/run) and from the TypeScript sources under test.
 */
export function agentBundlePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth++) {
    for (const candidate of [join(dir, 'agent.mjs'), join(dir, 'dist', 'agent.mjs')]) {
      if (existsSync(candidate)) return candidate
    }
    dir = dirname(dir)
  }
  throw new FanoutError('AGENT_FAILED', 'the agent bundle dist/agent.mjs is missing: run `npm run build`')
}

let cached: Promise<Buffer> | undefined

/** The bundle gzipped (dist/agent.mjs.gz, made by the build next to it), as it is shipped. */
export function readShippedAgent(): Promise<Buffer> {
  cached ??= readFile(`${agentBundlePath()}.gz`).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
    throw new FanoutError(
      'AGENT_FAILED',
      'the agent bundle dist/agent.mjs.gz is missing: run `npm run build`',
    )
  })
  return cached
}
