import { constants, open, openSync } from 'node:fs'
import { promisify } from 'node:util'

/** 0 where the platform has no such flag. */
const NO_ATIME = constants.O_NOATIME ?? 0
const openAsync = promisify(open)

/**
 * Opens a file so that reading it does not move its access time. The source's files are read to
 * hash and to serve them, and a host must be left as it was found, atimes included; a target
 * restores its copy's times while it still serves other targets (fetch-target.ts). Linux grants
 * O_NOATIME to the file's owner and to root; anyone else gets EPERM, and an ordinary open then.
 */
export function openWithoutAtime(path: string, flags: number, mode?: number): number {
  try {
    return openSync(path, flags | NO_ATIME, mode)
  } catch (err) {
    if (!refusedNoAtime(err)) throw err
    return openSync(path, flags, mode)
  }
}

/** {@link openWithoutAtime} through the thread pool. */
export function openWithoutAtimeAsync(path: string, flags: number, mode?: number): Promise<number> {
  return openAsync(path, flags | NO_ATIME, mode).catch((err: unknown) => {
    if (!refusedNoAtime(err)) throw err
    return openAsync(path, flags, mode)
  })
}

function refusedNoAtime(err: unknown): boolean {
  return NO_ATIME !== 0 && (err as NodeJS.ErrnoException).code === 'EPERM'
}
