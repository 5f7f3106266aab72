import { mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { lockStaging } from '../../../seeder/store/staging-lock.js'
import { tmpDir } from '../../helpers/tmp-tree.js'

const STAGING = '.fanout-0123456789abcdef.partial'

test('a staging directory is held by one agent at a time, and free again once released', async () => {
  const dir = await tmpDir()
  const release = await lockStaging(dir, STAGING)
  await expect(lockStaging(dir, STAGING)).rejects.toMatchObject({
    code: 'TARGET_BUSY',
    message: `another fanout run is copying the same payload into ${join(dir, STAGING)} right now; run again once it has finished`,
  })
  // Another payload into the same directory is another lock.
  const other = await lockStaging(dir, '.fanout-fedcba9876543210.partial')
  await release()
  const again = await lockStaging(dir, STAGING)
  await Promise.all([again(), other()])
})

test('the same directory through a symbolic link is the same lock', async () => {
  const dir = await tmpDir()
  await mkdir(join(dir, 'real'))
  await symlink(join(dir, 'real'), join(dir, 'alias'))
  const release = await lockStaging(join(dir, 'real'), STAGING)
  await expect(lockStaging(join(dir, 'alias'), STAGING)).rejects.toMatchObject({ code: 'TARGET_BUSY' })
  await release()
})
