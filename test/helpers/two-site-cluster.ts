import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { CleanupStack } from '../../src/run/cleanup-stack.js'
import { type Cluster, createClusterFromLayout } from './cluster.js'
import { type ClusterLayout, type HostSpec, planCluster } from './cluster-layout.js'
import { addNamespace, BRIDGE, plugIn, plugInHost, shapeEgress } from './cluster-network.js'
import { logTail, startDaemon } from './daemon.js'
import { pollUntil } from './poll-until.js'
import { runOrThrow } from './run-command.js'
import { settleAll } from './settle-all.js'

/** One site: a bridge of its own with its hosts. */
export interface SiteSpec {
  /** A label for reports (`dc1`). */
  name: string
  hosts: HostSpec[]
}

/** The link between the two sites. */
export interface WanSpec {
  /** Each direction of the WAN link is shaped to this rate, on the router's egress. */
  rateMbit: number
  /**
   * The program that moves frames between the router's two interfaces, e.g. a delaying relay;
   * called with the two device names. Without one, the router bridges them: a WAN without delay.
   */
  relayArgv?: (siteA: string, siteB: string) => string[]
  /** Where the relay's stderr goes; the cluster's own directory is used when absent. */
  relayLog?: string
}

/** The router between the sites, for reading what crossed it. */
export interface WanRouter {
  namespace: string
  /** The router's interface on site A's bridge: its tx counters are bytes that went B -> A. */
  deviceA: string
  /** The router's interface on site B's bridge: its tx counters are bytes that went A -> B. */
  deviceB: string
}

/** A cluster of two sites: the admin namespace and site A's hosts on one bridge, site B's on another. */
export interface TwoSiteCluster extends Cluster {
  readonly sites: readonly { name: string; hosts: readonly string[] }[]
  readonly router: WanRouter
}

const DEVICE_A = 'wana'
const DEVICE_B = 'wanb'
const ROUTER_PORT = 'vwan'

/**
 * Builds two sites joined through a router namespace: host links shaped as their specs say, and
 * the router's two interfaces shaped to the WAN rate. Both sites share one subnet, since the router
 * moves Ethernet frames (so ARP crosses it too), as a layer-2 WAN service between data centres does.
 */
export async function createTwoSiteCluster(
  sites: readonly [SiteSpec, SiteSpec],
  wan: WanSpec,
): Promise<TwoSiteCluster> {
  const [siteA, siteB] = sites
  const layout = planCluster(randomBytes(3).toString('hex'), [...siteA.hosts, ...siteB.hosts])
  const switchB = `${layout.prefix}swb`
  const inB = new Set(siteB.hosts.map((h) => h.name))
  layout.hosts = layout.hosts.map((h) => (inB.has(h.name) ? { ...h, switchNamespace: switchB } : h))
  const router: WanRouter = { namespace: `${layout.prefix}rt`, deviceA: DEVICE_A, deviceB: DEVICE_B }
  const cluster = await createClusterFromLayout(layout, (l, cleanup) =>
    buildTwoSites(l, switchB, router, wan, cleanup),
  )
  return {
    ...cluster,
    sites: sites.map((s) => ({ name: s.name, hosts: s.hosts.map((h) => h.name) })),
    router,
  }
}

async function buildTwoSites(
  layout: ClusterLayout,
  switchB: string,
  router: WanRouter,
  wan: WanSpec,
  cleanup: CleanupStack,
): Promise<void> {
  const switches = [layout.switchNamespace, switchB]
  const namespaces = [
    ...switches,
    layout.adminNamespace,
    router.namespace,
    ...layout.hosts.map((h) => h.namespace),
  ]
  for (const name of namespaces) await addNamespace(name, cleanup)
  for (const sw of switches) {
    await runOrThrow(['ip', '-n', sw, 'link', 'add', BRIDGE, 'type', 'bridge'])
    await runOrThrow(['ip', '-n', sw, 'link', 'set', BRIDGE, 'up'])
  }
  await plugIn(layout.switchNamespace, layout.adminNamespace, layout.adminSwitchPort, layout.adminAddress)
  await settleAll(
    layout.hosts.map((host) => plugInHost(host.switchNamespace ?? layout.switchNamespace, host)),
  )
  await buildRouter(layout.switchNamespace, switchB, router, wan.rateMbit)
  await startForwarding(router, wan, cleanup, join('/tmp', `${layout.prefix}wan-relay.log`))
}

/** The router namespace: no addresses and no IPv6, one veth into each site's bridge, egress shaped. */
async function buildRouter(switchA: string, switchB: string, router: WanRouter, rateMbit: number) {
  const rt = ['ip', '-n', router.namespace]
  // Without IPv6 the router sends nothing of its own (no router solicitations), so its counters
  // count only frames it forwarded.
  await runOrThrow([
    ...['ip', 'netns', 'exec', router.namespace, 'sysctl', '-qw'],
    ...['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'],
  ])
  for (const [sw, device] of [
    [switchA, router.deviceA],
    [switchB, router.deviceB],
  ] as const) {
    await runOrThrow([...rt, 'link', 'add', device, 'type', 'veth', 'peer', 'name', ROUTER_PORT, 'netns', sw])
    await runOrThrow(['ip', '-n', sw, 'link', 'set', ROUTER_PORT, 'master', BRIDGE])
    await runOrThrow(['ip', '-n', sw, 'link', 'set', ROUTER_PORT, 'up'])
    await runOrThrow([...rt, 'link', 'set', device, 'promisc', 'on', 'up'])
    await shapeEgress(router.namespace, device, rateMbit)
  }
}

async function startForwarding(router: WanRouter, wan: WanSpec, cleanup: CleanupStack, log: string) {
  const rt = ['ip', '-n', router.namespace]
  if (wan.relayArgv === undefined) {
    await runOrThrow([...rt, 'link', 'add', 'br0', 'type', 'bridge'])
    for (const device of [router.deviceA, router.deviceB])
      await runOrThrow([...rt, 'link', 'set', device, 'master', 'br0'])
    await runOrThrow([...rt, 'link', 'set', 'br0', 'up'])
    return
  }
  const logPath = wan.relayLog ?? log
  if (wan.relayLog === undefined) cleanup.defer(`remove ${logPath}`, () => rm(logPath, { force: true }))
  const argv = wan.relayArgv(router.deviceA, router.deviceB)
  const relay = startDaemon(['ip', 'netns', 'exec', router.namespace, ...argv], logPath)
  cleanup.defer('stop the WAN relay', () => relay.stop())
  // The relay says "ready" on stderr once both sockets are bound; before that, frames are lost.
  const outcome = await pollUntil(
    'the WAN relay to start',
    async () => {
      if (relay.exited) return 'exited'
      return (await logTail(logPath)).includes('ready') ? 'ready' : undefined
    },
    { timeoutMs: 10_000, intervalMs: 20 },
  )
  if (outcome === 'exited') throw new Error(`the WAN relay exited: ${await logTail(logPath)}`)
}
