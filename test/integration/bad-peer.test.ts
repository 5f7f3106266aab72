import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { leftoversOn, runFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const TARGETS = ['h1', 'h2', 'h3']
const BAD = 'h3'
const MIB = 32

/**
 * An insider fault: one target holds the transfer's key but serves data that fails its hash, as a
 * target with a broken disk would (its agent's test hook flips a byte of everything it reads). The
 * others drop it after repeated failures and get those pieces elsewhere; every copy is exact, and
 * the summary names the peer that was dropped.
 */
describe.skipIf(reason !== undefined)(
  `a peer serving bad data${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster

    beforeAll(async () => {
      cluster = await createCluster([
        { name: 'h0', diskMiB: 64 },
        ...TARGETS.map((name) => ({
          name,
          diskMiB: 128,
          rateMbit: 48,
          ...(name === BAD ? { sessionEnv: { FANOUT_TEST_SERVE_CORRUPT: '1' } } : {}),
        })),
      ])
      const made = await cluster.exec('h0', ['sh', '-c', `head -c ${MIB << 20} /dev/urandom > /srv/payload`])
      expect(made.exitCode).toBe(0)
    })
    afterAll(async () => {
      await cluster?.destroy()
    })

    test('the others drop it, fetch its pieces elsewhere, and every copy is exact', async () => {
      const run = await runFanout(cluster, ['--json', 'h0:/srv/payload', ...TARGETS.map((h) => `${h}:/srv`)])
      expect(run.exitCode).toBe(0)
      const result = JSON.parse(run.stdout) as { targets: { status: string }[]; warnings: string[] }
      expect(result.targets.map((t) => t.status)).toEqual(['ok', 'ok', 'ok'])
      const address = cluster.hosts.find((h) => h.name === BAD)?.address ?? ''
      const drops = result.warnings.filter((w) => w.includes(' dropped '))
      expect(drops.length).toBeGreaterThan(0)
      for (const drop of drops) {
        expect(drop).toMatch(
          new RegExp(
            `^h[12]:/srv dropped ${BAD}:/srv \\(${address.replaceAll('.', '\\.')}\\): \\d+ pieces it sent failed their hash check; they came from other peers$`,
          ),
        )
      }
      const digest = await sha256(cluster, 'h0')
      for (const host of TARGETS) {
        expect(await sha256(cluster, host)).toBe(digest)
        expect(await leftoversOn(cluster, host)).toEqual([])
      }
      expect(await leftoversOn(cluster, 'h0')).toEqual([])
    })
  },
)

async function sha256(cluster: Cluster, host: string): Promise<string> {
  const summed = await cluster.exec(host, ['sha256sum', '/srv/payload'])
  return summed.stdout.split(' ')[0] ?? ''
}
