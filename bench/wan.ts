import { setTimeout as delay } from 'node:timers/promises'
import type { HostSpec } from '../test/helpers/cluster.js'
import { createTwoSiteCluster, type TwoSiteCluster } from '../test/helpers/two-site-cluster.js'
import { type Counters, namespaceCounters } from './lib/net-counters.js'
import { pipeCopy } from './lib/pipe-copy.js'

/** The WAN between the two data centres. */
export interface WanParams {
  rateMbit: number
  delayMs: number
}

/** Bytes that crossed the WAN during a run, per direction. */
export interface WanBytes {
  dc1ToDc2: number
  dc2ToDc1: number
}

/** What the WAN check measured before any benchmark used the link. */
export interface WanCheck {
  rttMs: number
  mbitDc1ToDc2: number
}

/** dc1 holds the source and `dc1Hosts` (names h0..), dc2 the rest; every host shaped to `hostMbit`. */
export async function createTwoDc(
  relay: string,
  wan: WanParams,
  hosts: { dc1: HostSpec[]; dc2: HostSpec[] },
): Promise<TwoSiteCluster> {
  return createTwoSiteCluster(
    [
      { name: 'dc1', hosts: hosts.dc1 },
      { name: 'dc2', hosts: hosts.dc2 },
    ],
    { rateMbit: wan.rateMbit, relayArgv: (a, b) => [relay, a, b, String(wan.delayMs)] },
  )
}

/** The router's counters now; subtract two of them for what one run sent across. */
export async function wanCounters(cluster: TwoSiteCluster): Promise<WanBytes> {
  const [a, b]: [Counters, Counters] = await Promise.all([
    namespaceCounters(cluster.router.namespace, cluster.router.deviceA),
    namespaceCounters(cluster.router.namespace, cluster.router.deviceB),
  ])
  // What leaves the router towards dc2 came from dc1, and the other way round.
  return { dc1ToDc2: b.tx, dc2ToDc1: a.tx }
}

/** Bytes between two readings of {@link wanCounters}. */
export function wanDelta(before: WanBytes, after: WanBytes): WanBytes {
  return { dc1ToDc2: after.dc1ToDc2 - before.dc1ToDc2, dc2ToDc1: after.dc2ToDc1 - before.dc2ToDc1 }
}

/**
 * Checks that the emulated WAN is what the report claims: the ping RTT between the sites, and
 * the rate (Ethernet bytes at the router, so headers included) of `pairs.length` parallel TCP streams
 * from dc1 to dc2: several, since every host's own link is slower than the WAN.
 */
export async function checkWan(
  cluster: TwoSiteCluster,
  pairs: readonly [string, string][],
  mibPerStream = 64,
): Promise<WanCheck> {
  const [[from, to] = ['', '']] = pairs
  const address = cluster.hosts.find((h) => h.name === to)?.address ?? ''
  const ping = await cluster.exec(from, ['ping', '-n', '-q', '-c', '10', '-i', '0.2', '-W', '2', address])
  const avg = /= [\d.]+\/([\d.]+)\//.exec(ping.stdout)?.[1]
  if (ping.exitCode !== 0 || avg === undefined)
    throw new Error(`ping ${from} -> ${to} failed: ${ping.stdout}`)
  const total = pairs.length * mibPerStream * 2 ** 20
  const base = (await wanCounters(cluster)).dc1ToDc2
  const samples: { t: number; bytes: number }[] = []
  const copies = Promise.all(
    pairs.map(([a, b], i) =>
      pipeCopy(cluster, {
        from: a,
        to: b,
        send: `head -c ${mibPerStream}M /dev/zero`,
        receive: 'cat > /dev/null',
        port: 5201 + i,
        timeoutMs: 120_000,
      }),
    ),
  )
  let finished = false
  void copies.finally(() => {
    finished = true
  })
  // Sampling the router's counters measures the steady rate, without process start-up and TCP's
  // slow start over a 40 ms RTT: only the middle 10%..90% of the bytes count.
  const deadline = Date.now() + 120_000
  while (!finished && Date.now() < deadline) {
    samples.push({ t: performance.now(), bytes: (await wanCounters(cluster)).dc1ToDc2 - base })
    await delay(100)
  }
  await copies
  return { rttMs: Number(avg), mbitDc1ToDc2: steadyMbit(samples, total) }
}

function steadyMbit(samples: readonly { t: number; bytes: number }[], total: number): number {
  const first = samples.find((s) => s.bytes >= total * 0.1)
  const last = samples.findLast((s) => s.bytes <= total * 0.9)
  if (first === undefined || last === undefined || last.t <= first.t) return Number.NaN
  return ((last.bytes - first.bytes) * 8) / ((last.t - first.t) / 1000) / 1e6
}
