import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { pollUntil } from '../helpers/poll-until.js'
import { leftoversOn, runFanout, stagedBytes, startFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const TARGETS = ['h1', 'h2', 'h3']
const MIB = 24
const SOURCE_TMP = '/srv/tmp'

interface Result {
  outcome: string
  targets: { target: string; status: string; error?: { code: string; message: string } }[]
  sourceLost?: { seconds: number; reason: string; heldPieces: number; pieces: number; survived: boolean }
  leftovers: string[]
}

/**
 * The source is not needed once the targets hold every piece between them: losing it then costs
 * nothing, and the slow target finishes from the others. Lost earlier, every target still fetching
 * fails with SOURCE_LOST, saying how much the swarm held, and keeps its staging copy for a rerun.
 */
describe.skipIf(reason !== undefined)(
  `losing the swarm's source${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster
    let digest: string

    beforeAll(async () => {
      cluster = await createCluster([
        // Its agents live on its own disk: one killed while the host is cut off leaves its directory
        // there, not in the machine's /tmp that every host of the test bed shares.
        { name: 'h0', diskMiB: 64, rateMbit: 64, tmpDir: SOURCE_TMP },
        { name: 'h1', diskMiB: 96, rateMbit: 64 },
        { name: 'h2', diskMiB: 96, rateMbit: 64 },
        // Its copy takes about 25 s; the others', 3 s.
        { name: 'h3', diskMiB: 96, rateMbit: 64, downloadMbit: 8 },
      ])
      await cluster.exec('h0', ['mkdir', '-m', '1777', SOURCE_TMP])
      const made = await cluster.exec('h0', ['sh', '-c', `head -c ${MIB << 20} /dev/urandom > /srv/payload`])
      expect(made.exitCode).toBe(0)
      digest = await sha256(cluster, 'h0')
    })
    afterAll(async () => {
      await cluster?.destroy()
    })
    const clearTargets = () =>
      Promise.all(TARGETS.map((h) => cluster.exec(h, ['sh', '-c', 'rm -rf /srv/payload /srv/.fanout-*'])))

    test('lost once the fast targets hold a copy: the slow one finishes from them', async () => {
      await clearTargets()
      const run = startFanout(cluster, ['--json', 'h0:/srv/payload', ...TARGETS.map((h) => `${h}:/srv`)])
      await pollUntil(
        'both fast copies landed',
        async () => ((await landed('h1')) && (await landed('h2')) ? true : undefined),
        {
          timeoutMs: 120_000,
          intervalMs: 100,
        },
      )
      expect(await landed('h3')).toBe(false)
      await killSourceAgent()

      const finished = await run
      const result = JSON.parse(finished.stdout) as Result
      expect(finished.exitCode).toBe(0)
      expect(result.targets.map((t) => t.status)).toEqual(['ok', 'ok', 'ok'])
      expect(result.sourceLost).toMatchObject({ survived: true, reason: expect.stringMatching(/SIGKILL/) })
      expect(result.sourceLost?.heldPieces).toBe(result.sourceLost?.pieces)
      for (const host of TARGETS) {
        expect(await sha256(cluster, host)).toBe(digest)
        expect(await leftoversOn(cluster, host)).toEqual([])
      }
      // The dead agent's directory and firewall holes were removed by the orchestrator.
      expect(await leftoversOn(cluster, 'h0')).toEqual([])
      expect(await agentDirsOnSource()).toEqual([])
      expect(result.leftovers).toEqual([])
    })

    test('lost with its host before the swarm held every piece: every target says so and keeps its staging copy', async () => {
      await clearTargets()
      const run = startFanout(cluster, [
        '--json',
        ...['--bwlimit', '16Mbit', '--stall-timeout', '60'],
        'h0:/srv/payload',
        ...TARGETS.map((h) => `${h}:/srv`),
      ])
      await pollUntil(
        '2 MiB on h1',
        async () => ((await stagedBytes(cluster, 'h1')) > 2 << 20 ? true : undefined),
        {
          timeoutMs: 60_000,
          intervalMs: 50,
        },
      )
      await killSourceAgent()
      await cluster.setLink('h0', false)
      try {
        const finished = await run
        const result = JSON.parse(finished.stdout) as Result
        expect(finished.exitCode).toBe(1)
        expect(result.sourceLost?.survived).toBe(false)
        const { heldPieces = 0, pieces = 0 } = result.sourceLost ?? {}
        expect(heldPieces).toBeGreaterThan(0)
        expect(heldPieces).toBeLessThan(pieces)
        for (const target of result.targets) {
          expect(target.status).toBe('failed')
          expect(target.error?.code).toBe('SOURCE_LOST')
          expect(target.error?.message).toMatch(
            new RegExp(
              `the source was lost .* s into the run \\(.*\\); the targets held ${heldPieces} of its ${pieces} pieces`,
            ),
          )
        }
        for (const host of TARGETS) {
          expect(await landed(host)).toBe(false)
          // Staging kept for a resume; nothing else.
          expect(
            (await leftoversOn(cluster, host)).map((l) =>
              l.replace(/\.fanout-[0-9a-f-]+\.partial/, 'STAGING'),
            ),
          ).toEqual(['/srv/STAGING'])
        }
      } finally {
        await cluster.setLink('h0', true)
      }
      // The source's host came back: a rerun resumes and completes.
      const rerun = await runFanout(cluster, [
        '--json',
        'h0:/srv/payload',
        ...TARGETS.map((h) => `${h}:/srv`),
      ])
      expect(rerun.exitCode).toBe(0)
      for (const host of TARGETS) expect(await sha256(cluster, host)).toBe(digest)
      // What the killed agent left on its host while it was cut off: reported, then removed by the
      // cleanup command.
      expect(await agentDirsOnSource()).toHaveLength(1)
      const cleaned = await runFanout(cluster, ['cleanup', 'h0:/srv'])
      expect(cleaned.exitCode).toBe(0)
      expect(await leftoversOn(cluster, 'h0')).toEqual([])
      expect(await agentDirsOnSource()).toEqual([])
    })

    async function agentDirsOnSource(): Promise<string[]> {
      const listed = await cluster.exec('h0', ['find', SOURCE_TMP, '-mindepth', '1', '-maxdepth', '1'])
      return listed.stdout.split('\n').filter((line) => line !== '')
    }

    async function landed(host: string): Promise<boolean> {
      return (await cluster.exec(host, ['test', '-f', '/srv/payload'])).exitCode === 0
    }

    async function killSourceAgent(): Promise<void> {
      const agents = (await cluster.processes('h0')).filter((p) => p.cmdline.includes('agent.mjs'))
      expect(agents).toHaveLength(1)
      await cluster.exec('h0', ['kill', '-9', String(agents[0]?.pid)])
    }
  },
)

async function sha256(cluster: Cluster, host: string): Promise<string> {
  const summed = await cluster.exec(host, ['sha256sum', '/srv/payload'])
  return summed.stdout.split(' ')[0] ?? ''
}
