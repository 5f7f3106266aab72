import type { ScannedTree } from './scan-tree.js'

/**
 * For the swarm: a file with several names in the tree travels once. Its first name (in manifest
 * order) keeps the data; each later name leaves the torrent and becomes a manifest entry that a
 * target recreates as a hard link to the first (`linkTo`), so a datadir or a release tree full of
 * links takes no more room on the targets than on the source. The stream does the same with tar's
 * link entries (stream/pack-tree.ts). Pure: the scan already recorded each file's `dev:ino`.
 */
export function shareHardLinks(tree: ScannedTree): ScannedTree {
  const firstName = new Map<string, number>()
  const linkTo: Record<number, number> = {}
  let later = 0
  let totalBytes = 0
  const files = tree.files.filter((file) => {
    const first = file.inode === undefined ? undefined : firstName.get(file.inode)
    if (first !== undefined && file.entry !== undefined) {
      linkTo[file.entry] = first
      later++
      return false
    }
    if (file.inode !== undefined && file.entry !== undefined) firstName.set(file.inode, file.entry)
    totalBytes += file.size
    return true
  })
  if (later === 0) return tree
  const entries = { ...tree.manifest.entries, linkTo: { ...tree.manifest.entries.linkTo, ...linkTo } }
  return { manifest: { ...tree.manifest, entries, totalBytes }, files }
}
