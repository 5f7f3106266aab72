import { readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLUSTER_NAMESPACE } from './cluster-layout.js'
import { removeNamespace } from './cluster-network.js'
import { ownerIsAlive } from './cluster-owner.js'

// mkdtemp(`fot<id>-`) appends 6 characters; nothing else in the temporary directory looks like this.
const CLUSTER_DIR = /^fot([0-9a-f]{6})-[A-Za-z0-9]{6}$/

/**
 * Removes what crashed earlier runs left behind: namespaces named like ours (`fot<6 hex>-…`) and
 * their processes, and our temporary directories. A cluster whose creating process still runs is
 * left alone, so a second test run on the same machine keeps its clusters. Returns what was removed.
 */
export async function destroyStaleClusters(): Promise<string[]> {
  const namespaces = await ourNamespaces()
  const dirs = await ourDirs()
  const ids = new Set([...namespaces.keys(), ...dirs.keys()])
  const removed: string[] = []
  for (const id of ids) {
    const idDirs = dirs.get(id) ?? []
    if (await anyAlive(idDirs)) continue
    for (const name of namespaces.get(id) ?? []) {
      await removeNamespace(name)
      removed.push(name)
    }
    for (const dir of idDirs) {
      await rm(dir, { recursive: true, force: true })
      removed.push(dir)
    }
  }
  return removed
}

// A cluster being created has its directory a moment before its owner record, so a young
// directory without one may belong to a live run.
const CREATION_GRACE_MS = 60_000

async function anyAlive(dirs: readonly string[]): Promise<boolean> {
  const alive = await Promise.all(
    dirs.map(async (dir) => {
      const owner = await ownerIsAlive(dir)
      return owner ?? (await isYoung(dir))
    }),
  )
  return alive.includes(true)
}

async function isYoung(dir: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(dir)).mtimeMs < CREATION_GRACE_MS
  } catch {
    return false
  }
}

async function ourNamespaces(): Promise<Map<string, string[]>> {
  return groupById(await readdirOrEmpty('/run/netns'), CLUSTER_NAMESPACE, (name) => name)
}

async function ourDirs(): Promise<Map<string, string[]>> {
  const base = tmpdir()
  return groupById(await readdirOrEmpty(base), CLUSTER_DIR, (name) => join(base, name))
}

function groupById(names: readonly string[], pattern: RegExp, toValue: (name: string) => string) {
  const groups = new Map<string, string[]>()
  for (const name of names) {
    const id = pattern.exec(name)?.[1]
    if (id === undefined) continue
    groups.set(id, [...(groups.get(id) ?? []), toValue(name)])
  }
  return groups
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch {
    return []
  }
}
