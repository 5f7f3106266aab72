import { mkdir, readlink, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { pollUntil } from '../helpers/poll-until.js'
import { givePrivateTmp } from '../helpers/private-tmp.js'
import { leftoversOn, runFanout, startFanout } from '../helpers/run-fanout.js'
import { tmpDir } from '../helpers/tmp-tree.js'

const reason = clusterUnavailableReason()
const TARGETS = ['h1', 'h2', 'h3']
const FAULTY = 'h3'
const FILES = 8

interface Result {
  targets: {
    target: string
    status: string
    error?: { code: string }
    link?: { name: string; to: string; switched: boolean; previous?: string | null; reason?: string }
  }[]
}

/**
 * Deploys with `--link current`: release-1 to three targets, then release-2 while one target's copy
 * fails (its /srv runs out of inodes: the pre-flight counts bytes only, so the failure comes while
 * the copy is written). The targets whose copy landed switch, the failed one keeps release-1; with
 * --link-when all none switches. A NAME that is a real directory is refused before anything moves.
 */
describe.skipIf(reason !== undefined)(`deploys with --link${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cluster: Cluster

  beforeAll(async () => {
    // h3 receives slowly: a stream to it leaves time to act on h1 between its landing and the switch.
    cluster = await createCluster([
      { name: 'h0' },
      ...TARGETS.map((name) => (name === 'h3' ? { name, downloadMbit: 8 } : { name })),
    ])
    // Each host's shipped agents in a /tmp of its own, where no other test run's are seen as leftovers.
    for (const host of ['h0', ...TARGETS]) await givePrivateTmp(cluster, host)
    for (const release of ['release-1', 'release-2']) {
      const make = `mkdir -p /srv/${release}/lib && echo ${release} > /srv/${release}/VERSION && for i in $(seq ${FILES}); do head -c 262144 /dev/urandom > /srv/${release}/lib/f$i; done`
      expect((await cluster.exec('h0', ['sh', '-c', make])).exitCode).toBe(0)
    }
  })
  afterAll(async () => {
    await cluster?.destroy()
  })

  test('a first deploy points current at release-1 on every target', async () => {
    const run = await deploy(['--json', '--link', 'current', 'h0:/srv/release-1'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(linksIn(run.stdout)).toEqual(
      TARGETS.map(() => ({ name: 'current', to: 'release-1', switched: true, previous: null })),
    )
    expect(await currents()).toEqual(['release-1', 'release-1', 'release-1'])
    await expectClean([...TARGETS, 'h0'])
  })

  test('each: the targets whose copy landed switch to release-2, the failed one keeps release-1', async () => {
    await resetToRelease1()
    await starveInodes(FAULTY)
    const run = await deploy(['--no-progress', '--link', 'current', 'h0:/srv/release-2'])
    await feedInodes(FAULTY)
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.stdout).toMatch(/^FAILED {2}h3:\/srv \[/m)
    expect(run.stdout.trim().split('\n').at(-1)).toBe(
      'linked current -> release-2 on 2 of 3 targets; h3:/srv kept its link (its copy failed)',
    )
    expect(await currents()).toEqual(['release-2', 'release-2', 'release-1'])
    expect(await exists(FAULTY, '/srv/release-2')).toBe(false)
    await expectClean(['h1', 'h2', 'h0'])
    // The failed target keeps its staging copy for a rerun, as any failed swarm target does.
    expect(await leftoversOn(cluster, FAULTY)).toEqual([
      expect.stringMatching(/^\/srv\/\.fanout-.*\.partial$/),
    ])
  })

  test('all: one copy fails, so no target switches, and the summary says why', async () => {
    await resetToRelease1()
    await starveInodes(FAULTY)
    const run = await deploy(['--json', '--link', 'current', '--link-when', 'all', 'h0:/srv/release-2'])
    await feedInodes(FAULTY)
    expect(run.exitCode, run.stderr).toBe(1)
    const result = JSON.parse(run.stdout) as Result
    expect(result.targets.map((t) => [t.status, t.link?.switched, t.link?.reason])).toEqual([
      ['ok', false, 'another-copy-failed'],
      ['ok', false, 'another-copy-failed'],
      ['failed', false, 'copy-failed'],
    ])
    // The two copies landed; their links still point at what runs.
    expect(await exists('h1', '/srv/release-2/VERSION')).toBe(true)
    expect(await exists('h2', '/srv/release-2/VERSION')).toBe(true)
    expect(await currents()).toEqual(['release-1', 'release-1', 'release-1'])
    await expectClean(['h1', 'h2', 'h0'])
  })

  test('all over the stream: every copy lands, then every target switches', async () => {
    await resetToRelease1()
    const run = await deploy([
      '--json',
      ...['--transport', 'stream', '--link', 'current', '--link-when', 'all'],
      'h0:/srv/release-2',
    ])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(linksIn(run.stdout)).toEqual(
      TARGETS.map(() => ({ name: 'current', to: 'release-2', switched: true, previous: 'release-1' })),
    )
    expect(await currents()).toEqual(['release-2', 'release-2', 'release-2'])
    await expectClean([...TARGETS, 'h0'])
  })

  test('a switch that fails fails its target, whose link stays; the others switch', async () => {
    await resetToRelease1()
    const run = startFanout(cluster, [
      '--no-progress',
      ...['--transport', 'stream', '--link', 'current', '--link-when', 'all'],
      'h0:/srv/release-2',
      ...TARGETS.map((h) => `${h}:/srv`),
    ])
    // h1's copy lands first; before the last one does, someone moves it away.
    await pollUntil(
      'the copy on h1',
      async () => ((await exists('h1', '/srv/release-2')) ? true : undefined),
      {
        timeoutMs: 60_000,
      },
    )
    await sh('h1', 'mv /srv/release-2 /srv/release-2.moved')
    const finished = await run
    expect(finished.exitCode, finished.stderr).toBe(1)
    const lines = finished.stdout.trim().split('\n')
    expect(lines[0]).toBe(
      'FAILED  h1:/srv [LINK_FAILED] /srv/release-2 is not there; /srv/current was left as it was',
    )
    expect(lines.at(-1)).toBe(
      'linked current -> release-2 on 2 of 3 targets; h1:/srv kept its link (its switch failed)',
    )
    expect(await currents()).toEqual(['release-1', 'release-2', 'release-2'])
    await sh('h1', 'rm -rf /srv/release-2.moved')
    await expectClean([...TARGETS, 'h0'])
  })

  test('pre-flight: a real directory named current on one target is never replaced; nothing moves', async () => {
    await resetToRelease1()
    await sh('h2', 'rm /srv/current && mkdir /srv/current && echo mine > /srv/current/file')
    const run = await deploy(['--link', 'current', 'h0:/srv/release-2'])
    expect(run.exitCode).toBe(255)
    expect(run.stderr.trim()).toBe(
      'fanout: h2:/srv: current is a directory in the target directory, not a symlink; --link replaces a symlink only, never a real file or directory',
    )
    expect(await sh('h2', 'cat /srv/current/file')).toBe('mine')
    for (const host of TARGETS) expect(await exists(host, '/srv/release-2')).toBe(false)
    expect(await currents()).toEqual(['release-1', null, 'release-1'])
    await expectClean([...TARGETS, 'h0'])
  })

  test('a local target (a stream, each): current switches there too', async () => {
    const source = await tmpDir()
    const target = await tmpDir()
    await mkdir(join(source, 'release-9'))
    await writeFile(join(source, 'release-9', 'VERSION'), 'release-9\n')
    await symlink('release-8', join(target, 'current'))
    const run = await runFanout(cluster, [
      '--no-progress',
      '--link',
      'current',
      join(source, 'release-9'),
      target,
    ])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout.trim().split('\n').at(-1)).toBe('linked current -> release-9 on 1 of 1 targets')
    expect(await readlink(join(target, 'current'))).toBe('release-9')
  })

  function deploy(args: string[]) {
    return runFanout(cluster, [...args, ...TARGETS.map((h) => `${h}:/srv`)])
  }

  async function sh(host: string, script: string): Promise<string> {
    const result = await cluster.exec(host, ['sh', '-c', script])
    expect(result.exitCode, `${host}: ${script}: ${result.stderr}`).toBe(0)
    return result.stdout
  }

  async function exists(host: string, path: string): Promise<boolean> {
    return (await cluster.exec(host, ['test', '-e', path])).exitCode === 0
  }

  /** Where each target's current points; null where it is not a symlink. */
  async function currents(): Promise<(string | null)[]> {
    return Promise.all(
      TARGETS.map(async (host) => {
        const read = await cluster.exec(host, ['readlink', '/srv/current'])
        return read.exitCode === 0 ? read.stdout.trim() : null
      }),
    )
  }

  /** Every target as the first deploy left it: release-1, current -> release-1, nothing else. */
  async function resetToRelease1(): Promise<void> {
    for (const host of TARGETS) {
      await sh(host, 'rm -rf /srv/release-2 /srv/.fanout-* /srv/current && ln -s release-1 /srv/current')
      expect(await exists(host, '/srv/release-1/VERSION')).toBe(true)
    }
  }

  /** Leaves the host's /srv two inodes: enough for the staging directory, not for the copy. */
  async function starveInodes(host: string): Promise<void> {
    await sh(
      host,
      'used=$(df --output=iused /srv | tail -1) && mount -o remount,nr_inodes=$((used + 2)) /srv',
    )
  }

  async function feedInodes(host: string): Promise<void> {
    await sh(host, 'mount -o remount,nr_inodes=100000 /srv')
  }

  async function expectClean(hosts: string[]): Promise<void> {
    for (const host of hosts) expect(await leftoversOn(cluster, host), host).toEqual([])
  }
})

function linksIn(stdout: string): Result['targets'][number]['link'][] {
  return (JSON.parse(stdout) as Result).targets.map((t) => t.link)
}
