import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { expect } from 'vitest'
import { CLI } from './run-fanout.js'

const ROOT = join(import.meta.dirname, '..', '..')

/**
 * Runs the built CLI on this machine as a user would, for the e2e tests. TMPDIR points into the
 * test's own directory when `tmp` is given, so the local agent's temporary directory
 * (`$TMPDIR/fanout-agent.*`) can be checked without racing other runs. The default `cwd` is the
 * repository's root.
 */
export async function fanout(args: readonly string[], opts: { cwd?: string; tmp?: string } = {}) {
  const result = await execa(process.execPath, [CLI, ...args], {
    reject: false,
    timeout: 20_000,
    cwd: opts.cwd ?? ROOT,
    env: opts.tmp === undefined ? {} : { TMPDIR: opts.tmp },
    stdin: 'ignore',
  })
  expect(result.timedOut, 'the CLI did not finish in 20 s').toBe(false)
  return result
}

/** For a beforeAll: the e2e tests run the bundle, which only `npm run build` makes. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the e2e tests`)
}
