import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { expectSameTree, type ListedEntry, listTree, MAKE_TREE_SCRIPT } from '../helpers/fixture-tree.js'
import { leftoversOn, runFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const TARGETS = ['h1', 'h2', 'h3', 'h4']

describe.skipIf(reason !== undefined)(
  `fan-out of a tree to four hosts${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster
    let source: ListedEntry[]

    beforeAll(async () => {
      cluster = await createCluster(['h0', ...TARGETS].map((name) => ({ name, diskMiB: 192 })))
      const made = await cluster.exec('h0', ['node', '-e', MAKE_TREE_SCRIPT, '/srv/data', '64'])
      expect(made.stderr).toBe('')
      source = await listTree(cluster, 'h0', '/srv/data')
    })
    afterAll(async () => {
      await cluster?.destroy()
    })

    test('the fixture has what the copy must keep', () => {
      const files = source.filter((e) => e.type === 'f')
      expect(files.length).toBeGreaterThanOrEqual(200)
      expect(files.reduce((sum, f) => sum + f.size, 0)).toBeGreaterThanOrEqual(64 * 2 ** 20 - 2 ** 20)
      expect(source.some((e) => e.type === 'l')).toBe(true)
      expect(source.some((e) => e.mode === '600')).toBe(true)
      expect(source.some((e) => e.uid === 1234)).toBe(true)
    })

    test('every target gets a byte-identical copy with metadata, and every host is left clean', async () => {
      const run = await runFanout(cluster, ['--json', 'h0:/srv/data', ...TARGETS.map((h) => `${h}:/srv`)])
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      const summary = JSON.parse(run.stdout) as {
        outcome: string
        targets: { status: string; path: string }[]
      }
      expect(summary.outcome).toBe('ok')
      expect(summary.targets.map((t) => t.status)).toEqual(['ok', 'ok', 'ok', 'ok'])
      for (const host of TARGETS) {
        const copy = await listTree(cluster, host, '/srv/data')
        expectSameTree(copy, source)
      }
      for (const host of ['h0', ...TARGETS]) expect(await leftoversOn(cluster, host)).toEqual([])
      // The source itself is untouched, times included.
      expectSameTree(await listTree(cluster, 'h0', '/srv/data'), source)
    })
  },
)

test.skipIf(reason !== undefined)(
  'source and target paths with spaces, quotes, $, & and non-ASCII letters',
  async () => {
    const cluster = await createCluster([{ name: 'src' }, { name: 'dst' }])
    try {
      const odd = `/srv/dir with $pace & 'quote' "dq" ü`
      await cluster.exec('src', ['mkdir', '-p', odd])
      await cluster.exec('src', ['sh', '-c', 'printf payload > "$1"', 'sh', `${odd}/file ;$(touch x)&`])
      await cluster.exec('dst', ['mkdir', '-p', odd])
      const run = await runFanout(cluster, [`src:${odd}/file ;$(touch x)&`, `dst:${odd}`])
      expect(run.exitCode, run.stderr).toBe(0)
      const copied = await cluster.exec('dst', ['cat', `${odd}/file ;$(touch x)&`])
      expect(copied.stdout).toBe('payload')
      // Had any shell expanded the name, it would have created `x` in a login directory (each host's
      // home is under the cluster's temp directory) or in /srv.
      const stray = await cluster.exec('src', ['sh', '-c', `find /tmp/fot${cluster.id}-* /srv -name x`])
      expect(stray.exitCode, stray.stderr).toBe(0)
      expect(stray.stdout).toBe('')
    } finally {
      await cluster.destroy()
    }
  },
)

test.skipIf(reason !== undefined)('a local source or target mixes with remote hosts', async () => {
  const cluster = await createCluster([{ name: 'h0' }, { name: 'h1' }])
  const local = await mkdtemp(join(tmpdir(), 'fanout-mixed-'))
  try {
    await writeFile(join(local, 'local-payload.bin'), randomBytes(3 << 20))
    await mkdir(join(local, 'inbox'))
    // The admin host is the source: remote targets fetch from its address on their network.
    const up = await runFanout(cluster, [join(local, 'local-payload.bin'), 'h0:/srv', 'h1:/srv'])
    expect(up.exitCode, up.stderr).toBe(0)
    // A remote source, the admin host one of the targets.
    const down2 = await runFanout(cluster, ['h0:/srv/local-payload.bin', join(local, 'inbox')])
    expect(down2.exitCode, down2.stderr).toBe(0)
    const original = await readFile(join(local, 'local-payload.bin'))
    expect((await readFile(join(local, 'inbox', 'local-payload.bin'))).equals(original)).toBe(true)
    const remote = await cluster.exec('h1', ['sha256sum', '/srv/local-payload.bin'])
    expect(remote.stdout.split(' ')[0]).toBe(createHash('sha256').update(original).digest('hex'))
  } finally {
    await cluster.destroy()
    await rm(local, { recursive: true, force: true })
  }
})
