/** A file's place in the torrent's byte stream. */
export interface StoredFile {
  path: string
  length: number
  offset: number
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
export function locateSpan(files: readonly StoredFile[], start: number, length: number): FileSpan[] {
  const spans: FileSpan[] = []
  let index = firstFileAt(files, start)
  let position = start
  const end = start + length
  while (position < end && index < files.length) {
    const file = files[index] as StoredFile
    const fileEnd = file.offset + file.length
    const take = Math.min(end, fileEnd) - position
    if (take > 0) {
      spans.push({
        fileIndex: index,
        fileOffset: position - file.offset,
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

function firstFileAt(files: readonly StoredFile[], position: number): number {
  let low = 0
  let high = files.length - 1
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if ((files[mid] as StoredFile).offset <= position) low = mid
    else high = mid - 1
  }
  return low
}
