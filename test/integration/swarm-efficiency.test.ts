import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { runFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const TARGETS = ['h1', 'h2', 'h3', 'h4']
/**
 * Large enough that start-up skew is small beside it: a target whose agent starts a second after the
 * others has its share that far behind, and the others take the difference over (share-lag.ts),
 * a fixed number of pieces that a 32 MiB payload's 8-piece shares made 20% of S.
 */
const MIB = 96

/**
 * The point of the swarm: the source's uplink carries each piece about once, however many targets.
 * Before targets shared out the pieces (shared/placement.ts), the source sent about 1.3x S to four
 * targets and 2-5x S to eight or sixteen.
 */
describe.skipIf(reason !== undefined)(
  `the source's share of a fan-out${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster

    beforeAll(async () => {
      cluster = await createCluster(
        ['h0', ...TARGETS].map((name) => ({ name, diskMiB: MIB * 2 + 96, rateMbit: 100 })),
      )
      const made = await cluster.exec('h0', ['sh', '-c', `head -c ${MIB << 20} /dev/urandom > /srv/payload`])
      expect(made.exitCode).toBe(0)
    })
    afterAll(async () => {
      await cluster?.destroy()
    })

    test('four targets get a verified copy while the source sends little more than one', async () => {
      const before = await sentBytes(cluster, 'h0')
      const run = await runFanout(cluster, [
        '--no-progress',
        'h0:/srv/payload',
        ...TARGETS.map((h) => `${h}:/srv`),
      ])
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      const sent = (await sentBytes(cluster, 'h0')) - before
      // One copy, plus TCP/IP and TLS framing (~5%), the SSH channels and a few pieces sent twice.
      expect(sent / (MIB << 20)).toBeLessThan(1.2)
      const digest = await sha256(cluster, 'h0')
      for (const host of TARGETS) expect(await sha256(cluster, host)).toBe(digest)
    })
  },
)

async function sha256(cluster: Cluster, host: string): Promise<string> {
  const summed = await cluster.exec(host, ['sha256sum', '/srv/payload'])
  return summed.stdout.split(' ')[0] ?? ''
}

async function sentBytes(cluster: Cluster, host: string): Promise<number> {
  const read = await cluster.exec(host, ['cat', '/sys/class/net/eth0/statistics/tx_bytes'])
  return Number(read.stdout.trim())
}
