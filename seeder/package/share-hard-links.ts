import type { ManifestEntry } from '../../shared/messages.js'
import type { ScannedTree } from './scan-tree.js'

/**
 * For the swarm: a file with several names in the tree travels once. Its first name (in manifest
 * order) keeps the data; each later name leaves the torrent and becomes a manifest entry that a
 * target recreates as a hard link to the first (`linkTo`), so a datadir or a release tree full of
 * links takes no more room on the targets than on the source. The stream does the same with tar's
 * link entries (stream/pack-tree.ts). Pure: the scan already recorded each file's `dev:ino`.
 */
export function shareHardLinks(tree: ScannedTree): ScannedTree {
  const firstName = new Map<string, string>()
  const later = new Map<string, string>()
  const files = tree.files.filter((file) => {
    if (file.inode === undefined) return true
    const first = firstName.get(file.inode)
    if (first === undefined) {
      firstName.set(file.inode, file.path)
      return true
    }
    later.set(file.path, first)
    return false
  })
  if (later.size === 0) return tree
  const entries = tree.manifest.entries.map((entry): ManifestEntry => {
    const linkTo = entry.kind === 'file' ? later.get(entry.path) : undefined
    return linkTo === undefined ? entry : { ...entry, linkTo }
  })
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0)
  return { manifest: { ...tree.manifest, entries, totalBytes }, files }
}
