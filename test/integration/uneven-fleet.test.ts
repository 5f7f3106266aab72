import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { pollUntil } from '../helpers/poll-until.js'
import { leftoversOn, startFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const FAST = ['h1', 'h2']
const SLOW = 'h3'
const FILES = 3
const FILE_MIB = 8
const FAST_MBIT = 64
/** An eighth of the others: its copy takes about 25 s, theirs about 3 s. */
const SLOW_DOWNLOAD_MBIT = 8

/**
 * A fleet with one slow target: the fast targets' copies land in their own time, while the slow one
 * is still receiving, and they go on serving it from the landed copies. Before, the source left a
 * third of the pieces to the slow target alone, the others waited for it to pass them on, and every
 * copy landed only once the whole swarm had settled.
 */
describe.skipIf(reason !== undefined)(
  `a fleet with one slow target${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster

    beforeAll(async () => {
      cluster = await createCluster([
        { name: 'h0', diskMiB: 64 },
        ...FAST.map((name) => ({ name, diskMiB: 96, rateMbit: FAST_MBIT })),
        { name: SLOW, diskMiB: 96, rateMbit: FAST_MBIT, downloadMbit: SLOW_DOWNLOAD_MBIT },
      ])
      const make = `mkdir /srv/data && for i in $(seq ${FILES}); do head -c ${FILE_MIB << 20} /dev/urandom > /srv/data/f$i; done`
      expect((await cluster.exec('h0', ['sh', '-c', make])).exitCode).toBe(0)
    })
    afterAll(async () => {
      await cluster?.destroy()
    })

    test('the fast targets land while the slow one still receives, and every copy is exact', async () => {
      const run = startFanout(cluster, [
        '--json',
        '--no-progress',
        'h0:/srv/data',
        ...[...FAST, SLOW].map((h) => `${h}:/srv`),
      ])
      await pollUntil(
        'both fast copies landed',
        async () =>
          (await Promise.all(FAST.map((h) => landed(cluster, h)))).every(Boolean) ? true : undefined,
        { timeoutMs: 120_000, intervalMs: 100 },
      )
      // The slow target has not landed yet and is still fetching into its staging directory.
      expect(await landed(cluster, SLOW)).toBe(false)
      expect(await staging(cluster, SLOW)).toHaveLength(1)

      const finished = await run
      expect(finished.stderr).toBe('')
      expect(finished.exitCode).toBe(0)
      const result = JSON.parse(finished.stdout) as {
        targets: { target: string; status: string; seconds: number }[]
      }
      const seconds = new Map(result.targets.map((t) => [t.target, t.seconds]))
      expect(result.targets.map((t) => t.status)).toEqual(['ok', 'ok', 'ok'])
      // Each target's seconds is when its own copy landed.
      for (const host of FAST)
        expect(seconds.get(`${host}:/srv`)).toBeLessThan((seconds.get(`${SLOW}:/srv`) ?? 0) / 2)

      const digest = await treeDigest(cluster, 'h0')
      for (const host of [...FAST, SLOW]) {
        expect(await treeDigest(cluster, host)).toBe(digest)
        expect(await leftoversOn(cluster, host)).toEqual([])
      }
    })
  },
)

async function landed(cluster: Cluster, host: string): Promise<boolean> {
  return (await cluster.exec(host, ['test', '-d', '/srv/data'])).exitCode === 0
}

async function staging(cluster: Cluster, host: string): Promise<string[]> {
  const found = await cluster.exec(host, ['find', '/srv', '-maxdepth', '1', '-name', '.fanout-*'])
  return found.stdout.split('\n').filter((line) => line !== '')
}

async function treeDigest(cluster: Cluster, host: string): Promise<string> {
  const summed = await cluster.exec(host, ['sh', '-c', 'cd /srv/data && sha256sum f* | sha256sum'])
  return summed.stdout
}
