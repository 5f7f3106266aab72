import { dirname } from 'node:path'
import type { Cluster } from './cluster.js'

/**
 * Mounts a fresh tmpfs on the host's /tmp, inside the host's own mount namespace: cluster hosts
 * otherwise share this machine's /tmp, where other test runs ship their agents. sshd reads its
 * config and keys from the cluster's directory under /tmp for every login, so that directory is
 * bound back at its path, by way of a mount point on the host's private /srv.
 */
export async function givePrivateTmp(cluster: Cluster, host: string): Promise<void> {
  const script = [
    'set -e',
    'mkdir /srv/.hold',
    'mount --bind "$1" /srv/.hold',
    'mount -t tmpfs -o mode=1777 tmpfs /tmp',
    'mkdir -p "$1"',
    'mount --bind /srv/.hold "$1"',
    'umount /srv/.hold',
    'rmdir /srv/.hold',
  ].join('\n')
  const result = await cluster.exec(host, ['sh', '-c', script, 'sh', dirname(cluster.sshConfigPath)])
  if (result.exitCode !== 0) throw new Error(`private /tmp for ${host}: ${result.stderr}`)
}
