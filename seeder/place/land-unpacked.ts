import { lstat, readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { FanoutError } from '../../shared/errors.js'
import type { ArchiveFormat } from '../../shared/messages.js'

/**
 * Lands an archive unpacked in staging: its contents become the target directory's. A tarball must
 * hold exactly one directory, whose contents are taken (transfer.py's `--strip-components=1`, made
 * strict: a second top-level entry would otherwise be dropped or land beside the data); an xbstream
 * is a datadir's contents already.
 *
 * The target directory held nothing but the staging directory when the run began (pre-flight) and
 * is checked again just before the moves, which are renames within one filesystem: nothing is ever
 * replaced, and what appeared meanwhile keeps the copy in staging.
 *
 * The staging directory stays, with the archive: a swarm target serves it to the others until the
 * run ends. The caller removes it.
 */
export async function landUnpacked(
  unpackedDir: string,
  format: ArchiveFormat,
  targetDir: string,
  stagingName: string,
): Promise<string> {
  const root = format === 'xbstream' ? unpackedDir : await onlyTopDirectory(unpackedDir)
  const stagingDir = join(targetDir, stagingName)
  const strangers = (await readdir(targetDir)).filter((name) => name !== stagingName)
  if (strangers.length > 0) {
    throw new FanoutError(
      'TARGET_NOT_EMPTY',
      `${join(targetDir, strangers[0] as string)} appeared during the transfer; the copy stays in ${stagingDir}`,
      { path: targetDir },
    )
  }
  for (const name of await readdir(root)) await rename(join(root, name), join(targetDir, name))
  return targetDir
}

/** Where an archive named `payloadName` is unpacked inside the staging directory, beside it. */
export function unpackDirIn(stagingDir: string, payloadName: string): string {
  return join(stagingDir, payloadName === 'unpacked' ? 'unpacked.d' : 'unpacked')
}

async function onlyTopDirectory(unpackedDir: string): Promise<string> {
  const names = await readdir(unpackedDir)
  const only = names.length === 1 ? join(unpackedDir, names[0] as string) : undefined
  if (only !== undefined && (await lstat(only)).isDirectory()) return only
  const listed = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '')
  throw new FanoutError(
    'SOURCE_FORMAT',
    names.length === 0
      ? 'the tarball is empty; --type decompress needs one directory in it'
      : `the tarball holds ${names.length === 1 ? 'a file' : `${names.length} entries`} at its top (${listed}); --type decompress needs exactly one directory`,
  )
}
