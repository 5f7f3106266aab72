import type { CleanupStack } from '../../src/run/cleanup-stack.js'
import type { ClusterLayout, HostLayout } from './cluster-layout.js'
import { killNetnsProcesses, netnsInode } from './netns-processes.js'
import { runOrThrow } from './run-command.js'
import { settleAll } from './settle-all.js'

/** The bridge's name inside every switch namespace. */
export const BRIDGE = 'br0'
const HOST_DEVICE = 'eth0'

/**
 * Builds the cluster's network: a switch namespace with a bridge, and the admin and host namespaces
 * each plugged into it by a veth. Nothing is created in the root namespace, which gets no address or
 * route, so traffic for the cluster can never leave the machine from there.
 */
export async function buildNetwork(layout: ClusterLayout, cleanup: CleanupStack): Promise<void> {
  const namespaces = [layout.switchNamespace, layout.adminNamespace, ...layout.hosts.map((h) => h.namespace)]
  for (const name of namespaces) await addNamespace(name, cleanup)
  await runOrThrow(['ip', '-n', layout.switchNamespace, 'link', 'add', BRIDGE, 'type', 'bridge'])
  await runOrThrow(['ip', '-n', layout.switchNamespace, 'link', 'set', BRIDGE, 'up'])
  await plugIn(layout.switchNamespace, layout.adminNamespace, layout.adminSwitchPort, layout.adminAddress)
  await settleAll(layout.hosts.map((host) => plugInHost(layout.switchNamespace, host)))
}

/** Brings a host's switch port down or up: the host keeps its address but loses its carrier, as with a cut cable. */
export async function setSwitchPort(switchNamespace: string, port: string, up: boolean): Promise<void> {
  await runOrThrow(['ip', '-n', switchNamespace, 'link', 'set', port, up ? 'up' : 'down'])
}

/** Kills whatever still runs in a namespace, then deletes it. A namespace already gone is fine. */
export async function removeNamespace(name: string): Promise<void> {
  const inode = await netnsInode(name)
  if (inode === undefined) return
  await killNetnsProcesses(inode)
  await runOrThrow(['ip', 'netns', 'delete', name])
}

/** Creates a namespace with its loopback up, and registers its removal. */
export async function addNamespace(name: string, cleanup: CleanupStack): Promise<void> {
  await runOrThrow(['ip', 'netns', 'add', name])
  cleanup.defer(`remove namespace ${name}`, () => removeNamespace(name))
  await runOrThrow(['ip', '-n', name, 'link', 'set', 'lo', 'up'])
}

/** Plugs a host into a switch namespace's bridge and shapes both directions of its link. */
export async function plugInHost(switchNamespace: string, host: HostLayout): Promise<void> {
  await plugIn(switchNamespace, host.namespace, host.switchPort, host.address)
  // Egress of the host's own device limits its upload; egress of the bridge-side end limits its download.
  if (host.rateMbit !== undefined) await shapeEgress(host.namespace, HOST_DEVICE, host.rateMbit, host.queueMs)
  const download = host.downloadMbit ?? host.rateMbit
  if (download !== undefined) await shapeEgress(switchNamespace, host.switchPort, download, host.queueMs)
}

/** Connects `namespace` to the bridge in `switchNamespace` by a veth (`port` on the switch, eth0 inside). */
export async function plugIn(
  switchNamespace: string,
  namespace: string,
  port: string,
  address: string,
): Promise<void> {
  const sw = ['ip', '-n', switchNamespace]
  await runOrThrow([
    ...sw,
    'link',
    'add',
    port,
    'type',
    'veth',
    'peer',
    'name',
    HOST_DEVICE,
    'netns',
    namespace,
  ])
  await runOrThrow([...sw, 'link', 'set', port, 'master', BRIDGE])
  await runOrThrow([...sw, 'link', 'set', port, 'up'])
  await runOrThrow(['ip', '-n', namespace, 'addr', 'add', `${address}/24`, 'dev', HOST_DEVICE])
  await runOrThrow(['ip', '-n', namespace, 'link', 'set', HOST_DEVICE, 'up'])
}

/**
 * A token bucket on the device's egress. The bucket holds rate/250 (4 ms worth of bytes) but at least
 * 32 KiB: smaller buckets starve TCP at low rates, bigger ones let bursts overshoot the rate. tbf splits
 * veth's 64 KiB GSO packets to fit the bucket, so offloads can stay on. 50 ms of queue (by default)
 * bounds latency.
 */
export async function shapeEgress(
  namespace: string,
  device: string,
  rateMbit: number,
  queueMs = 50,
): Promise<void> {
  const rateKbit = Math.max(1, Math.round(rateMbit * 1000))
  const burstBytes = Math.max(32 * 1024, Math.ceil((rateMbit * 1e6) / 8 / 250))
  await runOrThrow([
    ...['tc', '-n', namespace, 'qdisc', 'replace', 'dev', device, 'root'],
    ...['tbf', 'rate', `${rateKbit}kbit`, 'burst', String(burstBytes), 'latency', `${queueMs}ms`],
  ])
}
