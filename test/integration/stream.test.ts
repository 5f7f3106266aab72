import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { captureWire } from '../helpers/capture-wire.js'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { expectSameTree, listTree, MAKE_TREE_SCRIPT } from '../helpers/fixture-tree.js'
import { pollUntil } from '../helpers/poll-until.js'
import { leftoversOn, runFanout, startFanout, waitForStagedBytes } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const HOSTS = ['h0', 'h1', 'h2']
const MARKER = 'STREAM-MARKER-7f3a9c'
/** A database dump: compresses well, and shows on the wire when sent in clear. */
const DUMP_BYTES = 12 << 20

interface Summary {
  outcome: string
  transport: string
  bytes: number
  targets: {
    target: string
    status: string
    seconds: number
    wireBytes?: number
    readBackSeconds?: number
    error?: { code: string; message: string }
  }[]
}

/**
 * Compatibility mode on the cluster: one target streams by default, every transfer.py option and
 * its --no- form changes what it should, the config file and its precedence, and the faults a
 * stream must survive cleanly.
 */
describe.skipIf(reason !== undefined)(`the stream transport${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cluster: Cluster
  let dumpSum: string

  beforeAll(async () => {
    cluster = await createCluster([
      { name: 'h0', diskMiB: 192 },
      { name: 'h1', diskMiB: 192 },
      { name: 'h2', diskMiB: 192, rateMbit: 32 },
    ])
    const made = await cluster.exec('h0', ['node', '-e', MAKE_TREE_SCRIPT, '/srv/tree', '16'])
    expect(made.stderr).toBe('')
    // What a tar stream must keep: hard links, names with a newline or over 100 bytes.
    const odd = await cluster.exec('h0', [
      'sh',
      '-c',
      'cd /srv/tree && ln db/ibdata1 hard-link-to-ibdata && mkdir -p "$1" && printf odd > "$1/$2"',
      'sh',
      `long-${'x'.repeat(120)}`,
      'new\nline',
    ])
    expect(odd.exitCode, odd.stderr).toBe(0)
    const line = `INSERT INTO t VALUES (42, '${MARKER}');\n`
    await cluster.exec('h0', [
      'sh',
      '-c',
      `yes "$1" | head -c ${DUMP_BYTES} > /srv/dump.sql`,
      'sh',
      line.trim(),
    ])
    await cluster.exec('h0', ['sh', '-c', 'head -c 33554432 /dev/urandom > /srv/random.bin'])
    dumpSum = await sha256(cluster, 'h0', '/srv/dump.sql')
  })
  afterAll(async () => {
    await cluster?.destroy()
  })

  async function clean(): Promise<void> {
    for (const host of ['h1', 'h2']) await cluster.exec(host, ['sh', '-c', 'rm -rf /srv/* /srv/.fanout-*'])
  }

  async function expectHostsClean(): Promise<void> {
    for (const host of HOSTS) expect(await leftoversOn(cluster, host), host).toEqual([])
  }

  test('one target streams by default: a tree with hard links and odd names arrives exactly', async () => {
    await clean()
    const run = await runFanout(cluster, ['--json', 'h0:/srv/tree', 'h1:/srv'])
    expect(run.exitCode, run.stderr).toBe(0)
    const summary = JSON.parse(run.stdout) as Summary
    expect(summary.transport).toBe('stream')
    expect(summary.targets[0]?.readBackSeconds).toBeGreaterThanOrEqual(0)
    expectSameTree(await listTree(cluster, 'h1', '/srv/tree'), await listTree(cluster, 'h0', '/srv/tree'))
    const inodes = await cluster.exec('h1', [
      'stat',
      '-c',
      '%i %h',
      '/srv/tree/db/ibdata1',
      '/srv/tree/hard-link-to-ibdata',
    ])
    const [first, second] = inodes.stdout.trim().split('\n')
    expect(first).toBe(second)
    expect(first).toMatch(/ 2$/)
    await expectHostsClean()
  })

  test.each([
    { flags: [], compressed: true, readBack: true },
    { flags: ['--compress', '--encrypt', '--checksum'], compressed: true, readBack: true },
    { flags: ['--no-compress'], compressed: false, readBack: true },
    { flags: ['--codec', 'zstd'], compressed: true, readBack: true },
    { flags: ['--no-encrypt'], compressed: true, readBack: true },
    { flags: ['--no-checksum'], compressed: true, readBack: false },
    // transfer.py's rule: --parallel-checksum alone turns the full checksum off.
    { flags: ['--parallel-checksum'], compressed: true, readBack: false },
    { flags: ['--no-checksum', '--no-parallel-checksum'], compressed: true, readBack: false },
    { flags: ['--port', '4455', '--type', 'file', '--stop-slave'], compressed: true, readBack: true },
    { flags: ['--transport', 'stream', '--verbose'], compressed: true, readBack: true },
  ])('$flags', async ({ flags, compressed, readBack }) => {
    await clean()
    const run = await runFanout(cluster, ['--json', ...flags, 'h0:/srv/dump.sql', 'h1:/srv'])
    expect(run.exitCode, run.stderr).toBe(0)
    const summary = JSON.parse(run.stdout) as Summary
    const target = summary.targets[0]
    expect(summary.transport).toBe('stream')
    if (compressed) expect(target?.wireBytes).toBeLessThan(DUMP_BYTES / 20)
    else expect(target?.wireBytes).toBeGreaterThanOrEqual(DUMP_BYTES)
    expect(target?.readBackSeconds !== undefined).toBe(readBack)
    if (flags.includes('--verbose')) expect(run.stderr).toMatch(/"level":20/)
    else expect(run.stderr).toBe('')
    expect(await sha256(cluster, 'h1', '/srv/dump.sql')).toBe(dumpSum)
    await expectHostsClean()
  })

  test.each([
    { flags: ['--no-compress'], clearOnWire: false },
    { flags: ['--no-compress', '--no-encrypt'], clearOnWire: true },
  ])('payload in clear on the wire: $clearOnWire with $flags', async ({ flags, clearOnWire }) => {
    await clean()
    const wire = await captureWire(cluster, 'h1', async () => {
      const run = await runFanout(cluster, [...flags, 'h0:/srv/dump.sql', 'h1:/srv'])
      expect(run.exitCode, run.stderr).toBe(0)
    })
    // tcpdump may drop packets on a loaded machine; what it kept shows the capture worked.
    expect(wire.length).toBeGreaterThan(DUMP_BYTES / 2)
    expect(wire.includes(MARKER)).toBe(clearOnWire)
  })

  test('config file < environment < command line, in a real run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-conf-'))
    try {
      const config = join(dir, 'fanout.conf')
      await writeFile(config, '[DEFAULT]\ncompress = False\nchecksum = f\n')
      const wireOf = async (args: string[], env: Record<string, string> = {}) => {
        await clean()
        const run = await startFanout(
          cluster,
          ['--json', '--config', config, ...args, 'h0:/srv/dump.sql', 'h1:/srv'],
          {
            env,
          },
        )
        expect(run.exitCode, run.stderr).toBe(0)
        const target = (JSON.parse(run.stdout) as Summary).targets[0]
        return { wire: target?.wireBytes ?? 0, readBack: target?.readBackSeconds !== undefined }
      }
      expect(await wireOf([])).toEqual({ wire: expect.any(Number), readBack: false })
      expect((await wireOf([])).wire).toBeGreaterThanOrEqual(DUMP_BYTES)
      expect((await wireOf([], { FANOUT_COMPRESS: 'true' })).wire).toBeLessThan(DUMP_BYTES / 20)
      expect((await wireOf(['--no-compress'], { FANOUT_COMPRESS: 'true' })).wire).toBeGreaterThanOrEqual(
        DUMP_BYTES,
      )
      expect((await wireOf(['--checksum'])).readBack).toBe(true)

      await writeFile(config, '[DEFAULT]\nport = 0\ncompress = yes\n')
      await clean()
      const bad = await runFanout(cluster, ['--config', config, 'h0:/srv/dump.sql', 'h1:/srv'])
      expect(bad.exitCode).toBe(2)
      expect(bad.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^fanout: ${config}:3: compress = yes: `)),
      ])
      expect((await cluster.exec('h1', ['ls', '-A', '/srv'])).stdout).toBe('')
      await expectHostsClean()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('--port that another process holds: refused with a clear error, nothing written', async () => {
    await clean()
    const holder = execa(
      ...splitArgv(
        cluster.hostArgv('h1', [
          'node',
          '-e',
          "require('net').createServer().listen(4466, () => console.log('up'))",
        ]),
      ),
      { reject: false },
    )
    try {
      await pollUntil('the port held', async () => ((await portHeld(cluster)) ? true : undefined), {
        timeoutMs: 10_000,
      })
      const run = await runFanout(cluster, ['--json', '--port', '4466', 'h0:/srv/dump.sql', 'h1:/srv'])
      expect(run.exitCode).toBe(1)
      const target = (JSON.parse(run.stdout) as Summary).targets[0]
      expect(target?.error).toEqual({
        code: 'PORT_IN_USE',
        message: expect.stringContaining('port 4466 is already in use'),
      })
      expect((await cluster.exec('h1', ['ls', '-A', '/srv'])).stdout).toBe('')
    } finally {
      holder.kill()
      await holder
    }
    await expectHostsClean()
  })

  test('two transfers at once to the same target: different payloads both land; the same one lands once', async () => {
    await clean()
    const [dump, random] = await Promise.all([
      runFanout(cluster, ['h0:/srv/dump.sql', 'h1:/srv']),
      runFanout(cluster, ['h0:/srv/random.bin', 'h1:/srv']),
    ])
    expect(dump.exitCode, dump.stderr).toBe(0)
    expect(random.exitCode, random.stderr).toBe(0)
    expect(await sha256(cluster, 'h1', '/srv/dump.sql')).toBe(dumpSum)
    expect(await sha256(cluster, 'h1', '/srv/random.bin')).toBe(
      await sha256(cluster, 'h0', '/srv/random.bin'),
    )

    await clean()
    const twice = await Promise.all([
      runFanout(cluster, ['--json', 'h0:/srv/dump.sql', 'h1:/srv']),
      runFanout(cluster, ['--json', 'h0:/srv/dump.sql', 'h1:/srv']),
    ])
    expect(twice.map((r) => r.exitCode).sort()).toEqual([0, expect.any(Number)])
    const loser = twice.find((r) => r.exitCode !== 0)
    expect(loser?.stdout + (loser?.stderr ?? '')).toMatch(/already exists|appeared during the transfer/)
    expect(await sha256(cluster, 'h1', '/srv/dump.sql')).toBe(dumpSum)
    await expectHostsClean()
  })

  test('--transport stream with two targets copies them one after the other', async () => {
    await clean()
    const run = await runFanout(cluster, [
      '--json',
      '--transport',
      'stream',
      'h0:/srv/dump.sql',
      'h1:/srv',
      'h2:/srv',
    ])
    expect(run.exitCode, run.stderr).toBe(0)
    const summary = JSON.parse(run.stdout) as Summary
    expect(summary.transport).toBe('stream')
    const [first, second] = summary.targets
    expect(second?.seconds).toBeGreaterThan(first?.seconds ?? Number.POSITIVE_INFINITY)
    for (const host of ['h1', 'h2']) expect(await sha256(cluster, host, '/srv/dump.sql')).toBe(dumpSum)
    await expectHostsClean()
  })

  test('--checksum catches a copy damaged on the target after it was written: exit 3, nothing lands', async () => {
    await clean()
    const env = { FANOUT_TEST_CORRUPT_STAGED: '1' }
    const caught = await startFanout(cluster, ['--json', 'h0:/srv/random.bin', 'h1:/srv'], { env })
    expect(caught.exitCode, caught.stderr).toBe(3)
    const target = (JSON.parse(caught.stdout) as Summary).targets[0]
    expect(target?.error?.code).toBe('VERIFY_FAILED')
    expect(target?.error?.message).toMatch(
      /checksum mismatch: .*random\.bin differs from the source at bytes 0-/,
    )
    expect((await cluster.exec('h1', ['ls', '-A', '/srv'])).stdout).toBe('')
    await expectHostsClean()
    // The hook does damage the copy: without the check, the damaged copy lands.
    const unchecked = await startFanout(cluster, ['--no-checksum', 'h0:/srv/random.bin', 'h1:/srv'], { env })
    expect(unchecked.exitCode, unchecked.stderr).toBe(0)
    expect(await sha256(cluster, 'h1', '/srv/random.bin')).not.toBe(
      await sha256(cluster, 'h0', '/srv/random.bin'),
    )
  })

  test('the swarm re-reads its copies too: a damaged one fails with exit 3 and does not land', async () => {
    await clean()
    const env = { FANOUT_TEST_CORRUPT_STAGED: '1' }
    const args = ['--json', '--transport', 'swarm', 'h0:/srv/dump.sql', 'h1:/srv', 'h2:/srv']
    const caught = await startFanout(cluster, args, { env })
    expect(caught.exitCode, caught.stderr).toBe(3)
    const summary = JSON.parse(caught.stdout) as Summary
    for (const target of summary.targets) {
      expect(target.error?.code).toBe('VERIFY_FAILED')
      expect(target.error?.message).toMatch(
        /checksum mismatch: .*dump\.sql differs from the source at bytes 0-/,
      )
    }
    for (const host of ['h1', 'h2']) {
      expect((await cluster.exec(host, ['test', '-e', '/srv/dump.sql'])).exitCode, host).not.toBe(0)
    }
    // The staging copies stay for a resume, which re-checks every piece and fetches the bad one again.
    const resumed = await runFanout(cluster, args)
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    for (const target of (JSON.parse(resumed.stdout) as Summary).targets) {
      expect(target.readBackSeconds).toBeGreaterThanOrEqual(0)
    }
    for (const host of ['h1', 'h2']) expect(await sha256(cluster, host, '/srv/dump.sql')).toBe(dumpSum)
    await expectHostsClean()
  })

  test('SIGINT mid-stream: exit 130, no partial copy anywhere, every host clean', async () => {
    await clean()
    const child = startFanout(cluster, ['--json', 'h0:/srv/random.bin', 'h2:/srv'])
    await waitForStagedBytes(cluster, 'h2', 1 << 20)
    child.kill('SIGINT')
    const result = await child
    expect(result.exitCode, result.stderr).toBe(130)
    expect((JSON.parse(result.stdout) as Summary).outcome).toBe('aborted')
    expect((await cluster.exec('h2', ['ls', '-A', '/srv'])).stdout).toBe('')
    await expectHostsClean()
  })
})

async function sha256(cluster: Cluster, host: string, path: string): Promise<string> {
  const result = await cluster.exec(host, ['sha256sum', path])
  expect(result.exitCode, result.stderr).toBe(0)
  return result.stdout.split(' ')[0] ?? ''
}

async function portHeld(cluster: Cluster): Promise<boolean> {
  const listening = await cluster.exec('h1', ['ss', '-Htln', 'sport = :4466'])
  return listening.stdout.trim() !== ''
}

function splitArgv(argv: string[]): [string, string[]] {
  const [file = '', ...rest] = argv
  return [file, rest]
}
