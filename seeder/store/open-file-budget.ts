import { readFileSync } from 'node:fs'

const FLOOR = 384
const CEILING = 65_536

/**
 * How many payload files a store may keep open: half the process's descriptor limit, leaving the
 * rest to sockets, between 384 and 65,536. Node raises the soft limit to the hard one when it
 * starts, which is usually far above the 1,024 a shell shows. Keeping a whole tree of small files
 * open saves an open and a close per file each time a peer asks for a piece (a 20,000-file tree:
 * 25,000 opens per target with 384 files open at most). Linux tells us the limit in /proc; elsewhere
 * the floor is safe.
 */
export function openFileBudget(limitsText = readLimits()): number {
  const soft = /^Max open files\s+(\d+|unlimited)\s/m.exec(limitsText)?.[1]
  if (soft === undefined) return FLOOR
  if (soft === 'unlimited') return CEILING
  return Math.min(CEILING, Math.max(FLOOR, Math.floor(Number(soft) / 2)))
}

function readLimits(): string {
  try {
    return readFileSync('/proc/self/limits', 'utf8')
  } catch {
    return ''
  }
}
