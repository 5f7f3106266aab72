import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { SitesReport } from '../../src/core/sites.js'
import { clusterUnavailableReason } from '../helpers/cluster.js'
import { runFanout } from '../helpers/run-fanout.js'
import { createTwoSiteCluster, type TwoSiteCluster } from '../helpers/two-site-cluster.js'
import { buildRelay } from '../helpers/wan-relay.js'

// Inference needs a WAN that is slower than the LAN, so the delaying relay (C, built with gcc).
const reason =
  clusterUnavailableReason() ??
  (existsSync('/usr/bin/gcc') ? undefined : 'gcc is missing (bash scripts/ci-deps.sh installs it)')
if (reason !== undefined) console.warn(`skipping the datacenter site tests: ${reason}`)

/** Each way across the WAN; the round trip is twice this. */
const WAN_DELAY_MS = 20

interface Summary {
  outcome: string
  sites: SitesReport
  targets: { target: string; status: string }[]
}

/**
 * dc1 holds the source a0 and the target a1; dc2 holds b0 and b1, 20 ms away each way. fanout must
 * find that grouping from round-trip times alone, follow a --topology file instead when given one,
 * and refuse a bad file before it touches any host.
 */
describe.skipIf(reason !== undefined)('datacenter sites', () => {
  let cluster: TwoSiteCluster
  let scratch: string

  beforeAll(async () => {
    const relay = await buildRelay()
    scratch = await mkdtemp(join(tmpdir(), 'fanout-sites-test-'))
    try {
      cluster = await createTwoSiteCluster(
        [
          {
            name: 'dc1',
            hosts: [
              { name: 'a0', diskMiB: 96 },
              { name: 'a1', diskMiB: 96 },
            ],
          },
          {
            name: 'dc2',
            hosts: [
              { name: 'b0', diskMiB: 96 },
              { name: 'b1', diskMiB: 96 },
            ],
          },
        ],
        { rateMbit: 200, relayArgv: (a, b) => [relay, a, b, String(WAN_DELAY_MS)] },
      )
    } finally {
      // The relay runs from its binary until the cluster is destroyed; the file itself can go.
      await rm(dirname(relay), { recursive: true, force: true })
    }
    const payload = await cluster.exec('a0', ['sh', '-c', 'head -c 4M /dev/urandom > /srv/payload'])
    expect(payload.exitCode, payload.stderr).toBe(0)
    for (const host of ['a1', 'b0', 'b1']) {
      const dirs = await cluster.exec(host, ['mkdir', '/srv/inferred', '/srv/labelled'])
      expect(dirs.exitCode, dirs.stderr).toBe(0)
    }
  })

  afterAll(async () => {
    await cluster?.destroy()
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
  })

  async function fanoutJson(args: readonly string[]): Promise<Summary> {
    const run = await runFanout(cluster, ['--json', '--no-progress', ...args])
    expect(run.exitCode, run.stderr).toBe(0)
    return JSON.parse(run.stdout) as Summary
  }

  test('without --topology, the sites are inferred from round-trip times to the source', async () => {
    const summary = await fanoutJson([
      'a0:/srv/payload',
      'b0:/srv/inferred',
      'a1:/srv/inferred',
      'b1:/srv/inferred',
    ])
    expect(summary.outcome).toBe('ok')
    const { from, groups } = summary.sites
    expect(from).toBe('inferred')
    expect(groups.map((g) => [g.label, g.source, g.targets])).toEqual([
      ['dc1', true, ['a1:/srv/inferred']],
      ['dc2', false, ['b0:/srv/inferred', 'b1:/srv/inferred']],
    ])
    const [near, far] = groups.map((g) => g.rttMs ?? [])
    for (const ms of near ?? []) expect(ms).toBeLessThan(3)
    for (const ms of far ?? []) expect(ms).toBeGreaterThan(1.5 * WAN_DELAY_MS)
  })

  test('a --topology file is followed as written, even where it disagrees with the network', async () => {
    const file = join(scratch, 'topology')
    // root@b1 matches the endpoint root@b1:... before the plain b1 line would.
    await writeFile(file, '# deliberately crossed\na0 east\nroot@b1 east\nb1 north\na1 west\nb0 west\n')
    const summary = await fanoutJson([
      '--topology',
      file,
      'a0:/srv/payload',
      'a1:/srv/labelled',
      'b0:/srv/labelled',
      'root@b1:/srv/labelled',
    ])
    expect(summary.outcome).toBe('ok')
    expect(summary.sites).toEqual({
      from: 'topology',
      file,
      groups: [
        { label: 'east', source: true, targets: ['root@b1:/srv/labelled'] },
        { label: 'west', source: false, targets: ['a1:/srv/labelled', 'b0:/srv/labelled'] },
      ],
    })
  })

  // The hosts named here do not exist: had fanout tried to reach them, the run would end in a failed
  // check (exit 255), not in a usage error (exit 2).
  test.each([
    [
      'a malformed line',
      'ghost0 east\nghost1\n',
      /^fanout: \S+topology-bad:2: expected "HOST LABEL", found "ghost1"$/,
    ],
    [
      'a host with two labels',
      'ghost0 east\nghost0 west\n',
      /:2: ghost0 is labelled west here but east on line 1$/,
    ],
    [
      'a host missing',
      'ghost0 east\nghost1 east\n',
      /topology-bad: no line for host ghost2 \(ghost2:\/srv\)/,
    ],
    ['a file that cannot be read', null, /cannot read the topology file \S+topology-bad \(ENOENT\)$/],
  ])('%s is a usage error before any host is touched', async (_why, text, message) => {
    const file = join(scratch, 'topology-bad')
    await rm(file, { force: true })
    if (text !== null) await writeFile(file, text)
    const run = await runFanout(cluster, [
      '--topology',
      file,
      'ghost0:/srv/payload',
      'ghost1:/srv',
      'ghost2:/srv',
    ])
    expect(run.exitCode, run.stderr).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stdout).toBe('')
  })
})
