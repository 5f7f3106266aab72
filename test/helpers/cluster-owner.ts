import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

// A pid alone could have been reused since a crash; the pid together with its start time cannot.
const OWNER_FILE = 'owner'

/** Records in the cluster's directory that this process owns the cluster. */
export async function writeOwner(dir: string): Promise<void> {
  await writeFile(join(dir, OWNER_FILE), `${process.pid} ${await startTime(process.pid)}\n`)
}

/**
 * Whether the process that created the cluster in `dir` still runs, or undefined if the directory
 * has no owner record (yet: it is written right after the directory is made).
 */
export async function ownerIsAlive(dir: string): Promise<boolean | undefined> {
  let record: string
  try {
    record = await readFile(join(dir, OWNER_FILE), 'utf8')
  } catch {
    return undefined
  }
  const [pid, started] = record.trim().split(' ')
  return pid !== undefined && started !== undefined && (await startTime(Number(pid))) === started
}

/** Field 22 of /proc/<pid>/stat: the start time in clock ticks since boot. */
async function startTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses, so count fields after the last ')'.
    return stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .at(22 - 3)
  } catch {
    return undefined
  }
}
