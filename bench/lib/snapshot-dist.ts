import { cp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const REPO = join(import.meta.dirname, '..', '..')
// Directly in the repository, as dist/ is: the CLI finds package.json and node_modules above it.
const SNAPSHOT = join(REPO, '.bench-dist')

/**
 * Copies dist/ aside for the suite's duration and returns the CLI inside the copy, so a rebuild
 * during a 40-minute run cannot swap the program under test half way. The copy sits where dist/
 * does, so the CLI still finds node_modules, package.json and its agent bundle; a `.gitignore` of
 * `*` inside keeps it out of `git status` while it exists.
 */
export async function snapshotDist(): Promise<{ cli: string; dispose: () => Promise<void> }> {
  await rm(SNAPSHOT, { recursive: true, force: true })
  await cp(join(REPO, 'dist'), SNAPSHOT, { recursive: true })
  await writeFile(join(SNAPSHOT, '.gitignore'), '*\n')
  return {
    cli: join(SNAPSHOT, 'fanout.mjs'),
    dispose: () => rm(SNAPSHOT, { recursive: true, force: true }),
  }
}
