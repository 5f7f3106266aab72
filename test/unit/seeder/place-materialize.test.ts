import { readFileSync } from 'node:fs'
import { chmod, copyFile, link, lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, expect, type TestContext, test } from 'vitest'
import { scanTree } from '../../../seeder/package/scan-tree.js'
import { shareHardLinks } from '../../../seeder/package/share-hard-links.js'
import { materialize } from '../../../seeder/place/materialize.js'
import { placeIntoTarget } from '../../../seeder/place/place-into-target.js'
import { FanoutError } from '../../../shared/errors.js'
import { entriesOf, ManifestView } from '../../../shared/manifest-table.js'
import type { Manifest, ManifestEntry } from '../../../shared/messages.js'
import {
  buildTree,
  describeTree,
  type NodeFacts,
  type TreeEntry,
  tmpDir,
  withoutTimes,
} from '../../helpers/tmp-tree.js'

const T = 1_600_000_000_000
const isRoot = process.getuid?.() === 0

/**
 * What the swarm leaves in staging: only the non-empty regular files, in directories the store made
 * 0700 and files it made 0600, with arbitrary times. Everything else is materialize's job.
 */
async function deliverBytes(sourceRoot: string, payloadRoot: string): Promise<Manifest> {
  const { manifest, files } = await scanTree(sourceRoot)
  for (const file of files) {
    const dest = file.path === '' ? payloadRoot : join(payloadRoot, file.path)
    await mkdir(dirname(dest), { recursive: true, mode: 0o700 })
    await copyFile(file.absPath, dest)
    await chmod(dest, 0o600)
  }
  return manifest
}

function expectSameTimes(copy: readonly NodeFacts[], source: readonly NodeFacts[]): void {
  expect(copy.map((f) => f.path)).toEqual(source.map((f) => f.path))
  copy.forEach((facts, i) => {
    const want = source[i] as NodeFacts
    expect(Math.abs(facts.mtimeMs - want.mtimeMs), `mtime of ${JSON.stringify(facts.path)}`).toBeLessThan(1)
  })
}

const richTree: TreeEntry[] = [
  { kind: 'dir', path: 'private', mode: 0o700, mtimeMs: T + 1.25 },
  { kind: 'file', path: 'private/key', content: 'k'.repeat(100), mode: 0o400, mtimeMs: T + 2.5 },
  { kind: 'file', path: 'secret', content: 'only me', mode: 0o600, mtimeMs: T + 3.123 },
  { kind: 'file', path: 'setuid', content: '#!/bin/sh\n', mode: 0o4755, mtimeMs: T + 4 },
  { kind: 'file', path: 'setgid', content: 'g', mode: 0o2750, mtimeMs: T + 4.5 },
  { kind: 'dir', path: 'sticky', mode: 0o1777, mtimeMs: T + 5 },
  { kind: 'file', path: 'empty', mode: 0o644, mtimeMs: T + 6.9 },
  { kind: 'file', path: 'sticky/empty-too', mode: 0o000, mtimeMs: T + 7 },
  { kind: 'dir', path: 'emptydir', mode: 0o750, mtimeMs: T + 8 },
  { kind: 'dir', path: 'a/b/c', mode: 0o711, mtimeMs: T + 9 },
  { kind: 'file', path: 'a/b/c/deep.txt', content: 'deep', mode: 0o664, mtimeMs: T + 10 },
  { kind: 'dir', path: 'a/b', mode: 0o555, mtimeMs: T + 11 },
  { kind: 'dir', path: 'a', mode: 0o755, mtimeMs: T + 12 },
  { kind: 'symlink', path: 'link', target: 'secret', mtimeMs: T + 13.75 },
  { kind: 'symlink', path: 'dirlink', target: 'a/b', mtimeMs: T + 14 },
  { kind: 'symlink', path: 'dangling', target: 'no/such thing', mtimeMs: T + 15 },
  { kind: 'file', path: 'big', content: Buffer.alloc(300_000, 7), mode: 0o644, mtimeMs: T + 16 },
]

describe('materialize', () => {
  test('a file with several names travels once and lands as hard links, with the right times', async () => {
    const dir = await tmpDir()
    const source = join(dir, 'source')
    await buildTree(source, [
      { kind: 'file', path: 'a/data', content: 'shared bytes', mode: 0o640, mtimeMs: T + 1 },
      { kind: 'file', path: 'other', content: 'alone', mode: 0o644, mtimeMs: T + 2 },
      { kind: 'dir', path: 'z' },
    ])
    await link(join(source, 'a/data'), join(source, 'z/also'))
    await link(join(source, 'a/data'), join(source, 'b-too'))
    const tree = shareHardLinks(await scanTree(source))
    // Only the first name's bytes go into the torrent; the others are links in the manifest.
    expect([...tree.files].map((f) => f.path)).toEqual(['a/data', 'other'])
    expect(tree.manifest.totalBytes).toBe('shared bytes'.length + 'alone'.length)
    const linked = [...new ManifestView(tree.manifest.entries)].filter((e) => e.linkTo !== undefined)
    expect(linked.map((e) => [e.path, e.linkTo])).toEqual([
      ['b-too', 'a/data'],
      ['z/also', 'a/data'],
    ])

    const payloadRoot = join(dir, 'staging', 'source')
    for (const file of tree.files) {
      await mkdir(dirname(join(payloadRoot, file.path)), { recursive: true, mode: 0o700 })
      await copyFile(file.absPath, join(payloadRoot, file.path))
    }
    await materialize(tree.manifest, payloadRoot)
    const [first, second, third] = await Promise.all(
      ['a/data', 'z/also', 'b-too'].map((p) => lstat(join(payloadRoot, p))),
    )
    expect(second?.ino).toBe(first?.ino)
    expect(third?.ino).toBe(first?.ino)
    expect(first?.nlink).toBe(3)
    expect(first?.mode && first.mode & 0o777).toBe(0o640)
    expect(Math.abs((first?.mtimeMs ?? 0) - (T + 1))).toBeLessThan(1)
    // A resumed staging copy that already holds the links is linked again, not refused.
    await materialize(tree.manifest, payloadRoot)
    expect((await lstat(join(payloadRoot, 'z/also'))).ino).toBe(first?.ino)
  })

  test('a tree with no file of several names is left as the scan made it', async () => {
    const dir = await tmpDir()
    await buildTree(dir, [{ kind: 'file', path: 'x', content: 'x' }])
    const tree = await scanTree(dir)
    expect(shareHardLinks(tree)).toBe(tree)
  })

  test('rebuilds modes, times, symlinks, empty files and directories exactly', async () => {
    const dir = await tmpDir()
    const source = join(dir, 'source')
    const outside = join(dir, 'outside-victim')
    await buildTree(dir, [
      { kind: 'file', path: 'outside-victim', content: 'x', mode: 0o644, mtimeMs: T - 1000 },
    ])
    await buildTree(source, [
      ...richTree,
      { kind: 'symlink', path: 'abs-link', target: outside, mtimeMs: T + 17 },
    ])
    await buildTree(dir, [{ kind: 'dir', path: 'source', mode: 0o751, mtimeMs: T + 99.5 }])
    const victimBefore = await describeTree(outside)

    const payloadRoot = join(dir, 'staging', 'source')
    const manifest = await deliverBytes(source, payloadRoot)
    await materialize(manifest, payloadRoot)

    const want = await describeTree(source)
    const got = await describeTree(payloadRoot)
    expect(withoutTimes(got)).toEqual(withoutTimes(want))
    expectSameTimes(got, want)
    // Links were acted on themselves (lutimes, lchown), never on what they point to.
    expect(await describeTree(outside)).toEqual(victimBefore)
  })

  test('running it again over a finished copy (a resume) gives the same result', async () => {
    const dir = await tmpDir()
    const source = join(dir, 'source')
    await buildTree(source, richTree)
    const payloadRoot = join(dir, 'staging', 'source')
    const manifest = await deliverBytes(source, payloadRoot)
    await materialize(manifest, payloadRoot)
    await materialize(manifest, payloadRoot)
    const want = await describeTree(source)
    const got = await describeTree(payloadRoot)
    expect(withoutTimes(got)).toEqual(withoutTimes(want))
    expectSameTimes(got, want)
  })

  test.each<[string, TreeEntry]>([
    ['a single file', { kind: 'file', path: 'f.bin', content: 'payload', mode: 0o640, mtimeMs: T + 0.5 }],
    ['a single empty file', { kind: 'file', path: 'f.bin', mode: 0o600, mtimeMs: T + 0.25 }],
    ['a single 0600 file', { kind: 'file', path: 'f.bin', content: 'x', mode: 0o600, mtimeMs: T }],
  ])('%s as the root', async (_why, entry) => {
    const dir = await tmpDir()
    await buildTree(join(dir, 'src'), [entry])
    const source = join(dir, 'src', 'f.bin')
    const payloadRoot = join(dir, 'staging', 'f.bin')
    await mkdir(join(dir, 'staging'))
    const manifest = await deliverBytes(source, payloadRoot)
    expect(manifest.rootKind).toBe('file')
    await materialize(manifest, payloadRoot)
    const want = await describeTree(source)
    const got = await describeTree(payloadRoot)
    expect(withoutTimes(got)).toEqual(withoutTimes(want))
    expectSameTimes(got, want)
  })

  test.each<[string, (payloadRoot: string) => Promise<void>, RegExp]>([
    [
      'a file one byte short',
      (root) => writeFile(join(root, 'a/b/c/deep.txt'), 'dee'),
      /deep\.txt has 3 bytes, expected 4/,
    ],
    [
      'a file one byte long',
      (root) => writeFile(join(root, 'secret'), 'only me!'),
      /secret has 8 bytes, expected 7/,
    ],
    ['a file emptied', (root) => writeFile(join(root, 'big'), ''), /big has 0 bytes, expected 300000/],
    [
      'a missing file',
      (root) => writeFile(join(root, 'secret'), '').then(() => rmFile(join(root, 'secret'))),
      /missing after transfer: .*secret/,
    ],
    [
      'a directory where a file should be',
      (root) => rmFile(join(root, 'secret')).then(() => mkdir(join(root, 'secret'))),
      /missing after transfer/,
    ],
  ])('%s fails with VERIFY_FAILED', async (_why, damage, message) => {
    const dir = await tmpDir()
    const source = join(dir, 'source')
    await buildTree(source, richTree)
    const payloadRoot = join(dir, 'staging', 'source')
    const manifest = await deliverBytes(source, payloadRoot)
    await damage(payloadRoot)
    const error = await materialize(manifest, payloadRoot).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(FanoutError)
    expect(error).toMatchObject({ code: 'VERIFY_FAILED' })
    expect((error as Error).message).toMatch(message)
  })

  test.each<[string, number]>([
    ['..', 0],
    ['../escape', 0],
    ['a/../../escape', 0],
    ['/abs', 0],
    ['', 0],
    ['x\0', 0],
    ['x', 1],
    ['x', -1],
  ])('a manifest name %j in entry %i that leaves the payload is refused', async (name, parent) => {
    const dir = await tmpDir()
    const payloadRoot = join(dir, 'staging', 'p')
    await mkdir(payloadRoot, { recursive: true })
    const entries = entriesOf([entry('', 'dir'), entry('x', 'file')])
    entries.name[1] = name
    entries.parent[1] = parent
    const manifest: Manifest = { name: 'p', rootKind: 'dir', entries, totalBytes: 0, skipped: [] }
    await expect(materialize(manifest, payloadRoot)).rejects.toThrow(
      /unsafe path in manifest|malformed manifest/,
    )
    expect((await describeTree(dir)).map((f) => f.path)).toEqual(['', 'staging', 'staging/p'])
  })

  test('restores numeric owners of files, directories and links, and keeps setuid after chown', async (ctx: TestContext) => {
    ctx.skip(!isRoot, 'chown to another uid needs root (CI runs the unit tests as root)')
    const dir = await tmpDir()
    const payloadRoot = join(dir, 'p')
    await buildTree(payloadRoot, [{ kind: 'file', path: 'tool', content: 'bin' }])
    const manifest: Manifest = {
      name: 'p',
      rootKind: 'dir',
      entries: entriesOf([
        { ...entry('', 'dir'), uid: 4242, gid: 4343, mode: 0o755 },
        { ...entry('tool', 'file'), uid: 4242, gid: 4343, mode: 0o4755, size: 3 },
        { ...entry('sub', 'dir'), uid: 1, gid: 2, mode: 0o2770 },
        { ...entry('link', 'symlink'), uid: 5555, gid: 6666, linkTarget: 'tool' },
      ]),
      totalBytes: 3,
      skipped: [],
    }
    await materialize(manifest, payloadRoot)
    const got = await describeTree(payloadRoot)
    expect(got.map((f) => [f.path, f.uid, f.gid, f.kind === 'symlink' ? 'link' : f.mode])).toEqual([
      ['', 4242, 4343, 0o755],
      ['link', 5555, 6666, 'link'],
      ['sub', 1, 2, 0o2770],
      ['tool', 4242, 4343, 0o4755],
    ])
  })
})

describe('placeIntoTarget', () => {
  test('a directory is renamed into place and the staging directory removed', async () => {
    const dir = await tmpDir()
    const staging = join(dir, 'target', '.fanout-0123456789abcdef.partial')
    await buildTree(staging, [
      { kind: 'file', path: 'data/f', content: 'x' },
      { kind: 'dir', path: 'data/empty' },
    ])
    const before = await describeTree(join(staging, 'data'))
    const final = await placeIntoTarget(staging, join(dir, 'target'), 'data')
    expect(final).toBe(join(dir, 'target', 'data'))
    expect(await describeTree(final)).toEqual(before)
    expect((await describeTree(join(dir, 'target'))).map((f) => f.path)).toEqual([
      '',
      'data',
      'data/empty',
      'data/f',
    ])
  })

  test.each([
    ['a directory', 'data', [{ kind: 'file', path: 'data/f', content: 'x' }]],
    ['a single file', 'dump.sql', [{ kind: 'file', path: 'dump.sql', content: 'rows' }]],
  ] as [string, string, TreeEntry[]][])(
    '%s: whoever serves it is told once it opens under its final name',
    async (_, name, tree) => {
      const dir = await tmpDir()
      const target = join(dir, 'target')
      const staging = join(target, '.fanout-x.partial')
      await buildTree(staging, tree)
      const opens: string[] = []
      await placeIntoTarget(staging, target, name, (root) => {
        opens.push(root, readFileSync(join(root, tree[0]?.path ?? ''), 'utf8'))
      })
      expect(opens).toEqual([target, tree[0]?.kind === 'file' ? tree[0].content : ''])
    },
  )

  test('a single file is hard-linked into place (same inode), then unlinked from staging', async () => {
    const dir = await tmpDir()
    const staging = join(dir, 'target', '.fanout-x.partial')
    await buildTree(staging, [{ kind: 'file', path: 'dump.sql', content: 'rows', mode: 0o600, mtimeMs: T }])
    const staged = await lstat(join(staging, 'dump.sql'))
    const final = await placeIntoTarget(staging, join(dir, 'target'), 'dump.sql')
    const placed = await lstat(final)
    expect(placed.ino).toBe(staged.ino)
    expect(placed.nlink).toBe(1)
    expect(placed.mode & 0o7777).toBe(0o600)
    expect(placed.mtimeMs).toBe(staged.mtimeMs)
    expect(await readFile(final, 'utf8')).toBe('rows')
    expect((await describeTree(join(dir, 'target'))).map((f) => f.path)).toEqual(['', 'dump.sql'])
  })

  test.each<[string, TreeEntry[], TreeEntry[]]>([
    [
      'a directory over a file',
      [{ kind: 'dir', path: 'n/sub' }],
      [{ kind: 'file', path: 'n', content: 'mine' }],
    ],
    [
      'a directory over a non-empty directory',
      [{ kind: 'file', path: 'n/f', content: 'new' }],
      [{ kind: 'file', path: 'n/f', content: 'old' }],
    ],
    [
      'a directory over an empty directory',
      [{ kind: 'file', path: 'n/f', content: 'new' }],
      [{ kind: 'dir', path: 'n' }],
    ],
    [
      'a directory over a dangling symlink',
      [{ kind: 'file', path: 'n/f', content: 'new' }],
      [{ kind: 'symlink', path: 'n', target: 'nowhere' }],
    ],
    [
      'a file over a file',
      [{ kind: 'file', path: 'n', content: 'new' }],
      [{ kind: 'file', path: 'n', content: 'old' }],
    ],
    [
      'a file over an empty directory',
      [{ kind: 'file', path: 'n', content: 'new' }],
      [{ kind: 'dir', path: 'n' }],
    ],
    [
      'a file over a symlink',
      [{ kind: 'file', path: 'n', content: 'new' }],
      [
        { kind: 'file', path: 'other', content: 'o' },
        { kind: 'symlink', path: 'n', target: 'other' },
      ],
    ],
  ])('refuses to put %s, leaving both sides untouched', async (_why, stagedEntries, existing) => {
    const dir = await tmpDir()
    const target = join(dir, 'target')
    const staging = join(target, '.fanout-s.partial')
    await buildTree(staging, stagedEntries)
    await buildTree(target, existing)
    const stagingBefore = await describeTree(staging)
    const targetBefore = (await describeTree(target)).filter((f) => !f.path.startsWith('.fanout-'))
    const error = await placeIntoTarget(staging, target, 'n').catch((err: unknown) => err)
    expect(error).toBeInstanceOf(FanoutError)
    expect(error).toMatchObject({ code: 'DESTINATION_EXISTS' })
    expect((error as Error).message).toContain(join(target, 'n'))
    expect((error as Error).message).toContain(staging)
    expect(await describeTree(staging)).toEqual(stagingBefore)
    expect((await describeTree(target)).filter((f) => !f.path.startsWith('.fanout-'))).toEqual(targetBefore)
  })

  test('a missing staged copy is an error, not a silent success', async () => {
    const dir = await tmpDir()
    await mkdir(join(dir, 's'))
    await expect(placeIntoTarget(join(dir, 's'), dir, 'absent')).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

function entry(path: string, kind: ManifestEntry['kind']): ManifestEntry {
  return { path, kind, mode: 0o644, uid: 0, gid: 0, mtimeMs: T, atimeMs: T, size: 0 }
}

function rmFile(path: string): Promise<void> {
  return rm(path, { recursive: true, force: true })
}
