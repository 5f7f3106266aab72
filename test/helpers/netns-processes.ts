import { readdir, readFile, readlink, stat } from 'node:fs/promises'
import { pollUntil } from './poll-until.js'

/** A process found by {@link processesInNetns}. */
export interface NsProcess {
  pid: number
  cmdline: string
}

/** The inode of a named network namespace (`ip netns add NAME`), or undefined if there is none. */
export async function netnsInode(name: string): Promise<number | undefined> {
  try {
    // /run/netns/NAME is a bind mount of the nsfs file, so stat() sees the namespace's own inode.
    return (await stat(`/run/netns/${name}`)).ino
  } catch {
    return undefined
  }
}

/** The inode of this process's own network namespace, which the helpers must never empty. */
export async function ownNetnsInode(): Promise<number> {
  return parseNsLink(await readlink('/proc/self/ns/net'))
}

/**
 * Every live process whose network namespace is `inode`. Namespaces share the machine's pid space,
 * so this scans /proc; processes that exit during the scan, and zombies (whose namespace links are
 * gone), are simply not listed.
 */
export async function processesInNetns(inode: number): Promise<NsProcess[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number)
  const found = await Promise.all(pids.map((pid) => processIfInNetns(pid, inode)))
  return found.filter((p): p is NsProcess => p !== undefined)
}

/**
 * SIGKILLs every process in the namespace `inode` except `keep`, and waits (bounded) until none is
 * left, killing again what was forked meanwhile. These are all processes of ours: the namespace is.
 */
export async function killNetnsProcesses(inode: number, keep: readonly number[] = []): Promise<void> {
  if (inode === (await ownNetnsInode()))
    throw new Error('refusing to kill the processes of our own namespace')
  await pollUntil(
    `the processes of network namespace ${inode} to exit`,
    async () => {
      const left = (await processesInNetns(inode)).filter((p) => !keep.includes(p.pid))
      for (const p of left) killQuietly(p.pid)
      return left.length === 0 ? true : undefined
    },
    { timeoutMs: 10_000, intervalMs: 20 },
  )
}

async function processIfInNetns(pid: number, inode: number): Promise<NsProcess | undefined> {
  try {
    if (parseNsLink(await readlink(`/proc/${pid}/ns/net`)) !== inode) return undefined
    return { pid, cmdline: await readCmdline(pid) }
  } catch {
    return undefined // Gone, a zombie, or a kernel thread: nothing to list.
  }
}

async function readCmdline(pid: number): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8')
  const cmdline = raw.split('\0').join(' ').trim()
  return cmdline !== '' ? cmdline : `[${(await readFile(`/proc/${pid}/comm`, 'utf8')).trim()}]`
}

function parseNsLink(link: string): number {
  const match = /^net:\[(\d+)\]$/.exec(link)
  if (match?.[1] === undefined) throw new Error(`unexpected namespace link ${link}`)
  return Number(match[1])
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // It exited between the scan and the kill.
  }
}
