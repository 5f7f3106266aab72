import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CleanupStack } from '../../src/run/cleanup-stack.js'
import type { HostLayout } from './cluster-layout.js'
import { type Daemon, logTail, startDaemon } from './daemon.js'
import { pollUntil } from './poll-until.js'
import { runCommand } from './run-command.js'
import type { SshdFiles } from './ssh-files.js'

/** The processes that make one host: the holder of its namespaces, and its sshd. */
export interface HostDaemons {
  /**
   * A `sleep infinity` inside the host's network namespace and its private mount namespace (the one
   * with /srv). exec() enters the host through it, so the host stays enterable after stopSsh().
   */
  anchor: Daemon
  sshd: Daemon
}

const START_TIMEOUT_MS = 20_000

/** sshd re-executes itself for every connection, so it must be started by absolute path. */
export const SSHD = '/usr/sbin/sshd'

/** Starts the host's namespace anchor and its sshd, registering both for cleanup. */
export async function startHostDaemons(
  host: HostLayout,
  files: SshdFiles,
  hostDir: string,
  cleanup: CleanupStack,
): Promise<HostDaemons> {
  const anchor = await startAnchor(host, join(hostDir, 'anchor.log'), cleanup)
  // sshd joins the anchor's namespaces rather than making its own, so every SSH session, every
  // exec() and the anchor all see the same /srv.
  const argv = ['nsenter', '-t', String(anchor.pid), '-m', '-n', '--', SSHD, '-D', '-e', '-f', files.config]
  const sshd = startDaemon(argv, files.log)
  cleanup.defer(`stop sshd of ${host.name}`, () => sshd.stop())
  return { anchor, sshd }
}

/** Polls `ssh <host> true` from the admin namespace until it works: keys, config and network all at once. */
export async function waitForSsh(
  adminNamespace: string,
  sshConfigPath: string,
  host: string,
  sshd: Daemon,
  logPath: string,
): Promise<void> {
  const argv = [
    'ip',
    'netns',
    'exec',
    adminNamespace,
    'ssh',
    '-F',
    sshConfigPath,
    '-o',
    'ConnectTimeout=2',
    host,
    'true',
  ]
  const outcome = await pollUntil(
    `sshd on ${host} to accept a login`,
    async () => {
      if (sshd.exited) return 'exited'
      const result = await runCommand(argv, { timeoutMs: 10_000 })
      if (result.exitCode === 0) return 'ready'
      throw new Error(result.stderr.trim())
    },
    { timeoutMs: START_TIMEOUT_MS },
  ).catch(async (err: unknown) => {
    throw new Error(`${String(err)}; sshd log:\n${await logTail(logPath)}`, { cause: err })
  })
  if (outcome === 'exited') throw new Error(`sshd on ${host} exited; its log:\n${await logTail(logPath)}`)
}

/**
 * Enters the host's network namespace, makes a private mount namespace there, mounts the host's
 * tmpfs on /srv and turns into `sleep infinity`. Ready once it has become `sleep`, since that exec
 * only happens after the mount succeeded; a failed mount ends the process instead.
 */
async function startAnchor(host: HostLayout, logPath: string, cleanup: CleanupStack): Promise<Daemon> {
  const script = 'mount -t tmpfs -o "size=$1m,mode=0755" tmpfs /srv && exec sleep infinity'
  const argv = ['ip', 'netns', 'exec', host.namespace, 'unshare', '--mount', '--propagation', 'private']
  const anchor = startDaemon([...argv, 'sh', '-c', script, 'sh', String(host.diskMiB)], logPath)
  cleanup.defer(`stop the namespace anchor of ${host.name}`, () => anchor.stop())
  const outcome = await pollUntil(
    `the /srv tmpfs of ${host.name}`,
    async () =>
      anchor.exited ? 'exited' : (await commandName(anchor.pid)) === 'sleep' ? 'ready' : undefined,
    { timeoutMs: START_TIMEOUT_MS, intervalMs: 10 },
  )
  if (outcome === 'exited')
    throw new Error(`could not mount /srv for ${host.name}: ${await logTail(logPath)}`)
  return anchor
}

async function commandName(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim()
  } catch {
    return undefined
  }
}
