import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { ManifestView } from '../../shared/manifest-table.js'
import type { FromBase, Manifest, ManifestEntry } from '../../shared/messages.js'
import { timeSlices } from '../control/time-slices.js'
import { digestFile } from '../package/digest-files.js'
import { describeWriteFailure } from '../store/payload-store.js'
import { type BaseIndex, indexBase } from './index-base.js'

const COPY_BYTES = 1 << 20

/**
 * Copies into the staging copy every file whose content (the source's SHA-256 of it) the base holds,
 * under whatever name, before the target asks the swarm for anything. The swarm then treats the
 * staging copy as it treats one left by an interrupted run: each piece is checked against the
 * source's hash once that arrives, and only pieces that fail are fetched. So a wrong guess can cost
 * bytes, never correctness. The base is only read, without moving its access times; a file already
 * in staging (a resumed copy) is left as it is.
 */
export async function fillFromBase(manifest: Manifest, base: string, payloadPath: string): Promise<FromBase> {
  const view = new ManifestView(manifest.entries)
  const { size, digest = {} } = manifest.entries
  // Indices, not entries: each entry is read out of the columns only as it is copied.
  const wanted = Object.keys(digest).map(Number)
  const index = await indexBase(base, new Set(wanted.map((i) => size[i] as number)))
  if (index === undefined) return { found: false, files: 0, bytes: 0 }
  const finder = new ContentFinder(index)
  const taken = { found: true, files: 0, bytes: 0 }
  for (const i of wanted) {
    const entry = view.entry(i)
    if (entry.kind !== 'file' || entry.size === 0 || entry.digest === undefined) continue
    const dest = entry.path === '' ? payloadPath : join(payloadPath, entry.path)
    if (await finder.copyInto({ ...entry, digest: entry.digest }, dest)) {
      taken.files++
      taken.bytes += entry.size
    }
  }
  return taken
}

/**
 * Finds a base file with the wanted content: first the one at the same path (the usual case: a
 * file unchanged between releases), then any other of the same size. Each file is hashed as it is
 * copied, so a match costs one read; the digest of one that did not match is remembered, so no
 * base file is read twice to be ruled out.
 */
class ContentFinder {
  private readonly digests = new Map<string, string>()
  private readonly buffer = Buffer.allocUnsafe(COPY_BYTES)
  private readonly breathe = timeSlices()
  /** Directories already made: a tree of small files would otherwise cost a mkdir per file. */
  private readonly madeDirs = new Set<string>()

  constructor(private readonly index: BaseIndex) {}

  async copyInto(entry: ManifestEntry & { digest: string }, dest: string): Promise<boolean> {
    for (const candidate of this.candidates(entry)) {
      const known = this.digests.get(candidate)
      if (known !== undefined && known !== entry.digest) continue
      const digest = await this.copy(join(this.index.root, candidate), dest, entry.size)
      if (digest === undefined) return false
      this.digests.set(candidate, digest)
      if (digest === entry.digest) return true
      rmSync(dest, { force: true })
    }
    return false
  }

  private candidates(entry: ManifestEntry): string[] {
    const sameSize = this.index.bySize.get(entry.size) ?? []
    return sameSize.includes(entry.path)
      ? [entry.path, ...sameSize.filter((p) => p !== entry.path)]
      : sameSize
  }

  /** The SHA-256 of what was copied; undefined when `dest` already exists (a resumed copy's). */
  private async copy(from: string, dest: string, size: number): Promise<string | undefined> {
    const dir = dirname(dest)
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      this.madeDirs.add(dir)
    }
    let out: number
    try {
      out = openSync(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined
      throw describeWriteFailure(err, dest)
    }
    try {
      return await this.copyBytes(from, out, dest, size)
    } finally {
      closeSync(out)
    }
  }

  private async copyBytes(from: string, out: number, dest: string, size: number): Promise<string> {
    let writeFailure: unknown
    const write = (chunk: Buffer, position: number) => {
      try {
        writeFully(out, chunk, position, dest)
      } catch (err) {
        writeFailure = err
        throw err
      }
    }
    try {
      return await digestFile(from, size, this.buffer, this.breathe, write)
    } catch {
      if (writeFailure !== undefined) throw writeFailure
      return '' // Unreadable, or it shrank since the walk: matches nothing, and its name is ruled out.
    }
  }
}

function writeFully(fd: number, chunk: Buffer, position: number, path: string): void {
  try {
    for (let done = 0; done < chunk.length; )
      done += writeSync(fd, chunk, done, chunk.length - done, position + done)
  } catch (err) {
    throw describeWriteFailure(err, path)
  }
}
