import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { Logger } from 'pino'
import type { ServerHostKeyAlgorithm } from 'ssh2'
import { FanoutError } from '../../shared/errors.js'
import {
  hostKeys,
  type KnownHostEntry,
  knownHostsName,
  parseKnownHosts,
  verifyHostKey,
} from './known-hosts.js'
import type { SshTarget } from './ssh-target.js'

/** Reads every known_hosts file that exists; a missing one is normal (OpenSSH lists two of each). */
export async function loadKnownHosts(files: readonly string[], log: Logger): Promise<KnownHostEntry[]> {
  const entries: KnownHostEntry[] = []
  for (const path of files) {
    try {
      entries.push(...parseKnownHosts(await readFile(path, 'utf8')))
    } catch (err) {
      log.debug({ path, errno: (err as NodeJS.ErrnoException).code }, 'known_hosts file not read')
    }
  }
  return entries
}

/** ssh2's defaults, in its order, which we reorder rather than replace. */
const DEFAULT_HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
]

/**
 * Puts the key types known_hosts already holds for this host first, as OpenSSH does. Otherwise a
 * server with an ed25519 and an ecdsa key, of which we know only the ecdsa one, would present the
 * ed25519 key and look like a mismatch.
 */
export function preferKnownAlgorithms(known: readonly KnownHostEntry[]): ServerHostKeyAlgorithm[] {
  const preferred = known.flatMap((e): string[] =>
    e.keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [e.keyType],
  )
  const first = DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => preferred.includes(a))
  return [...first, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))]
}

/** Decides whether to trust a server key; returns the FanoutError to raise, or undefined to accept. */
export function checkHostKey(
  target: SshTarget,
  entries: readonly KnownHostEntry[],
  key: Buffer,
): FanoutError | undefined {
  if (target.strictHostKeyChecking === 'no') return undefined
  const verdict = verifyHostKey(entries, target.hostName, target.port, key)
  if (verdict === 'match') return undefined
  if (verdict === 'unknown' && target.strictHostKeyChecking === 'accept-new') return undefined
  const name = knownHostsName(target.hostName, target.port)
  const fingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
  const context = { host: target.displayName, hostKeyName: name, fingerprint, files: target.knownHostsFiles }
  const host = target.displayName
  const message =
    verdict === 'unknown'
      ? `${host}: host key ${fingerprint} is not in known_hosts; verify it and add it (ssh-keyscan -p ${target.port} ${target.hostName}), or set StrictHostKeyChecking accept-new`
      : `${host}: host key ${fingerprint} does not match known_hosts or is revoked (possible attack, or a reinstalled host); if expected, run ssh-keygen -R '${name}'`
  return new FanoutError('SSH_HOST_KEY', message, context)
}

/** The key types known for a host, for `preferKnownAlgorithms`. */
export function knownKeysFor(entries: readonly KnownHostEntry[], target: SshTarget): KnownHostEntry[] {
  return hostKeys(entries, target.hostName, target.port)
}
