import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, onTestFinished, test, vi } from 'vitest'
import { clusterUnavailableReason } from '../helpers/cluster.js'
import { runCommand } from '../helpers/run-command.js'
import { createTwoSiteCluster, type TwoSiteCluster } from '../helpers/two-site-cluster.js'
import { buildRelay } from '../helpers/wan-relay.js'

// These tests measure reachability and RTT with ping, which scripts/ci-deps.sh installs.
const reason =
  clusterUnavailableReason() ??
  (existsSync('/usr/bin/ping') ? undefined : 'ping is missing (bash scripts/ci-deps.sh installs it)')
if (reason !== undefined) console.warn(`skipping the two-site cluster tests: ${reason}`)
// The delaying relay is C, built at test time; without gcc only the plain-bridge WAN is tested.
const gcc = existsSync('/usr/bin/gcc') ? undefined : 'gcc is missing (bash scripts/ci-deps.sh installs it)'

/** Mean ping RTT in ms from one host to another's address. */
async function rtt(cluster: TwoSiteCluster, from: string, to: string): Promise<number> {
  const address = cluster.hosts.find((h) => h.name === to)?.address ?? ''
  const ping = await cluster.exec(from, ['ping', '-n', '-q', '-c', '5', '-i', '0.2', '-W', '2', address])
  expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0)
  // The smallest of the five: the path's delay. The first packet after a link comes back up can
  // wait seconds for the bridge to relearn the port, which says nothing about the delay.
  return Number(/= ([\d.]+)\//.exec(ping.stdout)?.[1])
}

describe.skipIf(reason !== undefined)('two-site cluster', () => {
  let cluster: TwoSiteCluster

  beforeAll(async () => {
    cluster = await createTwoSiteCluster(
      [
        { name: 'dc1', hosts: [{ name: 'a0' }, { name: 'a1' }] },
        { name: 'dc2', hosts: [{ name: 'b0', rateMbit: 50 }] },
      ],
      { rateMbit: 200 },
    )
  })

  afterAll(async () => {
    await cluster?.destroy()
  })

  test('hosts of both sites are reachable over SSH from the admin namespace, across the router', async () => {
    for (const host of ['a0', 'a1', 'b0']) {
      const result = await runCommand(cluster.adminArgv(['ssh', '-F', cluster.sshConfigPath, host, 'true']))
      expect(result.exitCode, result.stderr).toBe(0)
    }
    expect(cluster.sites).toEqual([
      { name: 'dc1', hosts: ['a0', 'a1'] },
      { name: 'dc2', hosts: ['b0'] },
    ])
  })

  test('setLink cuts a host of the second site off its own bridge', async () => {
    await cluster.setLink('b0', false)
    onTestFinished(() => cluster.setLink('b0', true))
    const address = cluster.hosts.find((h) => h.name === 'b0')?.address ?? ''
    const ping = await cluster.exec('a0', ['ping', '-n', '-q', '-c', '1', '-W', '1', address])
    expect(ping.exitCode).not.toBe(0)
    await cluster.setLink('b0', true)
    // Back up, the path can stay slow for a moment (neighbour entries and the bridge relearning the
    // port: once, all five replies took 200 ms), so ask again until it is fast, within a deadline.
    await vi.waitFor(async () => expect(await rtt(cluster, 'a0', 'b0')).toBeLessThan(20), {
      timeout: 15_000,
      interval: 250,
    })
  })

  test('destroy removes every namespace, the router and the second switch included', async () => {
    const other = await createTwoSiteCluster(
      [
        { name: 'x', hosts: [{ name: 'x0' }] },
        { name: 'y', hosts: [{ name: 'y0' }] },
      ],
      { rateMbit: 100 },
    )
    await other.destroy()
    const left = (await runCommand(['ip', 'netns', 'list'])).stdout
    expect(left).not.toContain(`fot${other.id}-`)
  })

  test.skipIf(gcc !== undefined)(
    'with the wan-delay relay, the RTT between sites is twice the delay',
    async () => {
      const relay = await buildRelay()
      onTestFinished(() => rm(dirname(relay), { recursive: true, force: true }))
      const delayed = await createTwoSiteCluster(
        [
          { name: 'dc1', hosts: [{ name: 'p0' }] },
          { name: 'dc2', hosts: [{ name: 'q0' }] },
        ],
        { rateMbit: 200, relayArgv: (a, b) => [relay, a, b, '20'] },
      )
      onTestFinished(() => delayed.destroy())
      const ms = await rtt(delayed, 'p0', 'q0')
      expect(ms).toBeGreaterThan(39)
      expect(ms).toBeLessThan(60)
    },
  )
})
