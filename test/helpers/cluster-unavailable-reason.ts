import { accessSync, constants, statSync } from 'node:fs'
import { join } from 'node:path'
import { SSHD } from './host-daemons.js'
import { helperPath } from './run-command.js'

// What createCluster runs, besides sshd, which must be the absolute path it re-executes itself from.
const REQUIRED_COMMANDS = ['ip', 'tc', 'nsenter', 'unshare', 'mount', 'sh', 'sleep', 'ssh', 'ssh-keygen']

/**
 * Why no cluster can be built on this machine, or undefined if one can. Tests pass it to
 * `describe.skipIf` and print it, so a skipped suite says what to fix.
 */
export function clusterUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'the virtual cluster needs Linux network namespaces'
  if (process.getuid?.() !== 0) return 'the virtual cluster needs root (namespaces, tc, mount)'
  const missing = REQUIRED_COMMANDS.filter((command) => findCommand(command) === undefined)
  if (!isExecutable(SSHD)) missing.push(SSHD)
  if (missing.length > 0) return `missing ${missing.join(', ')}: run scripts/ci-deps.sh`
  if (!isDirectory('/srv')) return 'there is no /srv directory to mount the hosts’ tmpfs on'
  return undefined
}

/** The absolute path of an executable on the helpers' PATH, or undefined. */
export function findCommand(command: string): string | undefined {
  return helperPath()
    .split(':')
    .map((dir) => join(dir, command))
    .find(isExecutable)
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
