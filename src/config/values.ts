import { parseRate } from '../core/rate.js'

/**
 * How one setting is written as text, the same in a config file, an environment variable and on the
 * command line: `parse` gives undefined for text it does not accept, and `problem` says why.
 */
export interface ValueSyntax<T> {
  parse(text: string): T | undefined
  problem: string
  /** The accepted words, when there is a fixed list (the command line offers them as choices). */
  choices?: readonly T[]
}

const TRUE = new Set(['true', 't', '1'])
const FALSE = new Set(['false', 'f', '0'])

/** transfer.py's `to_bool`: exactly these words in any case, so a typo is an error rather than "off". */
export const BOOLEAN: ValueSyntax<boolean> = {
  parse(text) {
    const word = text.trim().toLowerCase()
    return TRUE.has(word) ? true : FALSE.has(word) ? false : undefined
  },
  problem: 'not a boolean (true/t/1/false/f/0)',
}

/** transfer.py's `--port`: a TCP port, where 0 lets each target's agent choose. */
export const PORT: ValueSyntax<number> = {
  parse(text) {
    const port = /^\s*\d{1,5}\s*$/.test(text) ? Number(text) : Number.NaN
    return port <= 65_535 ? port : undefined
  },
  problem: 'not a port (an integer 0..65535; 0 picks a free one)',
}

/** Seconds as people write them (`300`, `0.5`), kept as whole milliseconds, at least one. */
export const SECONDS: ValueSyntax<number> = {
  parse(text) {
    const value = text.trim() === '' ? Number.NaN : Number(text)
    return Number.isFinite(value) && value > 0 ? Math.max(1, Math.round(value * 1000)) : undefined
  },
  problem: 'not a positive number of seconds',
}

/** --bwlimit's syntax (core/rate.ts), in bytes per second. */
export const RATE: ValueSyntax<number> = {
  parse(text) {
    try {
      return parseRate(text)
    } catch {
      return undefined
    }
  },
  problem: 'not a rate (examples: 100Mbit, 12M, 500K)',
}

/** A file name; where relative paths start from depends on where the text was written. */
export const PATH: ValueSyntax<string> = {
  parse: (text) => (text.trim() === '' ? undefined : text.trim()),
  problem: 'an empty path',
}

/** A path on the targets, taken as written: it means nothing on the host that reads the setting. */
export const TARGET_PATH: ValueSyntax<string> = {
  parse: (text) => (text.trim() === '' || text.includes('\0') ? undefined : text.trim()),
  problem: 'an empty path',
}

/** One name inside a directory: no slash, not `.` or `..`. */
export const FILE_NAME: ValueSyntax<string> = {
  parse(text) {
    const name = text.trim()
    return name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')
      ? undefined
      : name
  },
  problem: 'not a name inside the target directory (no /, not . or ..)',
}

/** One word out of a fixed list, compared exactly, as the command line's choices are. */
export function oneOf<T extends string>(words: readonly T[]): ValueSyntax<T> {
  return {
    parse: (text) => words.find((word) => word === text.trim()),
    problem: `not one of ${words.join(', ')}`,
    choices: words,
  }
}
