import type { EntryKind, ManifestEntries, ManifestEntry } from './messages.js'

const LETTER: Record<EntryKind, string> = { file: 'f', dir: 'd', symlink: 'l' }
const KIND: Record<string, EntryKind> = { f: 'file', d: 'dir', l: 'symlink' }

/** What an entry is, apart from where it is (its name and directory) and its links to others. */
export type EntryFields = Omit<ManifestEntry, 'path' | 'linkTo' | 'digest'>

/** Columns in the making, entry by entry, parents first; `finish` hands them over. */
export class EntriesBuilder {
  private readonly columns: ManifestEntries = emptyEntries()
  // Appending to one string 100,000 times leaves a chain of 100,000 pieces until it is flattened.
  private readonly kinds: string[] = []

  /** Adds an entry named `name` in the directory entry `parent` (-1 for the root); its index. */
  add(name: string, parent: number, fields: EntryFields): number {
    const { columns } = this
    const index = columns.name.length
    columns.name.push(name)
    columns.parent.push(parent)
    this.kinds.push(LETTER[fields.kind])
    columns.mode.push(fields.mode)
    columns.uid.push(fields.uid)
    columns.gid.push(fields.gid)
    columns.mtimeMs.push(fields.mtimeMs)
    columns.atimeMs.push(fields.atimeMs)
    columns.size.push(fields.size)
    if (fields.linkTarget !== undefined) columns.linkTarget[index] = fields.linkTarget
    return index
  }

  finish(): ManifestEntries {
    return { ...this.columns, kind: this.kinds.join('') }
  }
}

export function emptyEntries(): ManifestEntries {
  return {
    name: [],
    parent: [],
    kind: '',
    mode: [],
    uid: [],
    gid: [],
    mtimeMs: [],
    atimeMs: [],
    size: [],
    linkTarget: {},
    linkTo: {},
  }
}

/**
 * Reads entries out of the columns by index. A path is made when asked for, from the entry's name
 * and its directory's path; only directories' paths are kept (a tree has about one per hundred
 * files). The columns are checked once: every column as long as the names, every parent an earlier
 * directory, every name one path component, so that no path made here leads outside the payload.
 */
export class ManifestView implements Iterable<ManifestEntry> {
  private readonly dirPaths = new Map<number, string>()

  constructor(readonly columns: ManifestEntries) {
    checkColumns(columns)
    for (let i = 0; i < this.count; i++) {
      if (columns.kind[i] === 'd') this.dirPaths.set(i, this.makePath(i))
    }
  }

  get count(): number {
    return this.columns.name.length
  }

  kind(index: number): EntryKind {
    return KIND[this.columns.kind[index] ?? ''] as EntryKind
  }

  /** Relative to the payload root, '/'-separated; '' for the root itself. */
  path(index: number): string {
    return this.dirPaths.get(index) ?? this.makePath(index)
  }

  /** Entry `index` as one object. */
  entry(index: number): ManifestEntry {
    const { columns } = this
    const at = <T>(column: T[]) => column[index] as T
    const entry: ManifestEntry = {
      path: this.path(index),
      kind: this.kind(index),
      mode: at(columns.mode),
      uid: at(columns.uid),
      gid: at(columns.gid),
      mtimeMs: at(columns.mtimeMs),
      atimeMs: at(columns.atimeMs),
      size: at(columns.size),
    }
    const linkTarget = columns.linkTarget[index]
    if (linkTarget !== undefined) entry.linkTarget = linkTarget
    const linkTo = columns.linkTo[index]
    if (linkTo !== undefined) entry.linkTo = this.path(linkTo)
    const digest = columns.digest?.[index]
    if (digest !== undefined) entry.digest = digest
    return entry
  }

  *[Symbol.iterator](): Iterator<ManifestEntry> {
    for (let i = 0; i < this.count; i++) yield this.entry(i)
  }

  private makePath(index: number): string {
    const parent = this.columns.parent[index] as number
    const name = this.columns.name[index] as string
    if (parent < 0) return ''
    const dir = this.dirPaths.get(parent) as string
    return dir === '' ? name : `${dir}/${name}`
  }
}

/** Columns from entries given as objects, parents first (tests, and payloads of a few entries). */
export function entriesOf(list: readonly ManifestEntry[]): ManifestEntries {
  const builder = new EntriesBuilder()
  const indexOf = new Map<string, number>()
  for (const { path, linkTo: _linkTo, digest: _digest, ...fields } of list) {
    const slash = path.lastIndexOf('/')
    const parent = path === '' ? -1 : (indexOf.get(slash < 0 ? '' : path.slice(0, slash)) ?? -2)
    indexOf.set(path, builder.add(path.slice(slash + 1), parent, fields))
  }
  const columns = builder.finish()
  const digest: Record<number, string> = {}
  for (const [i, entry] of list.entries()) {
    if (entry.linkTo !== undefined) columns.linkTo[i] = indexOf.get(entry.linkTo) ?? -1
    if (entry.digest !== undefined) digest[i] = entry.digest
  }
  if (Object.keys(digest).length > 0) columns.digest = digest
  return columns
}

function checkColumns(columns: ManifestEntries): void {
  const count = columns.name.length
  const lengths = [
    columns.parent.length,
    columns.kind.length,
    columns.mode.length,
    columns.uid.length,
    columns.gid.length,
    columns.mtimeMs.length,
    columns.atimeMs.length,
    columns.size.length,
  ]
  if (lengths.some((length) => length !== count)) throw badManifest('its columns differ in length')
  for (let i = 0; i < count; i++) {
    const parent = columns.parent[i] as number
    const name = columns.name[i] as string
    if (KIND[columns.kind[i] ?? ''] === undefined) throw badManifest(`entry ${i} is of no known kind`)
    if (parent === -1 && i === 0 && name === '') continue
    if (!(parent >= 0 && parent < i && columns.kind[parent] === 'd'))
      throw badManifest(`entry ${i} is not inside an earlier directory`)
    if (name === '' || name === '.' || name === '..' || name.includes('/'))
      throw badManifest(`entry ${i} has no name of its own: ${JSON.stringify(name)}`)
  }
  for (const [key, first] of Object.entries(columns.linkTo)) {
    if (!(first >= 0 && first < Number(key) && columns.kind[first] === 'f'))
      throw badManifest(`entry ${key} links to no earlier file`)
  }
}

function badManifest(why: string): Error {
  return new Error(`malformed manifest: ${why}`)
}
