import { constants, openSync } from 'node:fs'

/** 0 where the platform has no such flag. */
export const NO_ATIME = constants.O_NOATIME ?? 0

/**
 * Opens a file so that reading it does not move its access time. The source's files are read to
 * hash and to serve them, and a host must be left as it was found, atimes included; a target
 * restores its copy's times while it still serves other targets (fetch-target.ts). Linux grants
 * O_NOATIME to the file's owner and to root; anyone else gets EPERM, and an ordinary open then.
 */
export function openWithoutAtime(path: string, flags: number): number {
  try {
    return openSync(path, flags | NO_ATIME)
  } catch (err) {
    if (!refusedNoAtime(err)) throw err
    return openSync(path, flags)
  }
}

/** Whether an open with {@link NO_ATIME} failed only for that flag. */
export function refusedNoAtime(err: unknown): boolean {
  return NO_ATIME !== 0 && (err as NodeJS.ErrnoException).code === 'EPERM'
}
