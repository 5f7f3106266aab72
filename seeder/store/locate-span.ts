/** A file's place in the torrent's byte stream. */
export interface StoredFile {
  path: string
  length: number
  offset: number
}

/**
 * The payload's files in torrent order, read by index: a tree of 100,000 files is not held as
 * 100,000 objects (see torrent-files.ts), and a short list is wrapped by `storedFiles`.
 */
export interface StoredFiles {
  readonly count: number
  offset(index: number): number
  length(index: number): number
  /** Relative to the store's directory, with the OS separator. */
  path(index: number): string
}

/** A list of files as StoredFiles. */
export function storedFiles(files: readonly StoredFile[]): StoredFiles {
  const at = (index: number) => files[index] as StoredFile
  return {
    count: files.length,
    offset: (index) => at(index).offset,
    length: (index) => at(index).length,
    path: (index) => at(index).path,
  }
}

/** One contiguous run of bytes inside one file. */
export interface FileSpan {
  fileIndex: number
  fileOffset: number
  length: number
  /** Where this run starts inside the requested range. */
  rangeOffset: number
}

/**
 * Maps a byte range of the concatenated stream onto the files it touches. Files are sorted by offset
 * and zero-length files never appear, so a binary search finds the first one.
 */
export function locateSpan(files: Omit<StoredFiles, 'path'>, start: number, length: number): FileSpan[] {
  const spans: FileSpan[] = []
  let index = firstFileAt(files, start)
  let position = start
  const end = start + length
  while (position < end && index < files.count) {
    const offset = files.offset(index)
    const fileEnd = offset + files.length(index)
    const take = Math.min(end, fileEnd) - position
    if (take > 0) {
      spans.push({
        fileIndex: index,
        fileOffset: position - offset,
        length: take,
        rangeOffset: position - start,
      })
      position += take
    }
    index++
  }
  if (position < end) throw new RangeError(`range ${start}+${length} runs past the end of the payload`)
  return spans
}

function firstFileAt(files: Omit<StoredFiles, 'path'>, position: number): number {
  let low = 0
  let high = files.count - 1
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if (files.offset(mid) <= position) low = mid
    else high = mid - 1
  }
  return low
}
