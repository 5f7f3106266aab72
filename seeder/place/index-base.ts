import { lstatSync, readdirSync, type Stats, statSync } from 'node:fs'
import { join } from 'node:path'
import { timeSlices } from '../control/time-slices.js'

/** A base's regular files of the sizes the new copy needs: the only ones that can hold its content. */
export interface BaseIndex {
  /** Size -> relative paths ('/'-separated; '' for a base that is one file), in walk order. */
  bySize: Map<number, string[]>
  root: string
}

/**
 * Walks the base without following a symlink (a link inside it may point anywhere on the host) and
 * keeps the regular files whose size some new file has. Undefined when the base is not there or is
 * neither a directory nor a file: the target then receives every byte, as without a base.
 */
export async function indexBase(root: string, sizes: ReadonlySet<number>): Promise<BaseIndex | undefined> {
  const top = statOrUndefined(root)
  if (top === undefined || !(top.isDirectory() || top.isFile())) return undefined
  const bySize = new Map<number, string[]>()
  const keep = (relPath: string, stats: Stats) => {
    if (!stats.isFile() || !sizes.has(stats.size)) return
    const list = bySize.get(stats.size)
    if (list === undefined) bySize.set(stats.size, [relPath])
    else list.push(relPath)
  }
  if (top.isFile()) {
    keep('', top)
    return { bySize, root }
  }
  const pending = ['']
  const breathe = timeSlices()
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const name of readdirOrEmpty(join(root, dir))) {
      const relPath = dir === '' ? name : `${dir}/${name}`
      const stats = statOrUndefined(join(root, relPath), false)
      if (stats?.isDirectory() === true) pending.push(relPath)
      else if (stats !== undefined) keep(relPath, stats)
      await breathe()
    }
  }
  return { bySize, root }
}

/** The root may be a symlink the user named (as a source root may); nothing inside is followed. */
function statOrUndefined(path: string, followRoot = true): Stats | undefined {
  try {
    return followRoot ? statSync(path) : lstatSync(path)
  } catch {
    return undefined
  }
}

/** A directory that cannot be read only hides its files: they come from the swarm instead. */
function readdirOrEmpty(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}
