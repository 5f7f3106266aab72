import { renameSync } from 'node:fs'
import { link, lstat, rmdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'

import { FanoutError } from '../../shared/errors.js'

/**
 * Moves the verified copy from the staging directory to its final name, never replacing anything.
 * A single file is hard-linked (which fails if the name exists) and then unlinked from staging;
 * a directory is renamed after a check, and rename(2) itself refuses a non-empty destination.
 *
 * `moved` is called with `targetDir` once the copy is there and before its staging name is gone, so
 * that a swarm target serving the copy switches paths with no moment when neither name opens. The
 * directory's rename is synchronous for that: the store opens files on this thread.
 */
export async function placeIntoTarget(
  stagingDir: string,
  targetDir: string,
  name: string,
  moved: (root: string) => void = () => {},
): Promise<string> {
  const staged = join(stagingDir, name)
  const final = join(targetDir, name)
  const stats = await lstat(staged)
  try {
    if (stats.isDirectory()) {
      if (await exists(final)) throw Object.assign(new Error('exists'), { code: 'EEXIST' })
      renameSync(staged, final)
      moved(targetDir)
    } else {
      await link(staged, final)
      moved(targetDir)
      await unlink(staged)
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ENOTEMPTY') {
      throw new FanoutError(
        'DESTINATION_EXISTS',
        `${final} appeared during the transfer; the copy stays in ${stagingDir}`,
        { path: final },
      )
    }
    throw err
  }
  await rmdir(stagingDir)
  return final
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  )
}
