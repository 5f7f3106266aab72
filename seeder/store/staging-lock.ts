import { createHash } from 'node:crypto'
import { realpath } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { FanoutError } from '../../shared/errors.js'

/**
 * Holds a staging directory for this agent alone. Two runs of the same payload into the same
 * directory would share one staging copy, named after the content, and write it at once; the
 * second must be refused before it touches it.
 *
 * The lock is a Unix socket in Linux's abstract namespace, named after the directory: binding it is
 * atomic, and the kernel lets it go when the agent exits, however it exits, so a run killed with -9
 * leaves no stale lock behind (a lock file would). The namespace is per network namespace, which on
 * a real host is the one every agent runs in.
 */
export async function lockStaging(targetDir: string, stagingName: string): Promise<() => Promise<void>> {
  const stagingDir = join(await realpath(targetDir), stagingName)
  const name = `\0fanout-staging-${createHash('sha256').update(stagingDir).digest('hex').slice(0, 40)}`
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(name, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err
    throw new FanoutError(
      'TARGET_BUSY',
      `another fanout run is copying the same payload into ${stagingDir} right now; run again once it has finished`,
      { path: stagingDir },
    )
  })
  server.unref()
  return () => new Promise<void>((resolve) => server.close(() => resolve()))
}
