/**
 * What SOURCE is, with transfer.py's names: a file or directory copied as it is, a MariaDB backup
 * (`xtrabackup`: an xbstream file, unpacked on every target), or a tarball of one directory
 * (`decompress`) whose contents every target unpacks into its directory.
 */
export type TransferType = 'file' | 'xtrabackup' | 'decompress'

/** How the bytes travel: `auto` streams to one target and uses the swarm for two or more. */
export type Transport = 'auto' | 'swarm' | 'stream'

/** The stream's compression: gzip in the agent (pigz-compatible), or the hosts' `zstd` binary. */
export type Codec = 'gzip' | 'zstd'

/** When `--link` switches: on each target whose copy landed, or only when every target's did. */
export type LinkWhen = 'each' | 'all'

/** Every setting of a run, resolved once from defaults, environment and flags, then frozen. */
export interface Config {
  /** What is sent: `file` copies a file or a directory tree. */
  type: TransferType
  /** `auto`: a stream for one target, the swarm for more; `stream` with several targets goes one by one. */
  transport: Transport
  /** The stream's listening port on each target; 0 lets its agent pick a free one. */
  port: number
  /** Compress the stream (the swarm never compresses: its pieces are hashed as they are on disk). */
  compress: boolean
  codec: Codec
  /** Re-read every landed byte from the target's disk and check it against the source's hashes. */
  checksum: boolean
  /** transfer.py's check of the bytes in flight only; ignored when `checksum` is on. */
  parallelChecksum: boolean
  /** transfer.py's STOP SLAVE around an xtrabackup source; ignored for other types. */
  stopSlave: boolean
  /** Run `mariadb-backup --prepare` on every target's copy of a backup and hand it to the directory's owner. */
  prepare: boolean
  /** OpenSSH client config to read hosts from; undefined means ~/.ssh/config if it exists. */
  sshConfigPath: string | undefined
  /** How long to wait for a host's SSH handshake. */
  connectTimeoutMs: number
  /** A target that receives nothing for this long fails instead of hanging the run. */
  stallTimeoutMs: number
  /** An agent that hears nothing from the orchestrator for this long cleans up and exits. */
  agentIdleTimeoutMs: number
  /** The ssh-agent socket to offer keys from, after the identity files. */
  sshAgentSocket: string | undefined
  /** Cap on each host's upload and download, bytes per second; null for none. */
  bwlimit: number | null
  /** Encrypt the swarm (TLS with a per-transfer key and ephemeral Diffie-Hellman). */
  encrypt: boolean
  /** Open per-transfer firewall holes (nftables, else iptables) and close them afterwards. */
  firewall: boolean
  /**
   * A file of `HOST LABEL` lines: each host's site (datacenter). Undefined: sites are inferred from
   * round-trip times to the source.
   */
  topologyPath: string | undefined
  /**
   * A directory on every target (absolute, or relative to the target directory), typically the
   * previous release: each target copies from it every file whose content the new copy needs, and
   * receives only the rest. Never written to.
   */
  base: string | undefined
  /** A symlink in each target directory pointed at the new copy once it landed, replaced atomically. */
  link: string | undefined
  linkWhen: LinkWhen
  /** Debug logs on stderr. */
  verbose: boolean
  /** One JSON summary on stdout instead of the human one. */
  json: boolean
  /** Show the live progress display (stderr is a terminal and not --json). */
  progress: 'auto' | 'never'
}

export const DEFAULTS: Readonly<Config> = Object.freeze({
  type: 'file',
  transport: 'auto',
  port: 0,
  compress: true,
  codec: 'gzip',
  checksum: true,
  parallelChecksum: false,
  stopSlave: false,
  prepare: false,
  sshConfigPath: undefined,
  connectTimeoutMs: 15_000,
  stallTimeoutMs: 300_000,
  agentIdleTimeoutMs: 30_000,
  sshAgentSocket: undefined,
  bwlimit: null,
  encrypt: true,
  firewall: true,
  topologyPath: undefined,
  base: undefined,
  link: undefined,
  linkWhen: 'each',
  verbose: false,
  json: false,
  progress: 'auto',
})
