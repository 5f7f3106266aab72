import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { leftoversOn, runFanout, startFanout, waitForStagedBytes } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const TARGETS = ['h1', 'h2']
const MIB = 16

interface Result {
  targets: { status: string; error?: { code: string; message: string } }[]
}

/**
 * Two runs at once into the same target directories. Different payloads both land. The same payload
 * twice would share one staging copy (it is named after the content): the second run is refused on
 * every target before it touches it, and the first lands an exact copy.
 */
describe.skipIf(reason !== undefined)(`two runs at once${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cluster: Cluster

  beforeAll(async () => {
    cluster = await createCluster([
      { name: 'h0', diskMiB: 64 },
      ...TARGETS.map((name) => ({ name, diskMiB: 192, rateMbit: 32 })),
    ])
    const made = await cluster.exec('h0', [
      'sh',
      '-c',
      `for p in one two; do head -c ${MIB << 20} /dev/urandom > /srv/$p; done`,
    ])
    expect(made.exitCode).toBe(0)
  })
  afterAll(async () => {
    await cluster?.destroy()
  })
  const clear = () =>
    Promise.all(TARGETS.map((h) => cluster.exec(h, ['sh', '-c', 'rm -rf /srv/one /srv/two /srv/.fanout-*'])))
  const targets = TARGETS.map((h) => `${h}:/srv`)

  test('different payloads into the same directories both land', async () => {
    await clear()
    const [one, two] = await Promise.all([
      runFanout(cluster, ['--json', '--transport', 'swarm', 'h0:/srv/one', ...targets]),
      runFanout(cluster, ['--json', '--transport', 'swarm', 'h0:/srv/two', ...targets]),
    ])
    expect([one.exitCode, two.exitCode]).toEqual([0, 0])
    for (const name of ['one', 'two']) {
      const digest = await sha256(cluster, 'h0', name)
      for (const host of TARGETS) expect(await sha256(cluster, host, name)).toBe(digest)
    }
    for (const host of ['h0', ...TARGETS]) expect(await leftoversOn(cluster, host)).toEqual([])
  })

  test('the same payload twice: the second run is refused, the first lands an exact copy', async () => {
    await clear()
    const first = startFanout(cluster, ['--json', '--transport', 'swarm', 'h0:/srv/one', ...targets])
    await waitForStagedBytes(cluster, 'h1', 1 << 20)
    const second = await runFanout(cluster, ['--json', '--transport', 'swarm', 'h0:/srv/one', ...targets])
    expect(second.exitCode).toBe(1)
    for (const target of (JSON.parse(second.stdout) as Result).targets) {
      expect(target.status).toBe('failed')
      expect(target.error?.code).toBe('TARGET_BUSY')
      expect(target.error?.message).toMatch(
        /^another fanout run is copying the same payload into \/srv\/\.fanout-[0-9a-f]{16}\.partial right now; run again once it has finished$/,
      )
    }
    const finished = await first
    expect(finished.exitCode).toBe(0)
    const digest = await sha256(cluster, 'h0', 'one')
    for (const host of TARGETS) expect(await sha256(cluster, host, 'one')).toBe(digest)
    for (const host of ['h0', ...TARGETS]) expect(await leftoversOn(cluster, host)).toEqual([])
  })
})

async function sha256(cluster: Cluster, host: string, name: string): Promise<string> {
  const summed = await cluster.exec(host, ['sha256sum', `/srv/${name}`])
  return summed.stdout.split(' ')[0] ?? ''
}
