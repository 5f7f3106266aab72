import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * fanout's version, from the nearest package.json above this module. Found by walking up, as the
 * agent bundle is, because the CLI runs from two depths: the bundle (dist/fanout.mjs, the bin) and
 * tsc's output (dist/src/cli/main.js).
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate))
      return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version
    dir = dirname(dir)
  }
  throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
}
