import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { type MariaDb, mariadbUnavailableReason, startMariadb } from '../helpers/mariadb.js'
import { seedTables } from '../helpers/mariadb-tables.js'
import { removeMariadbTemplate } from '../helpers/mariadb-template.js'
import { pollUntil } from '../helpers/poll-until.js'
import { leftoversOn, runFanout, startFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason() ?? mariadbUnavailableReason()
/** The source's SSH sessions (agents, the swarm's spool) use a TMPDIR on its own small disk. */
const SPOOL_TMP = '/srv/tmp'

/**
 * The source's side of a hot backup: where the swarm's spool goes and the pre-flight's check of its
 * room (the backup is kept whole in the agent's directory under TMPDIR until every target has it),
 * and a backup that fails midway.
 */
describe.skipIf(reason !== undefined)(`a hot backup's source${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cluster: Cluster
  let db: MariaDb

  beforeAll(async () => {
    cluster = await createCluster([
      { name: 'h0', diskMiB: 256, tmpDir: SPOOL_TMP },
      { name: 'h1', diskMiB: 256 },
      { name: 'h2', diskMiB: 256 },
      // Slow enough that a streamed backup, held back by its target, is still running when killed.
      { name: 'h3', diskMiB: 256, rateMbit: 16 },
    ])
    await cluster.exec('h0', ['mkdir', '-m', '1777', SPOOL_TMP])
    db = await startMariadb(cluster, 'h0')
    await seedTables(db, { tables: 2, megabytes: 3 })
  }, 180_000)
  afterAll(async () => {
    try {
      await db?.stop()
    } finally {
      await cluster?.destroy()
      await removeMariadbTemplate()
    }
  })

  async function freshTargets(): Promise<void> {
    for (const host of ['h1', 'h2', 'h3']) {
      await cluster.exec(host, ['sh', '-c', 'rm -rf /srv/dst && mkdir /srv/dst'])
    }
  }

  /** The number in a `du` (first field) or `df` (last line) answer. */
  async function bytesOf(argv: string[], field: 'first' | 'last'): Promise<number> {
    const result = await cluster.exec('h0', argv)
    const fields = result.stdout.trim().split(/\s+/)
    const value = Number(field === 'first' ? fields[0] : fields.at(-1))
    if (!Number.isFinite(value)) throw new Error(`no number from ${argv.join(' ')}: ${result.stdout}`)
    return value
  }

  test('too little room for the spool fails the pre-flight; one target, which needs none, still goes', async () => {
    const datadir = await bytesOf(['du', '-s', '-b', db.datadir], 'first')
    const free = await bytesOf(['df', '-B1', '--output=avail', SPOOL_TMP], 'last')
    // Leave the spool half the datadir's size.
    const filler = free - Math.floor(datadir / 2)
    expect(filler, 'the disk has room to fill').toBeGreaterThan(0)
    await cluster.exec('h0', ['fallocate', '-l', String(filler), '/srv/filler'])
    try {
      await freshTargets()
      const refused = await runFanout(cluster, [
        '--type',
        'xtrabackup',
        `h0:${db.socket}`,
        'h1:/srv/dst',
        'h2:/srv/dst',
      ])
      expect(refused.exitCode, refused.stderr).toBe(255)
      expect(refused.stderr).toMatch(
        new RegExp(
          `^fanout: h0:${db.socket}: not enough space to spool the backup in \\$TMPDIR \\(or /tmp\\): .* free, .* needed \\(the datadir's size and a margin\\)$`,
        ),
      )
      for (const host of ['h1', 'h2']) {
        expect((await cluster.exec(host, ['ls', '-A', '/srv/dst'])).stdout, host).toBe('')
      }
      const streamed = await runFanout(cluster, ['--type', 'xtrabackup', `h0:${db.socket}`, 'h1:/srv/dst'])
      expect(streamed.exitCode, streamed.stderr).toBe(0)
    } finally {
      await cluster.exec('h0', ['rm', '-f', '/srv/filler'])
    }
  }, 120_000)

  test('with room, the swarm spools in TMPDIR and leaves nothing there', async () => {
    await freshTargets()
    const run = await runFanout(cluster, [
      '--json',
      '--type',
      'xtrabackup',
      `h0:${db.socket}`,
      'h1:/srv/dst',
      'h2:/srv/dst',
    ])
    expect(run.exitCode, run.stderr).toBe(0)
    const summary = JSON.parse(run.stdout) as { transport: string; backup: { bytes: number } }
    expect(summary.transport).toBe('swarm')
    expect(summary.backup.bytes).toBeGreaterThan(0)
    expect((await cluster.exec('h0', ['ls', '-A', SPOOL_TMP])).stdout).toBe('')
    for (const host of ['h1', 'h2']) {
      expect(await leftoversOn(cluster, host, '/srv/dst'), host).toEqual([])
      expect(
        (await cluster.exec(host, ['test', '-f', '/srv/dst/xtrabackup_checkpoints'])).exitCode,
        host,
      ).toBe(0)
    }
    const ours = (await leftoversOn(cluster, 'h0')).filter((left) => !left.includes(`process ${db.pid}:`))
    expect(ours, 'h0').toEqual([])
  }, 120_000)

  test("a backup that fails midway fails the run with mariadb-backup's own words, and nothing lands", async () => {
    await freshTargets()
    const args = ['--json', '--no-compress', '--type', 'xtrabackup', `h0:${db.socket}`, 'h3:/srv/dst']
    const run = startFanout(cluster, args)
    const backup = await pollUntil(
      'mariadb-backup running on h0',
      async () =>
        (await cluster.processes('h0')).find((p) => p.cmdline.startsWith('mariadb-backup --backup')),
      { timeoutMs: 30_000, intervalMs: 50 },
    )
    process.kill(backup.pid, 'SIGKILL')
    const result = await run
    expect(result.exitCode, result.stderr).toBe(1)
    const summary = JSON.parse(result.stdout) as {
      targets: { status: string; error?: { code: string; message: string } }[]
    }
    expect(summary.targets[0]).toMatchObject({
      status: 'failed',
      error: {
        code: 'BACKUP_FAILED',
        message: expect.stringMatching(/^mariadb-backup failed \(killed by SIGKILL\): /),
      },
    })
    expect((await cluster.exec('h3', ['ls', '-A', '/srv/dst'])).stdout).toBe('')
    expect(await leftoversOn(cluster, 'h3', '/srv/dst')).toEqual([])
    const ours = (await leftoversOn(cluster, 'h0')).filter((left) => !left.includes(`process ${db.pid}:`))
    expect(ours, 'h0').toEqual([])
    expect((await cluster.exec('h0', ['ls', '-A', SPOOL_TMP])).stdout).toBe('')
  }, 120_000)
})
