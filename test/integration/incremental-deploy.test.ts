import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { expectSameTree, listTree } from '../helpers/fixture-tree.js'
import { givePrivateTmp } from '../helpers/private-tmp.js'
import { makeNextReleaseScript, makeReleaseScript, type ReleaseShape } from '../helpers/release-tree.js'
import { leftoversOn, runFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const TARGETS = ['h1', 'h2', 'h3', 'h4']
const FILES = 2000

/** About 128 MiB: enough that 5% leaves room for the fixed costs (the agent, SSH control). */
const RELEASE: ReleaseShape = { files: FILES, dirs: 40, minKiB: 1, maxKiB: 126 }
/** 1% of the files changed, half of them in place with the same size. */
const CHANGED = FILES / 100

/**
 * A deploy of the next release with --base: every target copies what its previous release already
 * holds, under any name, and receives little more than what changed, while the previous release
 * stays exactly as it was.
 */
describe.skipIf(reason !== undefined)(
  `incremental deploys with --base${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster

    beforeAll(async () => {
      cluster = await createCluster([
        { name: 'h0', diskMiB: 320 },
        ...TARGETS.map((name) => ({ name, diskMiB: 448 })),
      ])
      // Other runs on this machine ship agents to its /tmp, which the leftover checks would see.
      for (const host of ['h0', ...TARGETS]) await givePrivateTmp(cluster, host)
      const made = await cluster.exec('h0', ['node', '-e', makeReleaseScript(RELEASE), '/srv/release-1'])
      expect(made.exitCode, made.stderr).toBe(0)
      const first = await runFanout(cluster, [
        '--json',
        'h0:/srv/release-1',
        ...TARGETS.map((h) => `${h}:/srv`),
      ])
      expect(first.exitCode, first.stderr).toBe(0)
      const next = await cluster.exec('h0', [
        'node',
        '-e',
        makeNextReleaseScript(RELEASE, CHANGED),
        '/srv/release-1',
        '/srv/release-2',
      ])
      expect(next.exitCode, next.stderr).toBe(0)
    })
    afterAll(async () => {
      await cluster?.destroy()
    })

    test('exact new copies, untouched bases, and each target receives under 5% of the tree', async () => {
      const bases = await Promise.all(TARGETS.map((h) => baseState(cluster, h)))
      const receivedBefore = await Promise.all(TARGETS.map((h) => receivedBytes(cluster, h)))
      const treeBytes = await payloadBytes(cluster, 'h0', '/srv/release-2')

      const run = await runFanout(cluster, [
        '--json',
        '--base',
        'release-1',
        'h0:/srv/release-2',
        ...TARGETS.map((h) => `${h}:/srv`),
      ])

      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      const result = JSON.parse(run.stdout) as {
        targets: {
          status: string
          received: number
          fromBase: { found: boolean; files: number; bytes: number }
        }[]
      }
      const expected = await listTree(cluster, 'h0', '/srv/release-2')
      for (const [i, host] of TARGETS.entries()) {
        expectSameTree(await listTree(cluster, host, '/srv/release-2'), expected)
        expect(await baseState(cluster, host), `${host}'s base`).toEqual(bases[i])
        const onTheWire = (await receivedBytes(cluster, host)) - (receivedBefore[i] ?? 0)
        expect(onTheWire, `${host}: bytes received of ${treeBytes}`).toBeLessThan(treeBytes * 0.05)
        expect(await leftoversOn(cluster, host)).toEqual([])
        const target = result.targets[i]
        expect(target?.status).toBe('ok')
        // Unchanged and renamed files came from the base: all but the 20 changed and 3 added.
        expect(target?.fromBase).toMatchObject({ found: true, files: FILES - 2 - CHANGED })
        expect(target?.received).toBeLessThan(treeBytes * 0.05)
      }
    })

    test('a target without the base still gets an exact copy, with every byte, and a warning', async () => {
      expect((await cluster.exec('h1', ['mkdir', '/srv/elsewhere'])).exitCode).toBe(0)
      const run = await runFanout(cluster, [
        '--json',
        '--base',
        '/srv/nothing-here',
        'h0:/srv/release-2',
        'h1:/srv/elsewhere',
      ])
      expect(run.exitCode, run.stderr).toBe(0)
      const result = JSON.parse(run.stdout) as { warnings: string[]; transport: string }
      // One target and a base: the swarm, since only it can skip what a target holds.
      expect(result.transport).toBe('swarm')
      expect(result.warnings).toEqual([
        expect.stringMatching(/^h1:\/srv\/elsewhere: no base \/srv\/nothing-here there/),
      ])
      const copy = await listTree(cluster, 'h1', '/srv/elsewhere/release-2')
      expectSameTree(copy, await listTree(cluster, 'h0', '/srv/release-2'))
      expect(await leftoversOn(cluster, 'h1', '/srv/elsewhere')).toEqual([])
    })

    test('--base with a stream or with a backup is refused before anything moves', async () => {
      for (const flags of [
        ['--transport', 'stream'],
        ['--type', 'decompress'],
      ]) {
        const run = await runFanout(cluster, [
          ...flags,
          '--base',
          'release-1',
          'h0:/srv/release-2',
          'h1:/srv',
        ])
        expect(run.exitCode).toBe(2)
        expect(run.stderr).toMatch(/^fanout: --base release-1: (needs the swarm|only for transfer_type file)/)
      }
    })
  },
)

/**
 * Every entry of the previous release with its content and times, files' access times included,
 * read without moving them (O_NOATIME). A directory's access time moves whenever anyone lists it
 * (the mount's atime policy), this check included, so it is left out.
 */
const BASE_STATE = String.raw`
const fs = require('node:fs'), path = require('node:path'), crypto = require('node:crypto')
const root = process.argv[1], out = []
const visit = (rel) => {
  const p = path.join(root, rel), s = fs.lstatSync(p, { bigint: true })
  const line = [rel, s.mode, s.size, s.mtimeNs]
  if (s.isFile()) {
    const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOATIME)
    const hash = crypto.createHash('sha256').update(fs.readFileSync(fd)).digest('hex')
    fs.closeSync(fd)
    line.push(s.atimeNs, hash)
  }
  out.push(line.join(' '))
  if (s.isDirectory()) for (const n of fs.readdirSync(p).sort()) visit(path.join(rel, n))
}
visit('.')
process.stdout.write(out.join('\n'))
`

async function baseState(cluster: Cluster, host: string): Promise<string> {
  const listed = await cluster.exec(host, ['node', '-e', BASE_STATE, '/srv/release-1'])
  expect(listed.exitCode, listed.stderr).toBe(0)
  return listed.stdout
}

async function receivedBytes(cluster: Cluster, host: string): Promise<number> {
  const read = await cluster.exec(host, ['cat', '/sys/class/net/eth0/statistics/rx_bytes'])
  return Number(read.stdout.trim())
}

async function payloadBytes(cluster: Cluster, host: string, root: string): Promise<number> {
  const summed = await cluster.exec(host, [
    'sh',
    '-c',
    `find ${root} -type f -printf '%s\\n' | awk '{ s += $1 } END { print s }'`,
  ])
  return Number(summed.stdout.trim())
}
