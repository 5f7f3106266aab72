import { readdir, readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import {
  type MariaDb,
  type MariadbOptions,
  mariadbUnavailableReason,
  startMariadb,
} from '../helpers/mariadb.js'
import { prepareBackup } from '../helpers/mariadb-backup.js'
import { slaveRunning, startReplica, waitCaughtUp } from '../helpers/mariadb-replica.js'
import { seedTables, tableFingerprint } from '../helpers/mariadb-tables.js'
import { removeMariadbTemplate } from '../helpers/mariadb-template.js'
import { startWriter, type Writer } from '../helpers/mariadb-writer.js'
import { pollUntil } from '../helpers/poll-until.js'
import { runOrThrow } from '../helpers/run-command.js'
import { type FanoutRun, leftoversOn, runFanout, startFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason() ?? mariadbUnavailableReason()
const HOSTS = ['h0', 'h1', 'h2', 'h3', 'h4']
const SEED = { tables: 3, megabytes: 3 }
/** The owner given to target directories, which a prepared copy's files must take on. */
const OWNER = 4321
/** h4's link, so that a backup streamed to it lasts long enough to be interrupted mid-way. */
const SLOW_MBIT = 48

interface Replication {
  binlogFile: string | null
  binlogPosition: number | null
  gtid: string | null
  slaveInfo: string | null
}

interface Summary {
  outcome: string
  transport: 'stream' | 'swarm'
  targets: {
    target: string
    status: string
    replication?: Replication
    error?: { code: string; message: string }
  }[]
  backup?: { bytes: number; seconds: number; heldByTargets: number }
}

/**
 * Database replicas (issue 16) on the cluster, with real MariaDB servers: hot backups of a running
 * primary streamed or swarmed to empty directories, prepared there and started as replicas that
 * catch up from the GTID fanout reports; --stop-slave on a replica; xbstream files and datadir
 * tarballs as sources; and the sources and targets refused before anything moves.
 */
describe.skipIf(reason !== undefined)(`database replicas${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cluster: Cluster
  let primary: MariaDb
  let tables: string[]
  /** Servers running now, by pid: the hosts' cleanliness checks leave them out. */
  const running = new Set<number>()

  beforeAll(async () => {
    cluster = await createCluster(
      HOSTS.map((name) => ({ name, diskMiB: 384, ...(name === 'h4' ? { rateMbit: SLOW_MBIT } : {}) })),
    )
    primary = await startMariadb(cluster, 'h0')
    running.add(primary.pid)
    tables = await seedTables(primary, SEED)
  }, 180_000)
  afterAll(async () => {
    try {
      await primary?.stop()
    } finally {
      await cluster?.destroy()
      await removeMariadbTemplate()
    }
  })

  /** A server on a copy (or a fresh one), stopped and its files removed when the test finishes. */
  async function server(host: string, opts: MariadbOptions): Promise<MariaDb> {
    const db = await startMariadb(cluster, host, opts)
    running.add(db.pid)
    onTestFinished(async () => {
      running.delete(db.pid)
      await db.stop()
      await cluster.exec(host, ['rm', '-rf', db.runDir, db.datadir])
    })
    return db
  }

  /** Empty target directories, owned by `owner`, removed again when the test finishes. */
  async function emptyDirs(host: string, dirs: readonly string[], owner = 0): Promise<void> {
    onTestFinished(async () => {
      await cluster.exec(host, ['rm', '-rf', ...dirs])
    })
    await runOrThrow(cluster.hostArgv(host, ['mkdir', '-p', ...dirs]))
    await runOrThrow(cluster.hostArgv(host, ['chown', `${owner}:${owner}`, ...dirs]))
  }

  /**
   * A writer on the primary that has committed, stopped when the test finishes if it still runs.
   * Each writer numbers its rows from the same first id, so every test writes to a table of its own.
   */
  async function writing(table: string): Promise<Writer> {
    const writer = startWriter(primary, table, { batch: 5 })
    onTestFinished(async () => {
      await writer.stop().catch(() => undefined)
    })
    await pollUntil('the writer to commit', async () => (writer.rows > 0 ? true : undefined), {
      timeoutMs: 30_000,
    })
    return writer
  }

  /** Starts a server on a copy, points it at the primary from `gtid` and returns it. */
  async function replicaOnCopy(host: string, dir: string, gtid: string | null | undefined): Promise<MariaDb> {
    expect(gtid, `${host}:${dir}'s reported GTID`).toMatch(/^\d+-\d+-\d+/)
    const copy = await server(host, { name: dir.split('/').pop() ?? 'copy', datadir: dir })
    await startReplica(primary, copy, { gtidSlavePos: gtid ?? '' })
    return copy
  }

  /**
   * What fanout left on a host (see leftoversOn), apart from the servers the tests run there and
   * the agent directories of other runs on this machine, which share the hosts' /tmp.
   */
  async function leftovers(host: string, targetDir?: string): Promise<string[]> {
    const left = await leftoversOn(cluster, host, targetDir)
    const others = await liveAgentDirs()
    return left.filter(
      (line) => !running.has(Number(/^process (\d+):/.exec(line)?.[1])) && !others.has(agentDirOf(line)),
    )
  }

  async function expectClean(host: string, targetDir?: string): Promise<void> {
    expect(await leftovers(host, targetDir), `${host}${targetDir ? `:${targetDir}` : ''}`).toEqual([])
  }

  describe('a hot backup of a running primary', () => {
    test('to one target, prepared: streamed, owned by the target dir, starts and catches up', async () => {
      await emptyDirs('h1', ['/srv/t1'], OWNER)
      const writer = await writing('fx.t1')
      const rowsAtStart = writer.rows
      const run = await fanout(['--type', 'xtrabackup', '--prepare', `h0:${primary.socket}`, 'h1:/srv/t1'])
      expect(writer.rows, 'rows written while the backup ran').toBeGreaterThan(rowsAtStart)
      expect(run.exitCode, run.stderr).toBe(0)
      const summary = summaryOf(run)
      expect(summary.transport).toBe('stream')
      expect(summary.targets).toEqual([expect.objectContaining({ target: 'h1:/srv/t1', status: 'ok' })])
      expect(summary.targets[0]?.replication).toEqual({
        binlogFile: expect.stringMatching(/^binlog\.\d+$/),
        binlogPosition: expect.any(Number),
        gtid: expect.stringMatching(/^0-\d+-\d+$/),
        slaveInfo: null,
      })
      expect(await notOwnedBy(cluster, 'h1', '/srv/t1', OWNER)).toEqual([])
      expect(await listDir(cluster, 'h1', '/srv/t1')).toEqual(expect.arrayContaining(['ibdata1', 'fx']))

      const copy = await replicaOnCopy('h1', '/srv/t1', summary.targets[0]?.replication?.gtid)
      const { rows } = await writer.stop()
      expect(rows).toBeGreaterThan(rowsAtStart)
      await waitCaughtUp(primary, copy)
      expect(await tableFingerprint(copy, tables)).toEqual(await tableFingerprint(primary, tables))
      await expectClean('h0')
      await expectClean('h1', '/srv/t1')
    }, 180_000)

    test('to three targets, prepared: swarmed during the backup, all catch up from one GTID', async () => {
      const targets = ['h1', 'h2', 'h3']
      for (const host of targets) await emptyDirs(host, ['/srv/s'])
      const writer = await writing('fx.t2')
      const run = await fanout([
        '--type',
        'xtrabackup',
        '--prepare',
        `h0:${primary.socket}`,
        ...targets.map((host) => `${host}:/srv/s`),
      ])
      expect(run.exitCode, run.stderr).toBe(0)
      const summary = summaryOf(run)
      expect(summary.transport).toBe('swarm')
      expect(summary.backup?.bytes).toBeGreaterThan(SEED.tables * SEED.megabytes * 1e6)
      expect(summary.backup?.heldByTargets, 'share held when the backup completed').toBeGreaterThan(0)
      const gtids = new Set(summary.targets.map((t) => t.replication?.gtid))
      expect(gtids.size, JSON.stringify(summary.targets)).toBe(1)
      const [gtid] = gtids

      const copies = []
      for (const host of targets) copies.push(await replicaOnCopy(host, '/srv/s', gtid))
      await writer.stop()
      const expected = await tableFingerprint(primary, tables)
      for (const copy of copies) {
        await waitCaughtUp(primary, copy)
        expect(await tableFingerprint(copy, tables), copy.host).toEqual(expected)
      }
      await expectClean('h0')
      const others = await liveAgentDirs()
      expect((await spoolsOn(cluster, 'h0')).filter((dir) => !others.has(agentDirOf(dir)))).toEqual([])
      for (const host of targets) await expectClean(host, '/srv/s')
    }, 180_000)
  })

  describe('--stop-slave', () => {
    let replica: MariaDb

    beforeAll(async () => {
      replica = await startMariadb(cluster, 'h1', { name: 'replica' })
      running.add(replica.pid)
      await startReplica(primary, replica)
      await waitCaughtUp(primary, replica)
    }, 120_000)
    afterAll(async () => {
      running.delete(replica?.pid)
      await replica?.stop()
      await cluster.exec('h1', ['rm', '-rf', '/srv/mysql-replica'])
    })

    test('a replica: backed up with its slave info, replication running again afterwards', async () => {
      await emptyDirs('h2', ['/srv/dst'])
      const source = `h1:${replica.socket}`
      const run = await fanout(['--type', 'xtrabackup', '--prepare', '--stop-slave', source, 'h2:/srv/dst'])
      expect(run.exitCode, run.stderr).toBe(0)
      expect(summaryOf(run).targets[0]?.replication?.slaveInfo).toMatch(/gtid_slave_pos/i)
      expect(await slaveRunning(replica)).toEqual({ io: true, sql: true })
      await expectClean('h1')
      await expectClean('h2', '/srv/dst')
    }, 120_000)

    test('the source agent killed while replication is stopped: the run fails, replication runs again', async () => {
      await emptyDirs('h4', ['/srv/killed'])
      const args = ['--json', '--type', 'xtrabackup', '--stop-slave', '--no-compress']
      const run = startFanout(cluster, [...args, `h1:${replica.socket}`, 'h4:/srv/killed'], {
        timeoutMs: 120_000,
      })
      onTestFinished(() => {
        run.kill('SIGKILL')
      })
      await pollUntil(
        'the agent to stop replication',
        async () => {
          const threads = await slaveRunning(replica)
          return !threads.io && !threads.sql ? true : undefined
        },
        { timeoutMs: 60_000, intervalMs: 50 },
      )
      const agents = (await cluster.processes('h1')).filter((p) => p.cmdline.includes('agent.mjs'))
      expect(agents, 'the source agent').not.toEqual([])
      for (const agent of agents) process.kill(agent.pid, 'SIGKILL')

      const result = await run
      expect(result.exitCode, result.stderr).not.toBe(0)
      const [target] = summaryOf(result).targets
      expect(target?.error?.code).toBe('AGENT_FAILED')
      expect(target?.error?.message).toMatch(/killed by SIGKILL/)
      // The agent's log ends before it could start replication again itself: the orchestrator has to.
      expect(target?.error?.message).not.toMatch(/replication started again/)
      await pollUntil(
        'replication to run again',
        async () => {
          const threads = await slaveRunning(replica)
          return threads.io && threads.sql ? true : undefined
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      )
      expect(await listDir(cluster, 'h4', '/srv/killed')).toEqual([])
      await expectClean('h1')
      await expectClean('h4', '/srv/killed')
    }, 120_000)

    test('the primary, which is no replica: refused before anything moves', async () => {
      await emptyDirs('h2', ['/srv/dst'])
      const source = `h0:${primary.socket}`
      const run = await fanout(['--type', 'xtrabackup', '--stop-slave', source, 'h2:/srv/dst'])
      expect(run.exitCode).toBe(255)
      expect(lines(run.stderr)).toEqual([expect.stringMatching(/^fanout: h0:.*is not a replica/)])
      expect(await listDir(cluster, 'h2', '/srv/dst')).toEqual([])
      for (const host of ['h0', 'h2']) await expectClean(host)
    }, 60_000)
  })

  test('an xbstream file: unpacked and prepared on two targets, both match the primary', async () => {
    onTestFinished(async () => {
      await cluster.exec('h0', ['rm', '-f', '/srv/backup.xbstream'])
    })
    await backupToFile(primary, '/srv/backup.xbstream')
    const expected = await tableFingerprint(primary, tables)
    const position = (await primary.sql('SELECT @@GLOBAL.gtid_binlog_pos')).trim()
    await emptyDirs('h1', ['/srv/c1'])
    await emptyDirs('h2', ['/srv/c2'])

    const run = await fanout([
      '--type',
      'xtrabackup',
      '--prepare',
      'h0:/srv/backup.xbstream',
      'h1:/srv/c1',
      'h2:/srv/c2',
    ])
    expect(run.exitCode, run.stderr).toBe(0)
    const summary = summaryOf(run)
    expect(summary.targets.map((t) => t.replication?.gtid)).toEqual([position, position])
    for (const [host, dir] of [
      ['h1', '/srv/c1'],
      ['h2', '/srv/c2'],
    ] as const) {
      const copy = await server(host, { name: 'copy', datadir: dir })
      expect(await tableFingerprint(copy, tables), host).toEqual(expected)
    }
    await expectClean('h0')
  }, 180_000)

  test("an xbstream damaged on a target's disk after it arrived: mbstream's check fails it, a rerun mends it", async () => {
    onTestFinished(async () => {
      await cluster.exec('h0', ['rm', '-f', '/srv/damaged.xbstream'])
    })
    await backupToFile(primary, '/srv/damaged.xbstream')
    await emptyDirs('h1', ['/srv/d1'])
    // The test hook flips a byte of the target's staged copy once every piece is verified. One
    // target of the swarm: with two, the other could fetch the damaged piece from this one, which
    // serves it as it lies on disk (peers that serve bad pieces are issue 18's).
    const args = [
      '--json',
      '--transport',
      'swarm',
      '--type',
      'xtrabackup',
      'h0:/srv/damaged.xbstream',
      'h1:/srv/d1',
    ]
    const run = await startFanout(cluster, args, { env: { FANOUT_TEST_CORRUPT_STAGED: '1' } })
    expect(run.exitCode, run.stderr).toBe(1)
    const [target] = summaryOf(run).targets
    expect(target?.status).toBe('failed')
    expect(target?.error?.code, JSON.stringify(target?.error)).toBe('UNPACK_FAILED')
    expect(target?.error?.message).toMatch(/^unpacking with mbstream failed, exit status \d+: /)
    // Nothing landed; the target kept its download, whose pieces a later run checks before use.
    expect(await listDir(cluster, 'h1', '/srv/d1')).toEqual([
      expect.stringMatching(/^\.fanout-[0-9a-f]{16}\.partial$/),
    ])
    const again = await fanout([
      '--transport',
      'swarm',
      '--type',
      'xtrabackup',
      'h0:/srv/damaged.xbstream',
      'h1:/srv/d1',
    ])
    expect(again.exitCode, again.stderr).toBe(0)
    const landed = await listDir(cluster, 'h1', '/srv/d1')
    expect(landed).toContain('xtrabackup_checkpoints')
    expect(landed.filter((name) => name.startsWith('.fanout-'))).toEqual([])
  }, 120_000)

  describe('--type decompress', () => {
    test('a datadir snapshot tarball: its top directory’s contents land in each target', async () => {
      onTestFinished(async () => {
        await cluster.exec('h0', ['rm', '-rf', '/srv/snap', '/srv/snap.tar.gz', '/srv/snap.xbstream'])
      })
      await backupToFile(primary, '/srv/snap.xbstream')
      const expected = await tableFingerprint(primary, tables)
      await runOrThrow(cluster.hostArgv('h0', ['mkdir', '-p', '/srv/snap/datadir']))
      await shell('h0', 'mbstream -x -C /srv/snap/datadir < /srv/snap.xbstream && rm /srv/snap.xbstream')
      await prepareBackup(cluster, 'h0', '/srv/snap/datadir')
      await runOrThrow(
        cluster.hostArgv('h0', ['tar', '-C', '/srv/snap', '-czf', '/srv/snap.tar.gz', 'datadir']),
      )
      const targets = ['h1', 'h2', 'h3']
      for (const host of targets) await emptyDirs(host, ['/srv/d'])

      const run = await fanout([
        '--type',
        'decompress',
        'h0:/srv/snap.tar.gz',
        ...targets.map((host) => `${host}:/srv/d`),
      ])
      expect(run.exitCode, run.stderr).toBe(0)
      for (const host of targets) {
        const files = await listDir(cluster, host, '/srv/d')
        expect(files, host).toEqual(expect.arrayContaining(['ibdata1', 'fx', 'xtrabackup_binlog_info']))
        expect(files, host).not.toContain('datadir')
        const copy = await server(host, { name: 'snap', datadir: '/srv/d' })
        expect(await tableFingerprint(copy, tables), host).toEqual(expected)
      }
      for (const host of ['h0', ...targets]) await expectClean(host, host === 'h0' ? '/srv' : '/srv/d')
    }, 180_000)

    test.each([
      { transport: 'stream', targets: ['h1'] },
      { transport: 'swarm', targets: ['h1', 'h2'] },
    ])(
      'a tarball with two top-level entries ($transport): SOURCE_FORMAT, nothing left',
      async ({ transport, targets }) => {
        onTestFinished(async () => {
          await cluster.exec('h0', ['rm', '-rf', '/srv/two', '/srv/two.tar.gz'])
        })
        await shell('h0', 'mkdir -p /srv/two/a /srv/two/b && echo a > /srv/two/a/x && echo b > /srv/two/b/y')
        await runOrThrow(
          cluster.hostArgv('h0', ['tar', '-C', '/srv/two', '-czf', '/srv/two.tar.gz', 'a', 'b']),
        )
        for (const host of targets) await emptyDirs(host, ['/srv/e'])

        const run = await fanout([
          '--type',
          'decompress',
          'h0:/srv/two.tar.gz',
          ...targets.map((h) => `${h}:/srv/e`),
        ])
        expect(run.exitCode, run.stderr).toBe(1)
        const summary = summaryOf(run)
        expect(summary.transport).toBe(transport)
        expect(summary.targets.map((t) => t.error?.code)).toEqual(targets.map(() => 'SOURCE_FORMAT'))
        // Each target's directory is as empty as before, and nothing else of the run is left on it.
        const left = await Promise.all(
          targets.map(async (host) => [
            ...(await listDir(cluster, host, '/srv/e')),
            ...(await leftovers(host, '/srv/e')),
          ]),
        )
        expect(left).toEqual(targets.map(() => []))
        expect(await leftovers('h0')).toEqual([])
      },
      120_000,
    )
  })

  describe('refused before anything moves', () => {
    /** Runs fanout, expects exit 255 and exactly `message` on stderr, and every host unchanged. */
    async function expectRefused(args: readonly string[], message: RegExp): Promise<void> {
      await emptyDirs('h1', ['/srv/empty'])
      const before = await Promise.all(HOSTS.map((host) => srvListing(cluster, host)))
      const run = await fanout([...args, 'h1:/srv/empty'])
      expect(run.exitCode, run.stderr).toBe(255)
      expect(summaryOf(run).outcome).toBe('preflight-failed')
      expect(lines(run.stderr)).toEqual([expect.stringMatching(message)])
      expect(await Promise.all(HOSTS.map((host) => srvListing(cluster, host)))).toEqual(before)
      for (const host of HOSTS) await expectClean(host)
    }

    test('a directory as an xtrabackup source', async () => {
      await expectRefused(
        ['--type', 'xtrabackup', 'h0:/srv/mysql-db'],
        /^fanout: h0:\/srv\/mysql-db: source is a directory; --type xtrabackup takes an xbstream file or a server's socket$/,
      )
    }, 60_000)

    test('a regular file that is no xbstream', async () => {
      await makeSourceFile('h0', '/srv/notes.txt', 'not a backup\n')
      await expectRefused(
        ['--type', 'xtrabackup', 'h0:/srv/notes.txt'],
        /^fanout: h0:\/srv\/notes\.txt: source is not an xbstream /,
      )
    }, 60_000)

    test('a file that is no tarball, for decompress', async () => {
      await makeSourceFile('h0', '/srv/notes.txt', 'not a tarball\n')
      await expectRefused(
        ['--type', 'decompress', 'h0:/srv/notes.txt'],
        /^fanout: h0:\/srv\/notes\.txt: source is not a tarball: /,
      )
    }, 60_000)

    test('a socket with no server behind it', async () => {
      onTestFinished(async () => {
        await cluster.exec('h0', ['rm', '-f', '/srv/dead.sock'])
      })
      const bind = "import socket; socket.socket(socket.AF_UNIX).bind('/srv/dead.sock')"
      await runOrThrow(cluster.hostArgv('h0', ['python3', '-c', bind]))
      await expectRefused(
        ['--type', 'xtrabackup', 'h0:/srv/dead.sock'],
        /^fanout: h0:\/srv\/dead\.sock: no MariaDB server answers on \/srv\/dead\.sock: .*\b2002\b/,
      )
    }, 60_000)

    test('a server that refuses the login', async () => {
      const locked = await lockedServer()
      await expectRefused(
        ['--type', 'xtrabackup', `h4:${locked.socket}`],
        /^fanout: h4:\S+: the server refused the login \(fanout uses this host's client config, e.g\. ~\/\.my\.cnf\): .*Access denied/,
      )
    }, 90_000)

    test('a target directory that is not empty', async () => {
      await emptyDirs('h2', ['/srv/full'])
      await makeSourceFile('h2', '/srv/full/keep.txt', 'mine\n')
      await expectRefused(
        ['--type', 'xtrabackup', `h0:${primary.socket}`, 'h2:/srv/full'],
        /^fanout: h2:\/srv\/full: target directory is not empty \(it holds keep\.txt\)/,
      )
      expect(await listDir(cluster, 'h2', '/srv/full')).toEqual(['keep.txt'])
    }, 60_000)

    /**
     * A server on h4 whose root cannot log in over the socket (renamed to admin), so the host's
     * client config is refused. A second account, keeper, gives root back when the test finishes,
     * so that the server can be shut down normally.
     */
    async function lockedServer(): Promise<MariaDb> {
      const locked = await server('h4', { name: 'locked' })
      const password = 'keeper-pw'
      await locked.sql(
        `CREATE USER 'keeper'@'localhost' IDENTIFIED BY '${password}'; ` +
          `GRANT ALL ON *.* TO 'keeper'@'localhost' WITH GRANT OPTION; ` +
          "RENAME USER 'root'@'localhost' TO 'admin'@'localhost';",
      )
      // Registered after server(), so it runs before the server's stop (vitest unwinds as a stack).
      onTestFinished(async () => {
        const unlock = "RENAME USER 'admin'@'localhost' TO 'root'@'localhost'"
        const client = ['mariadb', '--no-defaults', `--socket=${locked.socket}`, '--user=keeper']
        await runOrThrow(cluster.hostArgv('h4', [...client, `--password=${password}`, '-e', unlock]))
      })
      const refused = await cluster.exec('h4', ['mariadb', `--socket=${locked.socket}`, '-e', 'SELECT 1'])
      expect(refused.stderr, 'root is locked out').toMatch(/Access denied/)
      return locked
    }

    async function makeSourceFile(host: string, path: string, text: string): Promise<void> {
      onTestFinished(async () => {
        await cluster.exec(host, ['rm', '-f', path])
      })
      await runOrThrow(cluster.hostArgv(host, ['sh', '-c', 'cat > "$1"', 'sh', path]), { input: text })
    }
  })

  function fanout(args: readonly string[]): Promise<FanoutRun> {
    return runFanout(cluster, ['--json', ...args], 150_000)
  }

  /** A quiet backup of `db` written to `path` on its host, as an operator would keep one. */
  async function backupToFile(db: MariaDb, path: string): Promise<void> {
    await shell(
      db.host,
      'set -e; d=$(mktemp -d /srv/.backup.XXXXXX); ' +
        `mariadb-backup --no-defaults --backup --stream=xbstream --socket=${db.socket} --user=root ` +
        `--target-dir="$d" > ${path} 2> "$d.log" || { tail -n 20 "$d.log" >&2; exit 1; }; ` +
        'rm -rf "$d" "$d.log"',
    )
    expect(await runOrThrow(cluster.hostArgv(db.host, ['head', '-c', '8', path]))).toBe('XBSTCK01')
  }

  async function shell(host: string, script: string): Promise<void> {
    await runOrThrow(cluster.hostArgv(host, ['sh', '-c', script]), { timeoutMs: 120_000 })
  }
})

function summaryOf(run: Pick<FanoutRun, 'stdout' | 'stderr'> & { exitCode?: number | undefined }): Summary {
  try {
    return JSON.parse(run.stdout) as Summary
  } catch {
    throw new Error(`no JSON summary (exit ${run.exitCode}): ${run.stdout}\n${run.stderr}`)
  }
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '')
}

async function listDir(cluster: Cluster, host: string, dir: string): Promise<string[]> {
  return lines(await runOrThrow(cluster.hostArgv(host, ['ls', '-A', dir]))).sort()
}

/** Files under `dir` (itself included) whose owner or group is not `id`. */
async function notOwnedBy(cluster: Cluster, host: string, dir: string, id: number): Promise<string[]> {
  const find = ['find', dir, '(', '!', '-uid', String(id), '-o', '!', '-gid', String(id), ')', '-print']
  return lines(await runOrThrow(cluster.hostArgv(host, find)))
}

/** Names two levels deep under /srv, which a refused run must not change. */
async function srvListing(cluster: Cluster, host: string): Promise<string[]> {
  const find = ['find', '/srv', '-mindepth', '1', '-maxdepth', '2']
  return lines(await runOrThrow(cluster.hostArgv(host, find))).sort()
}

/** A backup's spool or scratch directory that the source's agent left under /tmp. */
async function spoolsOn(cluster: Cluster, host: string): Promise<string[]> {
  const find = [
    'find',
    '/tmp',
    '-maxdepth',
    '3',
    '(',
    '-name',
    'fanout-spool-*',
    '-o',
    '-name',
    'fanout-backup-*',
    ')',
  ]
  return lines((await cluster.exec(host, find)).stdout)
}

const AGENT_DIR = /\/tmp\/fanout-agent\.[A-Za-z0-9]{8}/

/** The agent directory a leftover line names, if any. */
function agentDirOf(line: string): string {
  return AGENT_DIR.exec(line)?.[0] ?? ''
}

/**
 * The /tmp agent directories that live agents run from. The cluster's hosts share the machine's
 * /tmp, so another run on this machine (a benchmark, another engineer's tests) has its agents'
 * directories there too; an agent of ours that is still alive shows as a process leftover anyway.
 */
async function liveAgentDirs(): Promise<Set<string>> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry))
  const cmdlines = await Promise.all(
    pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')),
  )
  return new Set(cmdlines.map(agentDirOf).filter((dir) => dir !== ''))
}
