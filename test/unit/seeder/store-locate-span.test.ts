import { describe, expect, test } from 'vitest'
import { type FileSpan, locateSpan, type StoredFile, storedFiles } from '../../../seeder/store/locate-span.js'

// a: bytes 0-9, b: 10-14, c: 15-34 (35 bytes in all).
const list: StoredFile[] = [
  { path: 'a', length: 10, offset: 0 },
  { path: 'b', length: 5, offset: 10 },
  { path: 'c', length: 20, offset: 15 },
]
const files = storedFiles(list)

const span = (fileIndex: number, fileOffset: number, length: number, rangeOffset: number): FileSpan => ({
  fileIndex,
  fileOffset,
  length,
  rangeOffset,
})

describe('locateSpan', () => {
  test.each<[string, number, number, FileSpan[]]>([
    ['inside the first file', 2, 3, [span(0, 2, 3, 0)]],
    ['exactly the first file', 0, 10, [span(0, 0, 10, 0)]],
    ['exactly the middle file', 10, 5, [span(1, 0, 5, 0)]],
    ['exactly the last file', 15, 20, [span(2, 0, 20, 0)]],
    ['the last byte', 34, 1, [span(2, 19, 1, 0)]],
    ['the first byte', 0, 1, [span(0, 0, 1, 0)]],
    ['one byte each side of a boundary', 9, 2, [span(0, 9, 1, 0), span(1, 0, 1, 1)]],
    ['ending exactly at a boundary', 5, 5, [span(0, 5, 5, 0)]],
    ['starting exactly at a boundary', 15, 3, [span(2, 0, 3, 0)]],
    ['across two files', 8, 4, [span(0, 8, 2, 0), span(1, 0, 2, 2)]],
    ['across all three files', 9, 10, [span(0, 9, 1, 0), span(1, 0, 5, 1), span(2, 0, 4, 6)]],
    ['the whole payload', 0, 35, [span(0, 0, 10, 0), span(1, 0, 5, 10), span(2, 0, 20, 15)]],
    ['an empty range', 12, 0, []],
    ['an empty range at the end', 35, 0, []],
  ])('%s (%i+%i)', (_why, start, length, expected) => {
    const spans = locateSpan(files, start, length)
    expect(spans).toEqual(expected)
    // The spans tile the range exactly.
    expect(spans.reduce((sum, s) => sum + s.length, 0)).toBe(length)
  })

  test.each<[string, readonly StoredFile[], number, number]>([
    ['one byte past the end', list, 0, 36],
    ['starting at the end', list, 35, 1],
    ['starting past the end', list, 40, 2],
    ['overlapping the end', list, 30, 10],
    ['no files at all', [], 0, 1],
  ])('%s throws a RangeError', (_why, given, start, length) => {
    const layout = storedFiles(given)
    expect(() => locateSpan(layout, start, length)).toThrowError(RangeError)
    expect(() => locateSpan(layout, start, length)).toThrowError(`range ${start}+${length} runs past the end`)
  })

  test('many files: every single byte maps to the file that holds it', () => {
    const many: StoredFile[] = []
    let offset = 0
    for (let i = 0; i < 257; i++) {
      const length = 1 + ((i * 7) % 13)
      many.push({ path: `f${i}`, length, offset })
      offset += length
    }
    for (let position = 0; position < offset; position++) {
      const [only, ...rest] = locateSpan(storedFiles(many), position, 1)
      expect(rest).toEqual([])
      const file = many[only?.fileIndex ?? -1] as StoredFile
      expect(file.offset + (only?.fileOffset ?? -1)).toBe(position)
      expect(only?.fileOffset).toBeLessThan(file.length)
    }
  })
})
