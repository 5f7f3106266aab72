import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { beforeAll, describe, expect, test } from 'vitest'
import { fanout, requireBuiltCli } from '../helpers/local-cli.js'
import { buildTree, describeTree, tmpDir } from '../helpers/tmp-tree.js'

/** A small tree to copy, two empty target directories, and TMPDIR for the local agent. */
async function workspace(): Promise<{ dir: string; t1: string; t2: string; tmp: string }> {
  const dir = await tmpDir()
  await buildTree(join(dir, 'payload'), [
    { kind: 'file', path: 'a.txt', content: 'alpha\n' },
    { kind: 'file', path: 'sub/b.bin', content: Buffer.alloc(300_000, 7) },
  ])
  const [t1, t2, tmp] = [join(dir, 't1'), join(dir, 't2'), join(dir, 'tmp')]
  for (const path of [t1, t2, tmp]) await mkdir(path)
  return { dir, t1, t2, tmp }
}

/** Both copies equal the source, and nothing else (no staging directory) is in the targets. */
async function expectCopies(dir: string, targets: readonly string[]): Promise<void> {
  for (const target of targets) {
    expect(await readdir(target)).toEqual(['payload'])
    const diff = await execa('diff', ['-r', join(dir, 'payload'), join(target, 'payload')], { reject: false })
    expect(diff.stdout).toBe('')
    expect(diff.exitCode).toBe(0)
  }
}

beforeAll(requireBuiltCli)

describe('fanout --targets FILE', () => {
  test('copies into every target the file lists; FILE and SOURCE relative to the working directory', async () => {
    const { dir, t1, t2, tmp } = await workspace()
    await writeFile(join(dir, 'targets.txt'), `# release targets\n\n${t1}\n  ${t2}   # the second\n`)

    const result = await fanout(['--json', 'payload', '--targets', 'targets.txt'], { cwd: dir, tmp })
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const summary = JSON.parse(result.stdout) as { outcome: string; targets: { target: string }[] }
    expect(summary.outcome).toBe('ok')
    expect(summary.targets.map((t) => t.target)).toEqual([t1, t2])
    await expectCopies(dir, [t1, t2])
  })

  test('the same file with a site column is the --topology too; targets on the command line come first', async () => {
    const { dir, t1, t2, tmp } = await workspace()
    // Every endpoint here is local, so every line must name the same site ("localhost").
    await writeFile(join(dir, 'fleet.txt'), `localhost here  # the source's site\n${t2} here\n`)

    const args = ['--json', 'payload', t1, '--targets', 'fleet.txt', '--topology', 'fleet.txt']
    const result = await fanout(args, { cwd: dir, tmp })
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const summary = JSON.parse(result.stdout) as { outcome: string; sites: unknown }
    expect(summary.outcome).toBe('ok')
    expect(summary.sites).toEqual({
      from: 'topology',
      file: 'fleet.txt',
      groups: [{ label: 'here', source: true, targets: [t1, t2] }],
    })
    await expectCopies(dir, [t1, t2])
  })

  test.each<[string, (t1: string, t2: string) => string, string[], RegExp]>([
    [
      'a malformed line',
      (t1, t2) => `${t1}\n\n${t2} here\ndb7 /srv x y\n`,
      [],
      /^fanout: targets\.txt:4: expected "\[user@\]host:\/dir \[SITE\]", found "db7 \/srv x y"$/,
    ],
    [
      'a relative remote path',
      (t1) => `${t1}\nweb1:srv\n`,
      [],
      /^fanout: targets\.txt:2: remote paths must be absolute: "web1:srv"$/,
    ],
    [
      'a target also on the command line',
      (t1, t2) => `${t2}\n${t1}/\n`,
      ['t1'],
      /^fanout: targets\.txt:2: target \S+\/t1\/ is also on the command line$/,
    ],
    [
      'a file with site lines only',
      () => 'localhost here\n',
      [],
      /^fanout: targets\.txt: no targets in the file/,
    ],
  ])(
    '%s exits 2 before anything is written, naming the file and line',
    async (_why, text, extra, message) => {
      const { dir, t1, t2, tmp } = await workspace()
      await writeFile(join(dir, 'targets.txt'), text(t1, t2))
      const before = await describeTree(dir)

      const result = await fanout(['payload', ...extra, '--targets', 'targets.txt'], { cwd: dir, tmp })
      expect(result.exitCode).toBe(2)
      expect(result.stderr).toMatch(message)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stdout).toBe('')
      expect(await describeTree(dir)).toEqual(before)
    },
  )

  test('a file that cannot be read exits 2; --print-config does not read it', async () => {
    const { dir, tmp } = await workspace()
    const result = await fanout(['payload', '--targets', 'nosuch.txt'], { cwd: dir, tmp })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe('fanout: cannot read the targets file nosuch.txt (ENOENT)')

    const printed = await fanout(['--print-config', '--targets', 'nosuch.txt'], { cwd: dir, tmp })
    expect(printed.stderr).toBe('')
    expect(printed.exitCode).toBe(0)
  })

  test('SOURCE is still needed', async () => {
    const result = await fanout(['--targets', 'targets.txt'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/^fanout: missing SOURCE \(run fanout --help for usage\)$/)
  })
})
