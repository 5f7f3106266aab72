import { readFileSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { beforeAll, describe, expect, test } from 'vitest'
import { fanout, requireBuiltCli } from '../helpers/local-cli.js'
import {
  buildTree,
  describeTree,
  type NodeFacts,
  type TreeEntry,
  tmpDir,
  withoutTimes,
} from '../helpers/tmp-tree.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CLI = join(ROOT, 'dist/fanout.mjs')
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
const MiB = 2 ** 20
const T = 1_600_000_000_000

/** A few MiB with everything a copy must keep: nesting, modes, links, empty things. */
function payloadTree(): TreeEntry[] {
  const big = Buffer.alloc(3 * MiB + 12_345)
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24
  return [
    { kind: 'file', path: 'big.bin', content: big, mode: 0o644, mtimeMs: T + 1.5 },
    { kind: 'file', path: 'nested/deeper/deepest/leaf.txt', content: 'leaf\n', mode: 0o664, mtimeMs: T + 2 },
    { kind: 'file', path: 'nested/mid.dat', content: Buffer.alloc(700_000, 3), mode: 0o640, mtimeMs: T + 3 },
    { kind: 'file', path: 'secret.key', content: 'private\n', mode: 0o600, mtimeMs: T + 4.25 },
    { kind: 'file', path: 'zero-bytes', mode: 0o644, mtimeMs: T + 5 },
    { kind: 'dir', path: 'empty-dir', mode: 0o750, mtimeMs: T + 6 },
    { kind: 'dir', path: 'nested/private', mode: 0o700, mtimeMs: T + 7 },
    { kind: 'symlink', path: 'link-to-secret', target: 'secret.key', mtimeMs: T + 8 },
    { kind: 'symlink', path: 'nested/dangling', target: '../no/such/file', mtimeMs: T + 9 },
    { kind: 'file', path: 'name with spaces "and" quotes', content: 'q', mode: 0o644, mtimeMs: T + 10 },
    { kind: 'dir', path: 'nested/deeper', mode: 0o755, mtimeMs: T + 11 },
    { kind: 'dir', path: 'nested', mode: 0o755, mtimeMs: T + 12 },
  ]
}

function expectSameTree(copy: readonly NodeFacts[], source: readonly NodeFacts[]): void {
  expect(withoutTimes(copy)).toEqual(withoutTimes(source))
  copy.forEach((facts, i) => {
    const want = source[i] as NodeFacts
    expect(Math.abs(facts.mtimeMs - want.mtimeMs), `mtime of ${JSON.stringify(facts.path)}`).toBeLessThan(1)
  })
}

/**
 * Staging directories in the targets and shipped agents in TMPDIR. The local agent runs the bundle in
 * place today, so the second half guards against a change that ships it locally and forgets it.
 */
async function leftovers(dirs: readonly string[], tmp: string): Promise<string[]> {
  const staging = (await Promise.all(dirs.map((d) => readdir(d))))
    .flat()
    .filter((name) => name.startsWith('.fanout-'))
  const agents = (await readdir(tmp)).filter((name) => name.startsWith('fanout-agent.'))
  return [...staging, ...agents]
}

beforeAll(requireBuiltCli)

describe('fanout CLI', () => {
  test('--help describes the command and exits 0', async () => {
    const result = await fanout(['--help'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/^Usage: fanout \[options\] SOURCE TARGET \[TARGET \.\.\.\]$/m)
    for (const section of ['DESCRIPTION', 'EXAMPLES', 'EXIT STATUS', 'FILES', 'ENVIRONMENT']) {
      expect(result.stdout).toMatch(new RegExp(`^${section}$`, 'm'))
    }
    expect(result.stdout).toContain('--json')
    expect(result.stdout).toMatch(/^\s+255\s+a check failed before any data moved/m)
    expect(result.stderr).toBe('')
  })

  test("package.json's bin runs as a program after every build (npx fanout runs it directly)", async () => {
    const { bin } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: { fanout: string }
    }
    expect(join(ROOT, bin.fanout)).toBe(CLI)
    const result = await execa(CLI, ['--version'], { reject: false, stdin: 'ignore' })
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe(version)
  })

  test.each([['--version'], ['-V']])('%s prints the package version', async (flag) => {
    const result = await fanout([flag])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(version)
  })

  test.each<[string, string[], RegExp]>([
    ['no arguments', [], /^fanout: missing SOURCE and TARGET \(run fanout --help for usage\)$/],
    ['a source but no target', ['/tmp'], /^fanout: missing TARGET \(run fanout --help for usage\)$/],
    ['an unknown option', ['--frobnicate', '/a', '/b'], /^error: unknown option '--frobnicate'$/m],
    [
      'a bad --type',
      ['--type', 'foo', '/a', '/b'],
      /^error: option '--type <type>' argument 'foo' is invalid\. Allowed choices are file, xtrabackup, decompress\.$/m,
    ],
    [
      'a bad --stall-timeout',
      ['--stall-timeout', 'soon', '/a', '/b'],
      /^fanout: --stall-timeout soon: not a positive number of seconds$/,
    ],
    ['a duplicate target', ['/a', '/t', '/t/'], /^fanout: target \/t\/ is named twice$/],
    ['a target inside the source', ['/srv/data', '/srv/data/sub'], /is inside the source/],
    ['a relative remote path', ['/a', 'host:relative'], /remote paths must be absolute/],
  ])('%s exits 2 with a short error on stderr', async (_why, args, message) => {
    const dir = await tmpDir()
    const result = await fanout(args, { tmp: dir })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2)
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(result.stdout).toBe('')
  })

  test('copies a tree to two local targets: identical copies, JSON summary, nothing left behind', async () => {
    const dir = await tmpDir()
    const source = join(dir, 'payload')
    const targets = [join(dir, 't1'), join(dir, 'deep', 't2')]
    const tmp = join(dir, 'tmp')
    await buildTree(source, payloadTree())
    await buildTree(dir, [{ kind: 'dir', path: 'payload', mode: 0o755, mtimeMs: T + 100 }])
    for (const path of [...targets, tmp]) await mkdir(path, { recursive: true })

    const result = await fanout(['--json', source, ...targets], { tmp })
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const summary = JSON.parse(result.stdout) as {
      outcome: string
      bytes: number
      targets: { target: string; status: string; path: string; bytes: number }[]
      problems: unknown[]
      leftovers: unknown[]
      usage: { role: string; served?: { bytes: number; repeatedBytes: number } }[]
    }
    expect(summary.outcome).toBe('ok')
    expect(summary.bytes).toBe(3 * MiB + 12_345 + 5 + 700_000 + 8 + 1)
    // Every byte left the source at least once; whatever went twice is counted as repeated.
    const served = summary.usage.find((u) => u.role === 'source')?.served
    expect(served).toBeDefined()
    expect((served?.bytes ?? 0) - (served?.repeatedBytes ?? 0)).toBe(summary.bytes)
    expect(summary.problems).toEqual([])
    expect(summary.leftovers).toEqual([])
    expect(summary.targets).toEqual(
      targets.map((target) =>
        expect.objectContaining({
          target,
          status: 'ok',
          path: join(target, 'payload'),
          bytes: summary.bytes,
        }),
      ),
    )

    const want = await describeTree(source)
    for (const target of targets) {
      const copy = join(target, 'payload')
      const diff = await execa('diff', ['-r', '--no-dereference', source, copy], { reject: false })
      expect(diff.stdout).toBe('')
      expect(diff.exitCode).toBe(0)
      expectSameTree(await describeTree(copy), want)
    }
    expect(await leftovers(targets, tmp)).toEqual([])
  })

  test('copies a single file; the human summary goes to stdout', async () => {
    const dir = await tmpDir()
    const targets = [join(dir, 'a'), join(dir, 'b')]
    const tmp = join(dir, 'tmp')
    await buildTree(join(dir, 'src'), [
      { kind: 'file', path: 'dump.sql', content: Buffer.alloc(MiB + 1, 65), mode: 0o600, mtimeMs: T + 0.5 },
    ])
    for (const path of [...targets, tmp]) await mkdir(path)

    // A relative source resolves against the working directory, as with cp.
    const result = await fanout(['--no-progress', 'src/dump.sql', ...targets], { cwd: dir, tmp })
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ok +${escapeRegExp(join(targets[0] as string, 'dump.sql'))}  1\\.0 MiB in \\d+:\\d\\d, read back in \\d+\\.\\d s$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^ok +${escapeRegExp(join(targets[1] as string, 'dump.sql'))}  1\\.0 MiB in `),
      ),
      expect.stringMatching(/^2\/2 targets hold a verified copy of src\/dump\.sql \(1\.0 MiB, \d+:\d\d\)$/),
    ])
    const want = await describeTree(join(dir, 'src', 'dump.sql'))
    for (const target of targets) expectSameTree(await describeTree(join(target, 'dump.sql')), want)
    expect(await leftovers(targets, tmp)).toEqual([])
  })

  test('an existing destination fails the checks (255), names the target and changes nothing', async () => {
    const dir = await tmpDir()
    const source = join(dir, 'payload')
    const clash = join(dir, 'clash')
    const clean = join(dir, 'clean')
    const tmp = join(dir, 'tmp')
    await buildTree(source, [{ kind: 'file', path: 'f', content: 'new data' }])
    await buildTree(clash, [
      { kind: 'file', path: 'payload/f', content: 'precious', mode: 0o600, mtimeMs: T },
      { kind: 'dir', path: 'payload', mode: 0o700, mtimeMs: T + 1 },
    ])
    await buildTree(dir, [{ kind: 'dir', path: 'clash', mode: 0o755, mtimeMs: T + 2 }])
    await buildTree(clean, [])
    await buildTree(dir, [{ kind: 'dir', path: 'clean', mode: 0o755, mtimeMs: T + 3 }])
    await mkdir(tmp)
    const before = [await describeTree(clash), await describeTree(clean)]

    const result = await fanout(['--no-progress', source, clean, clash], { tmp })
    expect(result.exitCode).toBe(255)
    expect(result.stderr).toContain(`fanout: ${clash}: payload already exists in the target directory`)
    expect(result.stderr).not.toContain(`fanout: ${clean}:`)
    expect(result.stdout).toBe('')
    expect([await describeTree(clash), await describeTree(clean)]).toEqual(before)
    expect(await leftovers([clash, clean], tmp)).toEqual([])
  })

  // A remote endpoint loads the SSH executor, ssh2 included, from the bundle's own chunk: a bundle
  // that cannot load ssh2 fails here with an internal error, without needing root or an sshd.
  test('a remote target without any SSH key fails its check (255) in one line', async () => {
    const dir = await tmpDir()
    await writeFile(join(dir, 'ssh_config'), '')
    const result = await execa(
      process.execPath,
      [
        CLI,
        '--ssh-config',
        join(dir, 'ssh_config'),
        '--connect-timeout',
        '2',
        dir,
        'nosuchhost.invalid:/srv',
      ],
      // No agent and an empty home: no key to try, whoever runs the test.
      { reject: false, timeout: 20_000, extendEnv: false, env: { PATH: process.env.PATH ?? '', HOME: dir } },
    )
    expect(result.stderr).toMatch(/^fanout: nosuchhost\.invalid:\/srv: .*no usable SSH key/)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.exitCode).toBe(255)
  })

  test.each<[string, (dir: string) => [string, string[]], RegExp]>([
    [
      'a missing source',
      (dir) => [join(dir, 'nope'), [join(dir, 't')]],
      /^fanout: \S+\/nope: source does not exist$/m,
    ],
    [
      'a missing target directory',
      (dir) => [join(dir, 'payload'), [join(dir, 't'), join(dir, 'missing')]],
      /^fanout: \S+\/missing: target directory does not exist$/m,
    ],
    [
      'a target that is a file',
      (dir) => [join(dir, 'payload'), [join(dir, 't'), join(dir, 'plain-file')]],
      /^fanout: \S+\/plain-file: target is a regular file, not a directory$/m,
    ],
  ])('%s fails the checks with 255', async (_why, args, message) => {
    const dir = await tmpDir()
    const tmp = join(dir, 'tmp')
    await buildTree(dir, [
      { kind: 'file', path: 'payload/f', content: 'x' },
      { kind: 'file', path: 'plain-file', content: 'y' },
      { kind: 'dir', path: 't' },
      { kind: 'dir', path: 'tmp' },
    ])
    const [source, targets] = args(dir)
    // Everything but TMPDIR, where the local agent may come and go.
    const everything = async () => (await describeTree(dir)).filter((f) => !f.path.startsWith('tmp'))
    const before = await everything()
    const result = await fanout(['--no-progress', source, ...targets], { tmp })
    expect(result.exitCode).toBe(255)
    expect(result.stderr).toMatch(message)
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(await everything()).toEqual(before)
    expect(await leftovers([join(dir, 't')], tmp)).toEqual([])
  })
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
