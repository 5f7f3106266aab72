/** One host asked for by a test. */
export interface HostSpec {
  /** The name tests and the SSH config use for the host (`ssh -F config <name>`). */
  name: string
  /** Size of the host's private tmpfs at /srv, in MiB. Default 256. */
  diskMiB?: number
  /** Shapes the host's link to this many Mbit/s in each direction; undefined leaves it unshaped. */
  rateMbit?: number
  /**
   * Shapes only the host's download (what it receives) to this many Mbit/s, in place of `rateMbit`
   * in that direction: a host with a slow inbound path (a busy disk it writes to, a degraded port).
   */
  downloadMbit?: number
  /**
   * How much the shaper queues, in milliseconds at the link's rate, in both directions. Default 50.
   * Many connections through one slow link need more: TCP keeps a few packets of each in flight
   * (BBR, this machine's default, at least 4), and at 2 Mbit/s 50 ms holds 8 packets: with 64
   * connections the source's shaper dropped 37% of what it was offered.
   */
  queueMs?: number
  /**
   * TMPDIR for SSH sessions on the host (e.g. a directory on its own small /srv), where agents and
   * a hot backup's spool go; undefined leaves the machine's shared /tmp.
   */
  tmpDir?: string
  /** More environment for the host's SSH sessions (its agents): a test hook such as a misbehaving peer. */
  sessionEnv?: Record<string, string>
}

/** Where a host sits in the virtual network. */
export interface HostLayout {
  name: string
  /** The host's own network namespace. */
  namespace: string
  address: string
  /** The bridge-side end of the host's veth, inside the switch namespace. */
  switchPort: string
  /** The switch the host is plugged into, when it is not the cluster's `switchNamespace` (multi-site layouts). */
  switchNamespace?: string
  diskMiB: number
  rateMbit: number | undefined
  downloadMbit: number | undefined
  queueMs: number | undefined
  tmpDir: string | undefined
  sessionEnv: Record<string, string>
}

/** The whole virtual network of one cluster: pure data, computed before anything is created. */
export interface ClusterLayout {
  id: string
  /** Every namespace of this cluster starts with it, which is how stale ones are recognised. */
  prefix: string
  switchNamespace: string
  adminNamespace: string
  adminAddress: string
  adminSwitchPort: string
  hosts: HostLayout[]
}

/** Matches the namespaces created by {@link planCluster}, and nothing else: `fot` and 6 hex digits. */
export const CLUSTER_NAMESPACE = /^fot([0-9a-f]{6})-/

const DEFAULT_DISK_MIB = 256
// .1 is left free, the admin namespace is .2 and hosts start at .10, so at most 245 hosts fit.
const FIRST_HOST_OCTET = 10
const MAX_HOSTS = 254 - FIRST_HOST_OCTET + 1
// Host names end up in SSH configs, paths and namespace-free file names, so they stay plain.
const HOST_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/i

/**
 * Lays out a cluster with id `id` (6 hex digits). Interfaces are created directly inside their
 * namespaces and never exist in the root namespace, so their names (`eth0` in a host, `v<i>` on the
 * switch) only need to be unique per namespace and stay far below IFNAMSIZ.
 */
export function planCluster(id: string, specs: readonly HostSpec[]): ClusterLayout {
  if (!/^[0-9a-f]{6}$/.test(id)) throw new Error(`cluster id must be 6 hex digits, got ${id}`)
  validateSpecs(specs)
  const prefix = `fot${id}-`
  // Each cluster is an island, so subnets may repeat between clusters; varying them only makes
  // addresses in logs tell clusters apart.
  const subnet = `10.231.${Number.parseInt(id.slice(0, 2), 16)}`
  return {
    id,
    prefix,
    switchNamespace: `${prefix}sw`,
    adminNamespace: `${prefix}adm`,
    adminAddress: `${subnet}.2`,
    adminSwitchPort: 'vadm',
    hosts: specs.map((spec, i) => ({
      name: spec.name,
      namespace: `${prefix}h${i}`,
      address: `${subnet}.${FIRST_HOST_OCTET + i}`,
      switchPort: `v${i}`,
      diskMiB: spec.diskMiB ?? DEFAULT_DISK_MIB,
      rateMbit: spec.rateMbit,
      downloadMbit: spec.downloadMbit,
      queueMs: spec.queueMs,
      tmpDir: spec.tmpDir,
      sessionEnv: spec.sessionEnv ?? {},
    })),
  }
}

function validateSpecs(specs: readonly HostSpec[]): void {
  if (specs.length === 0 || specs.length > MAX_HOSTS) {
    throw new Error(`a cluster has 1 to ${MAX_HOSTS} hosts, got ${specs.length}`)
  }
  const seen = new Set<string>()
  for (const spec of specs) {
    if (!HOST_NAME.test(spec.name)) throw new Error(`host name ${JSON.stringify(spec.name)} is not plain`)
    if (seen.has(spec.name)) throw new Error(`host name ${spec.name} is used twice`)
    seen.add(spec.name)
    // tmpfs reads size=0 as "no limit", so a zero size would silently lift the disk limit.
    if (spec.diskMiB !== undefined && !(Number.isInteger(spec.diskMiB) && spec.diskMiB > 0)) {
      throw new Error(`host ${spec.name}: diskMiB must be a positive integer`)
    }
    for (const key of ['rateMbit', 'downloadMbit', 'queueMs'] as const) {
      const rate = spec[key]
      if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
        throw new Error(`host ${spec.name}: ${key} must be a positive number`)
      }
    }
  }
}
