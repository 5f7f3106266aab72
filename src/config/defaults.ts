/** The transfer types; `xtrabackup` and `decompress` come with the stream transport. */
export type TransferType = 'file'

/** Every setting of a run, resolved once from defaults, environment and flags, then frozen. */
export interface Config {
  /** What is sent: `file` copies a file or a directory tree. */
  type: TransferType
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
  /** Debug logs on stderr. */
  verbose: boolean
  /** One JSON summary on stdout instead of the human one. */
  json: boolean
  /** Show the live progress display (stderr is a terminal and not --json). */
  progress: 'auto' | 'never'
}

export const DEFAULTS: Readonly<Config> = Object.freeze({
  type: 'file',
  sshConfigPath: undefined,
  connectTimeoutMs: 15_000,
  stallTimeoutMs: 300_000,
  agentIdleTimeoutMs: 30_000,
  sshAgentSocket: undefined,
  bwlimit: null,
  encrypt: true,
  firewall: true,
  topologyPath: undefined,
  verbose: false,
  json: false,
  progress: 'auto',
})
