import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Readable } from 'node:stream'
import { execa } from 'execa'
import { expect, test } from 'vitest'
import { landUnpacked, unpackDirIn } from '../../../seeder/place/land-unpacked.js'
import { unpackArchive, unpackStaged } from '../../../seeder/place/unpack-archive.js'
import { tmpDir } from '../../helpers/tmp-tree.js'

const STAGING = '.fanout-0123456789abcdef.partial'

/** A target directory with a staging directory holding `archive`, as a swarm target has it once complete. */
async function stagedArchive(make: (srcDir: string, archive: string) => Promise<void>, name = 'snap.tar.gz') {
  const dir = await tmpDir()
  const target = join(dir, 'target')
  const staging = join(target, STAGING)
  await mkdir(staging, { recursive: true })
  const archive = join(staging, name)
  await mkdir(join(dir, 'src'))
  await make(join(dir, 'src'), archive)
  return { target, staging, archive, unpackDir: unpackDirIn(staging, name) }
}

async function tarOf(srcDir: string, archive: string, flags: string[], ...members: string[]) {
  await execa('tar', ['-c', ...flags, '-f', archive, '-C', srcDir, ...members])
}

test('a tarball of one directory lands as the target directory contents, hard links and modes kept', async () => {
  const { target, staging, archive, unpackDir } = await stagedArchive(async (src, archive) => {
    await mkdir(join(src, 'top/sub'), { recursive: true })
    await writeFile(join(src, 'top/a'), 'alpha', { mode: 0o640 })
    await execa('ln', [join(src, 'top/a'), join(src, 'top/sub/linked')])
    await tarOf(src, archive, ['-z'], 'top')
  })
  await unpackStaged(archive, 'tar.gz', unpackDir)
  expect(await landUnpacked(unpackDir, 'tar.gz', target, STAGING)).toBe(target)
  // The staging directory keeps the archive for the swarm; its caller removes it.
  expect((await readdir(target)).sort()).toEqual([STAGING, 'a', 'sub'])
  expect(await readFile(join(target, 'sub/linked'), 'utf8')).toBe('alpha')
  const [a, linked] = await Promise.all([stat(join(target, 'a')), stat(join(target, 'sub/linked'))])
  expect(a.ino).toBe(linked.ino)
  expect(a.mode & 0o777).toBe(0o640)
  expect(await readdir(staging)).toContain(basename(archive))
})

test('a tarball with two entries at its top is refused, and nothing lands', async () => {
  const { target, archive, unpackDir } = await stagedArchive(async (src, archive) => {
    await mkdir(join(src, 'x'))
    await writeFile(join(src, 'y'), 'stray')
    await tarOf(src, archive, [], 'x', 'y')
  }, 'two.tar')
  await unpackStaged(archive, 'tar', unpackDir)
  await expect(landUnpacked(unpackDir, 'tar', target, STAGING)).rejects.toMatchObject({
    code: 'SOURCE_FORMAT',
    message: 'the tarball holds 2 entries at its top (x, y); --type decompress needs exactly one directory',
  })
  expect(await readdir(target)).toEqual([STAGING])
})

test("a corrupt archive fails with the unpacker's own words", async () => {
  const { archive, unpackDir } = await stagedArchive(async (_src, archive) => {
    await writeFile(archive, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(4000, 7)]))
  })
  await expect(unpackStaged(archive, 'tar.gz', unpackDir)).rejects.toMatchObject({
    code: 'UNPACK_FAILED',
    message: expect.stringMatching(/^unpacking with tar failed, exit status 2: .*gzip/s),
  })
})

test('something that appeared in the target directory meanwhile keeps the copy in staging', async () => {
  const { target, staging, archive, unpackDir } = await stagedArchive(async (src, archive) => {
    await mkdir(join(src, 'top'))
    await writeFile(join(src, 'top/ibdata1'), 'data')
    await tarOf(src, archive, [], 'top')
  }, 'snap.tar')
  await unpackStaged(archive, 'tar', unpackDir)
  await writeFile(join(target, 'intruder'), 'mine')
  await expect(landUnpacked(unpackDir, 'tar', target, STAGING)).rejects.toMatchObject({
    code: 'TARGET_NOT_EMPTY',
    message: `${join(target, 'intruder')} appeared during the transfer; the copy stays in ${staging}`,
  })
  expect((await readdir(target)).sort()).toEqual([STAGING, 'intruder'].sort())
  expect(await readFile(join(target, 'intruder'), 'utf8')).toBe('mine')
})

test('an unpack cut short by an earlier run is started afresh', async () => {
  const { target, archive, unpackDir } = await stagedArchive(async (src, archive) => {
    await mkdir(join(src, 'top'))
    await writeFile(join(src, 'top/f'), 'new')
    await tarOf(src, archive, [], 'top')
  }, 'snap.tar')
  await mkdir(join(unpackDir, 'top'), { recursive: true })
  await writeFile(join(unpackDir, 'top/left-over'), 'old')
  await unpackStaged(archive, 'tar', unpackDir)
  await landUnpacked(unpackDir, 'tar', target, STAGING)
  expect((await readdir(target)).sort()).toEqual([STAGING, 'f'])
})

test('an unpacker that gives up early is heard, not the broken pipe it leaves', async () => {
  const dir = await tmpDir()
  // Far more than a pipe holds, none of it a tar: tar stops reading at the first block.
  const garbage = Readable.from(
    (function* () {
      for (let i = 0; i < 256; i++) yield Buffer.alloc(64 * 1024, 0x41)
    })(),
  )
  await expect(unpackArchive(garbage, 'tar', dir)).rejects.toMatchObject({
    code: 'UNPACK_FAILED',
    message: expect.stringMatching(/^unpacking with tar failed, exit status 2: /),
  })
})

test('an input that fails midway fails the unpacking with its own error, and the unpacker stops', async () => {
  const dir = await tmpDir()
  const broken = new Readable({ read() {} })
  broken.push(Buffer.alloc(1024))
  const unpacking = unpackArchive(broken, 'tar', dir)
  broken.destroy(new Error('connection reset'))
  await expect(unpacking).rejects.toThrow('connection reset')
})
