import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { CleanupStack } from '../../src/run/cleanup-stack.js'
import { type ClusterLayout, type HostLayout, type HostSpec, planCluster } from './cluster-layout.js'
import { buildNetwork, setSwitchPort } from './cluster-network.js'
import { writeOwner } from './cluster-owner.js'
import { type HostDaemons, startHostDaemons, waitForSsh } from './host-daemons.js'
import { netnsInode, processesInNetns } from './netns-processes.js'
import { type ExecResult, runCommand } from './run-command.js'
import { settleAll } from './settle-all.js'
import { slots } from './slots.js'
import { type SshFiles, writeSshFiles } from './ssh-files.js'

export type { CleanupStack } from '../../src/run/cleanup-stack.js'
export type { ClusterLayout, HostSpec } from './cluster-layout.js'
export { clusterUnavailableReason } from './cluster-unavailable-reason.js'
export { destroyStaleClusters } from './destroy-stale-clusters.js'
export type { ExecResult } from './run-command.js'

/** A host of the cluster as tests address it. */
export interface ClusterHost {
  name: string
  address: string
  /** The host's network namespace (`ip netns exec <namespace> …`). */
  namespace: string
}

/** A set of namespaced hosts with their own sshd, /srv and links, plus an admin namespace to drive them from. */
export interface Cluster {
  /** 6 hex digits; every namespace of the cluster is named `fot<id>-…`. */
  readonly id: string
  readonly hosts: readonly ClusterHost[]
  /** Where the orchestrator under test runs: on the same bridge as the hosts, without a /srv. */
  readonly adminNamespace: string
  /** The admin namespace's address, which hosts use to reach services the orchestrator runs. */
  readonly adminAddress: string
  /**
   * An OpenSSH client config with one `Host <name>` block per host (HostName, User root, Port 22,
   * IdentityFile, UserKnownHostsFile, StrictHostKeyChecking yes). Read by `ssh -F` and by our ssh2 client.
   */
  readonly sshConfigPath: string
  /** The generated ed25519 client key that every host accepts for root. */
  readonly identityFile: string
  /** Every host's key, listed under both its name and its address. */
  readonly knownHostsPath: string
  /** Runs argv (no shell) in the host's network namespace and its private mount namespace (its /srv). */
  exec(host: string, argv: readonly string[], opts?: { input?: string | Uint8Array }): Promise<ExecResult>
  /** argv prefixed to run in the admin namespace, for execa or spawn. */
  adminArgv(argv: readonly string[]): string[]
  /**
   * argv prefixed to run inside the host (its network namespace and its /srv), for execa or spawn:
   * what {@link Cluster.exec} runs, for callers that need the process itself (its pid, a kill).
   */
  hostArgv(host: string, argv: readonly string[]): string[]
  /** Stops the host's sshd, so it refuses SSH connections; exec() still works. Idempotent. */
  stopSsh(host: string): Promise<void>
  /** Takes the host's switch port down or up, as if its cable were cut; its address stays. */
  setLink(host: string, up: boolean): Promise<void>
  /** Processes in the host's network namespace, other than the cluster's own sshd listener and anchor. */
  processes(host: string): Promise<{ pid: number; cmdline: string }[]>
  /** Kills every process in the cluster's namespaces, deletes them and the temporary directory. Idempotent. */
  destroy(): Promise<void>
}

interface RunningHost {
  layout: HostLayout
  daemons: HostDaemons
  netnsInode: number
}

/**
 * Builds a cluster with one host per spec: namespaces, bridge, shaping, keys and a running sshd on
 * each host, ready for logins when it resolves. On failure, whatever was made is removed again.
 */
export async function createCluster(specs: readonly HostSpec[]): Promise<Cluster> {
  return createClusterWithId(randomBytes(3).toString('hex'), specs)
}

/**
 * {@link createCluster} with a chosen id (6 hex digits). Only the helpers' own tests need it: taking
 * one of the cluster's namespace names first is how they make a creation fail half way.
 */
export async function createClusterWithId(id: string, specs: readonly HostSpec[]): Promise<Cluster> {
  return createClusterFromLayout(planCluster(id, specs), buildNetwork)
}

/** Builds the namespaces, links and shaping of a planned cluster, registering every undo. */
export type NetworkBuilder = (layout: ClusterLayout, cleanup: CleanupStack) => Promise<void>

/**
 * Builds a cluster from a finished layout with a network of the caller's making (other layouts than
 * the single bridge, such as two sites joined by a WAN link), then starts every host as
 * {@link createCluster} does. On failure, whatever was made is removed again.
 */
export async function createClusterFromLayout(
  layout: ClusterLayout,
  network: NetworkBuilder,
): Promise<Cluster> {
  const cleanup = new CleanupStack(teardownLog)
  try {
    return await buildCluster(layout, cleanup, network)
  } catch (err) {
    const undoErrors = await cleanup.unwind()
    if (undoErrors.length === 0) throw err
    throw new AggregateError(
      [err, ...undoErrors.map(cleanupFailed)],
      `creating cluster ${layout.id} failed, and so did its cleanup`,
    )
  }
}

/** A step that fails to undo is logged with its cause on stderr; the error names the steps. */
const teardownLog = pino({ level: 'warn' }, pino.destination(2))

function cleanupFailed(what: string): Error {
  return new Error(`cleanup failed: ${what}`)
}

async function buildCluster(
  layout: ClusterLayout,
  cleanup: CleanupStack,
  network: NetworkBuilder,
): Promise<Cluster> {
  // sshd's privilege separation directory; packages create it at boot only, not in a fresh container.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
  const dir = await mkdtemp(join(tmpdir(), layout.prefix))
  cleanup.defer(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }))
  await writeOwner(dir)
  const ssh = await writeSshFiles(dir, layout)
  await network(layout, cleanup)
  const loginChecks = slots(LOGIN_CHECKS_AT_ONCE)
  const hosts = await settleAll(
    layout.hosts.map((host) => startHost(layout, host, { ssh, dir, cleanup, loginChecks })),
  )
  return clusterHandle(layout, ssh, new Map(hosts.map((h) => [h.layout.name, h])), cleanup)
}

/**
 * Hosts whose first SSH login is being tried at once. Each try is an `ssh` process doing a full
 * handshake every 50 ms until it works: 65 hosts polling at once kept a busy 2-core machine from
 * answering any of them within the 20-s limit. The daemons themselves all start at once.
 */
const LOGIN_CHECKS_AT_ONCE = 8

interface HostStart {
  ssh: SshFiles
  dir: string
  cleanup: CleanupStack
  loginChecks: ReturnType<typeof slots>
}

async function startHost(layout: ClusterLayout, host: HostLayout, start: HostStart): Promise<RunningHost> {
  const { ssh, dir, cleanup, loginChecks } = start
  const files = ssh.sshd.get(host.name)
  const inode = await netnsInode(host.namespace)
  if (files === undefined || inode === undefined) throw new Error(`host ${host.name} was not set up`)
  const daemons = await startHostDaemons(host, files, join(dir, 'hosts', host.name), cleanup)
  await loginChecks(() =>
    waitForSsh(layout.adminNamespace, ssh.sshConfigPath, host.name, daemons.sshd, files.log),
  )
  return { layout: host, daemons, netnsInode: inode }
}

function clusterHandle(
  layout: ClusterLayout,
  ssh: SshFiles,
  hosts: ReadonlyMap<string, RunningHost>,
  cleanup: CleanupStack,
): Cluster {
  const host = (name: string): RunningHost => {
    const found = hosts.get(name)
    if (found === undefined) throw new Error(`cluster ${layout.id} has no host ${name}`)
    return found
  }
  return {
    id: layout.id,
    hosts: layout.hosts.map(({ name, address, namespace }) => ({ name, address, namespace })),
    adminNamespace: layout.adminNamespace,
    adminAddress: layout.adminAddress,
    sshConfigPath: ssh.sshConfigPath,
    identityFile: ssh.identityFile,
    knownHostsPath: ssh.knownHostsPath,
    exec: (name, argv, opts) => execInHost(host(name), argv, opts?.input),
    adminArgv: (argv) => ['ip', 'netns', 'exec', layout.adminNamespace, ...argv],
    hostArgv: (name, argv) => enterHost(host(name), argv),
    stopSsh: (name) => host(name).daemons.sshd.stop(),
    setLink: (name, up) => {
      const { switchNamespace = layout.switchNamespace, switchPort } = host(name).layout
      return setSwitchPort(switchNamespace, switchPort, up)
    },
    processes: (name) => hostProcesses(host(name)),
    destroy: async () => {
      const failed = await cleanup.unwind()
      if (failed.length > 0)
        throw new AggregateError(failed.map(cleanupFailed), `destroying cluster ${layout.id} failed in part`)
    },
  }
}

async function execInHost(
  host: RunningHost,
  argv: readonly string[],
  input: string | Uint8Array | undefined,
): Promise<ExecResult> {
  return runCommand(enterHost(host, argv), input === undefined ? {} : { input })
}

function enterHost(host: RunningHost, argv: readonly string[]): string[] {
  // The anchor holds both namespaces for the host's whole life, unlike sshd, which stopSsh() ends.
  return ['nsenter', '-t', String(host.daemons.anchor.pid), '-m', '-n', '--', ...argv]
}

async function hostProcesses(host: RunningHost): Promise<{ pid: number; cmdline: string }[]> {
  const own = [host.daemons.anchor.pid, host.daemons.sshd.pid]
  return (await processesInNetns(host.netnsInode)).filter((p) => !own.includes(p.pid))
}
