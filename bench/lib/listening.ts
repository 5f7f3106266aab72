import { readFile } from 'node:fs/promises'
import { pollUntil } from '../../test/helpers/poll-until.js'

// /proc/net/tcp state code of a listening socket.
const LISTEN = '0A'

/**
 * Waits until something in the network namespace of `pid` listens on TCP `port`. It reads
 * /proc/<pid>/net/tcp{,6}, which shows that namespace's sockets, instead of connecting: a probe
 * connection would be the one connection `nc -l` accepts.
 */
export async function waitForListener(pid: number, port: number, timeoutMs = 10_000): Promise<void> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  await pollUntil(
    `a listener on port ${port} in the namespace of pid ${pid}`,
    async () => ((await listensOn(pid, hexPort)) ? true : undefined),
    { timeoutMs, intervalMs: 20 },
  )
}

async function listensOn(pid: number, hexPort: string): Promise<boolean> {
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      if (state === LISTEN && local?.endsWith(`:${hexPort}`)) return true
    }
  }
  return false
}
