import { lstat, mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { switchLink } from '../../../seeder/place/switch-link.js'
import { FanoutError } from '../../../shared/errors.js'
import { tmpDir } from '../../helpers/tmp-tree.js'

const TEMP = '.fanout-0123456789abcdef.link'

/** A target directory with two releases landed, and whatever `setup` adds. */
async function targetDir(setup: (dir: string) => Promise<unknown> = async () => {}): Promise<string> {
  const dir = await tmpDir()
  for (const release of ['release-1', 'release-2']) {
    await mkdir(join(dir, release))
    await writeFile(join(dir, release, 'version'), release)
  }
  await setup(dir)
  return dir
}

async function failure(run: Promise<unknown>): Promise<FanoutError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(FanoutError)
  expect((err as FanoutError).code).toBe('LINK_FAILED')
  return err as FanoutError
}

describe('switchLink', () => {
  test('replaces an existing link with a relative one and says what it pointed at', async () => {
    const dir = await targetDir((d) => symlink('release-1', join(d, 'current')))
    const linked = await switchLink({ dir, name: 'current', to: 'release-2', tempName: TEMP })
    expect(linked).toEqual({ path: join(dir, 'current'), previous: 'release-1' })
    expect(await readlink(join(dir, 'current'))).toBe('release-2')
    expect((await readdir(dir)).sort()).toEqual(['current', 'release-1', 'release-2'])
  })

  test('makes the link where there was none, and replaces a dangling one', async () => {
    const fresh = await targetDir()
    expect(await switchLink({ dir: fresh, name: 'current', to: 'release-2', tempName: TEMP })).toEqual({
      path: join(fresh, 'current'),
      previous: null,
    })
    const dangling = await targetDir((d) => symlink('release-0', join(d, 'current')))
    await switchLink({ dir: dangling, name: 'current', to: 'release-2', tempName: TEMP })
    expect(await readlink(join(dangling, 'current'))).toBe('release-2')
  })

  test.each([
    ['a real directory', (d: string) => mkdir(join(d, 'current')), /is a directory, not a symlink/],
    ['a regular file', (d: string) => writeFile(join(d, 'current'), 'x'), /is a file, not a symlink/],
  ])('never replaces %s', async (_what, setup, message) => {
    const dir = await targetDir(setup)
    const err = await failure(switchLink({ dir, name: 'current', to: 'release-2', tempName: TEMP }))
    expect(err.message).toMatch(message)
    expect(err.message).toMatch(/; .*\/current was left as it was$/)
    expect((await lstat(join(dir, 'current'))).isSymbolicLink()).toBe(false)
    expect(await readdir(dir)).not.toContain(TEMP)
  })

  test('refuses to point at a copy that is not there', async () => {
    const dir = await targetDir((d) => symlink('release-1', join(d, 'current')))
    const err = await failure(switchLink({ dir, name: 'current', to: 'release-3', tempName: TEMP }))
    expect(err.message).toBe(
      `${join(dir, 'release-3')} is not there; ${join(dir, 'current')} was left as it was`,
    )
    expect(await readlink(join(dir, 'current'))).toBe('release-1')
  })

  test('a rename that fails takes the temporary link away with it', async () => {
    // The orchestrator sends single names only; a name under a missing directory is the one way to
    // make rename(2) itself fail once the new link exists.
    const dir = await targetDir((d) => symlink('release-1', join(d, 'current')))
    const name = 'gone/current'
    const err = await failure(switchLink({ dir, name, to: 'release-2', tempName: TEMP }))
    expect(err.message).toBe(
      `could not point ${join(dir, name)} at release-2 (ENOENT); ${join(dir, name)} was left as it was`,
    )
    expect(await readlink(join(dir, 'current'))).toBe('release-1')
    expect((await readdir(dir)).sort()).toEqual(['current', 'release-1', 'release-2'])
  })
})
