import { existsSync, statSync } from 'node:fs'
import { readFile, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { digestFiles } from '../../../seeder/package/digest-files.js'
import { scanTree } from '../../../seeder/package/scan-tree.js'
import { fillFromBase } from '../../../seeder/place/fill-from-base.js'
import { buildTree, tmpDir } from '../../helpers/tmp-tree.js'

const bytes = (seed: number, length: number) => Buffer.alloc(length, seed)

/** The new release's manifest as the source sends it with --base: every file has its digest. */
async function manifestOf(root: string) {
  const { manifest, files } = await scanTree(root)
  await digestFiles(manifest, files, new AbortController().signal)
  return manifest
}

describe('fillFromBase', () => {
  test('copies every file whose content the base holds, under any name, and nothing else', async () => {
    const dir = await tmpDir()
    const base = join(dir, 'release-1')
    const next = join(dir, 'release-2')
    await buildTree(base, [
      { kind: 'dir', path: 'lib' },
      { kind: 'file', path: 'lib/same', content: bytes(1, 5000) },
      { kind: 'file', path: 'lib/changed', content: bytes(2, 5000) },
      { kind: 'file', path: 'old-name', content: bytes(3, 7000) },
      { kind: 'file', path: 'removed', content: bytes(4, 100) },
    ])
    await buildTree(next, [
      { kind: 'dir', path: 'lib' },
      { kind: 'file', path: 'lib/same', content: bytes(1, 5000) },
      // Same size, other bytes: its namesake in the base must not be taken.
      { kind: 'file', path: 'lib/changed', content: bytes(9, 5000) },
      { kind: 'file', path: 'moved/new-name', content: bytes(3, 7000) },
      { kind: 'file', path: 'added', content: bytes(5, 300) },
    ])
    const staging = join(dir, 'staging', 'release-2')

    const taken = await fillFromBase(await manifestOf(next), base, staging)

    expect(taken).toEqual({ found: true, files: 2, bytes: 12_000 })
    expect(await readFile(join(staging, 'lib/same'))).toEqual(bytes(1, 5000))
    expect(await readFile(join(staging, 'moved/new-name'))).toEqual(bytes(3, 7000))
    expect(existsSync(join(staging, 'lib/changed'))).toBe(false)
    expect(existsSync(join(staging, 'added'))).toBe(false)
    expect(await readFile(join(base, 'lib/changed'))).toEqual(bytes(2, 5000))
  })

  test('a base that is not there takes nothing and says so', async () => {
    const dir = await tmpDir()
    await buildTree(join(dir, 'next'), [{ kind: 'file', path: 'a', content: 'x' }])
    const taken = await fillFromBase(await manifestOf(join(dir, 'next')), join(dir, 'nope'), join(dir, 's'))
    expect(taken).toEqual({ found: false, files: 0, bytes: 0 })
    expect(existsSync(join(dir, 's'))).toBe(false)
  })

  test('symlinks inside the base are not followed: content elsewhere on the host is never taken', async () => {
    const dir = await tmpDir()
    await buildTree(join(dir, 'outside'), [{ kind: 'file', path: 'secret', content: bytes(7, 64) }])
    await buildTree(join(dir, 'base'), [])
    await symlink(join(dir, 'outside', 'secret'), join(dir, 'base', 'secret'))
    await buildTree(join(dir, 'next'), [{ kind: 'file', path: 'secret', content: bytes(7, 64) }])
    const taken = await fillFromBase(await manifestOf(join(dir, 'next')), join(dir, 'base'), join(dir, 's'))
    expect(taken).toEqual({ found: true, files: 0, bytes: 0 })
  })

  test('a file already in staging (a resumed copy) is left as it is', async () => {
    const dir = await tmpDir()
    await buildTree(join(dir, 'base'), [{ kind: 'file', path: 'a', content: bytes(1, 10) }])
    await buildTree(join(dir, 'next'), [{ kind: 'file', path: 'a', content: bytes(1, 10) }])
    await buildTree(join(dir, 's'), [{ kind: 'file', path: 'a', content: bytes(0, 10) }])
    const taken = await fillFromBase(await manifestOf(join(dir, 'next')), join(dir, 'base'), join(dir, 's'))
    expect(taken.files).toBe(0)
    expect(await readFile(join(dir, 's', 'a'))).toEqual(bytes(0, 10))
  })

  test('reading the base leaves its access times alone', async () => {
    const dir = await tmpDir()
    await buildTree(join(dir, 'base'), [{ kind: 'file', path: 'a', content: bytes(1, 4096), mtimeMs: 1e12 }])
    const before = statSync(join(dir, 'base', 'a')).atimeMs
    await buildTree(join(dir, 'next'), [{ kind: 'file', path: 'a', content: bytes(1, 4096) }])
    await fillFromBase(await manifestOf(join(dir, 'next')), join(dir, 'base'), join(dir, 's'))
    expect(statSync(join(dir, 'base', 'a')).atimeMs).toBe(before)
  })
})
