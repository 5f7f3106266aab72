import { emptyEntries } from '../../shared/manifest-table.js'
import type { Manifest } from '../../shared/messages.js'

/** The name a hot backup's xbstream has in each target's staging directory, beside its unpacking. */
export const BACKUP_NAME = 'backup.xbstream'

/**
 * A hot backup's manifest: one file of a size no one knows until the backup ends, so `totalBytes`
 * is the most it may reach (the swarm's torrent is made that size) or 0 (the stream). Nothing of
 * it is materialized; the target unpacks it (seeder/place/unpack-archive.ts).
 */
export function backupManifest(totalBytes = 0): Manifest {
  return { name: BACKUP_NAME, rootKind: 'file', entries: emptyEntries(), totalBytes, skipped: [] }
}
