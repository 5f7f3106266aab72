import { lstat, readlink, rename, symlink, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { FanoutError } from '../../shared/errors.js'
import type { AgentCommand, AgentReport } from '../../shared/messages.js'

type LinkCommand = Omit<Extract<AgentCommand, { type: 'link' }>, 'type'>
type Linked = Omit<Extract<AgentReport, { type: 'linked' }>, 'type'>

/**
 * Points the symlink `name` in `dir` at `to` atomically: a new link made beside it is renamed over
 * it, so a reader of NAME opens the old release or the new one, never nothing. `to` is written as
 * given (relative), so the tree can be moved or mounted elsewhere. Checked first: the copy is there
 * under its final name, and NAME is a symlink or nothing (rename(2) would replace a regular file).
 * The temporary link is gone on every path out of here.
 */
export async function switchLink({ dir, name, to, tempName }: LinkCommand): Promise<Linked> {
  const path = join(dir, name)
  const fail = (why: string) => new FanoutError('LINK_FAILED', `${why}; ${path} was left as it was`, { path })
  try {
    if ((await kindOf(join(dir, to))) === null) throw fail(`${join(dir, to)} is not there`)
    const kind = await kindOf(path)
    if (kind !== null && kind !== 'symlink') throw fail(`${path} is a ${kind}, not a symlink`)
    const previous = kind === null ? null : await readlink(path)
    await renameNewLink(to, join(dir, tempName), path)
    return { path, previous }
  } catch (err) {
    if (err instanceof FanoutError) throw err
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw fail(`could not point ${path} at ${to} (${why})`)
  }
}

async function renameNewLink(to: string, temp: string, path: string): Promise<void> {
  await symlink(to, temp)
  try {
    await rename(temp, path)
  } catch (err) {
    await unlink(temp).catch(() => {})
    throw err
  }
}

async function kindOf(path: string): Promise<'symlink' | 'directory' | 'file' | null> {
  try {
    const stats = await lstat(path)
    if (stats.isSymbolicLink()) return 'symlink'
    return stats.isDirectory() ? 'directory' : 'file'
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}
