import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { pollUntil } from '../helpers/poll-until.js'
import { leftoversOn, startFanout, waitForStagedBytes } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const IDLE_TIMEOUT_S = 6

/**
 * Agents clean up by themselves when the orchestrator cannot: killed with -9 (the SSH connections
 * close, so the agents' channels end), or cut off by the network (nothing closes; the agents hear no
 * ping for their idle timeout). Only the staging copy, kept for a resume, may remain.
 */
describe.skipIf(reason !== undefined)(
  `agents outliving their orchestrator${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster

    beforeAll(async () => {
      cluster = await createCluster([
        { name: 'h0', diskMiB: 160 },
        { name: 'h1', diskMiB: 160, rateMbit: 16 },
        { name: 'h2', diskMiB: 160, rateMbit: 16 },
      ])
      await cluster.exec('h0', ['sh', '-c', 'head -c 33554432 /dev/urandom > /srv/payload.bin'])
    })
    afterAll(async () => {
      await cluster?.destroy()
    })

    function start(targets: string[]) {
      return startFanout(cluster, ['--json', 'h0:/srv/payload.bin', ...targets], {
        env: { FANOUT_AGENT_IDLE_TIMEOUT: String(IDLE_TIMEOUT_S) },
      })
    }

    async function expectCleanSoon(hosts: string[]): Promise<void> {
      for (const host of hosts) {
        await pollUntil(
          `${host} clean`,
          async () => {
            const left = (await leftoversOn(cluster, host)).filter((l) => !l.includes('.fanout-'))
            return left.length === 0 ? true : undefined
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        )
      }
    }

    test('kill -9 of the orchestrator: every agent stops and removes itself', async () => {
      await cluster.exec('h1', ['sh', '-c', 'rm -rf /srv/payload.bin /srv/.fanout-*'])
      const child = start(['h1:/srv'])
      await waitForStagedBytes(cluster, 'h1', 1 << 20)
      child.kill('SIGKILL')
      await child
      await expectCleanSoon(['h0', 'h1'])
      expect((await cluster.exec('h1', ['test', '-e', '/srv/payload.bin'])).exitCode).not.toBe(0)
    })

    test('an SSH link cut mid-transfer: that target fails, its agent cleans itself, the other target completes', async () => {
      for (const host of ['h1', 'h2'])
        await cluster.exec(host, ['sh', '-c', 'rm -rf /srv/payload.bin /srv/.fanout-*'])
      const child = start(['h1:/srv', 'h2:/srv'])
      await waitForStagedBytes(cluster, 'h2', 1 << 20)
      await cluster.setLink('h2', false)
      try {
        // While h2 is cut off, its agent must give up on its own.
        await pollUntil(
          'h2 agent gone',
          async () =>
            (await cluster.processes('h2')).some((p) => p.cmdline.includes('agent.mjs')) ? undefined : true,
          { timeoutMs: (IDLE_TIMEOUT_S + 20) * 1000, intervalMs: 200 },
        )
        const result = await child
        expect(result.exitCode, result.stderr).toBe(1)
        const summary = JSON.parse(result.stdout) as { targets: { target: string; status: string }[] }
        expect(summary.targets.map((t) => t.status)).toEqual(['ok', 'failed'])
      } finally {
        await cluster.setLink('h2', true)
      }
      await expectCleanSoon(['h0', 'h1', 'h2'])
      expect((await cluster.exec('h2', ['test', '-e', '/srv/payload.bin'])).exitCode).not.toBe(0)
    })
  },
)
