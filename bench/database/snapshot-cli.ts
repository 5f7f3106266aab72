import { cp, mkdir, rm, rmdir } from 'node:fs/promises'
import { join } from 'node:path'

const REPO = join(import.meta.dirname, '..', '..')

/**
 * Copies dist/ aside for the run's duration and returns the CLI inside the copy, so a rebuild during
 * a run cannot swap the program under test. Unlike lib/snapshot-dist.ts, whose one `.bench-dist`
 * another benchmark running at the same time would remove under us, each run gets its own directory
 * in `.bench/` (ignored by git and Biome); the CLI and its agent bundle find package.json and
 * node_modules by walking up from there.
 */
export async function snapshotCli(): Promise<{ cli: string; dispose: () => Promise<void> }> {
  const dir = join(REPO, '.bench', `database-dist-${process.pid}`)
  await mkdir(join(REPO, '.bench'), { recursive: true })
  await rm(dir, { recursive: true, force: true })
  await cp(join(REPO, 'dist'), dir, { recursive: true })
  return {
    cli: join(dir, 'fanout.mjs'),
    dispose: async () => {
      await rm(dir, { recursive: true, force: true })
      // .bench/ goes too when nothing else is in it (another run's snapshot keeps it).
      await rmdir(join(REPO, '.bench')).catch(() => undefined)
    },
  }
}
