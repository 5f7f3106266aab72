import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { decode } from 'ini'
import { FanoutError } from '../../shared/errors.js'
import type { Config } from './defaults.js'
import type { ConfigFlags } from './resolve.js'
import { FIELDS, parseSetting, SETTINGS, type Setting } from './settings.js'

/** One config file's settings, with the line each came from for later messages. */
export interface ConfigFile {
  path: string
  values: ConfigFlags
  lines: Partial<Record<keyof Config, number>>
}

const FILE_KEYS = new Map(FIELDS.filter((f) => SETTINGS[f].inFile).map((f) => [SETTINGS[f].key, f]))

/**
 * The files read when --config is not given, system-wide first so that the user's own file wins.
 * XDG_CONFIG_HOME counts only when absolute, as the XDG spec says.
 */
export function defaultConfigPaths(env: NodeJS.ProcessEnv): string[] {
  const xdg = env.XDG_CONFIG_HOME
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : env.HOME ? join(env.HOME, '.config') : undefined
  return ['/etc/fanout/fanout.conf', ...(base === undefined ? [] : [join(base, 'fanout', 'fanout.conf')])]
}

/**
 * Reads `--config FILE` if given, which must exist, or else the default files that exist. A default
 * file that exists but cannot be read is an error: silently ignoring it would run with settings the
 * user did not choose.
 */
export function loadConfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv): ConfigFile[] {
  if (explicit !== undefined) return [parseConfigFile(explicit, readText(explicit, `--config ${explicit}`))]
  return defaultConfigPaths(env).flatMap((path) => {
    const text = readText(path, path, true)
    return text === undefined ? [] : [parseConfigFile(path, text)]
  })
}

function readText(path: string, where: string, optional: true): string | undefined
function readText(path: string, where: string): string
function readText(path: string, where: string, optional = false): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (optional && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined
    const why = code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})`
    throw new FanoutError('USAGE', `${where}: ${why}`, { path }, { cause: err })
  }
}

/**
 * Parses an INI text as transfer.py's configparser sees it: keys in [DEFAULT] (or before any
 * section), names in any case, each given once. Every mistake is a usage error naming the line.
 */
export function parseConfigFile(path: string, text: string): ConfigFile {
  const lines = text.split(/\r\n|[\r\n]/)
  rejectOtherSections(path, lines)
  const file: ConfigFile = { path, values: {}, lines: {} }
  for (const [rawKey, raw] of entriesOf(path, text)) {
    const at = lineOf(path, lines, rawKey)
    const field = FILE_KEYS.get(rawKey.toLowerCase())
    if (field === undefined) {
      throw usage(path, at, `${rawKey}: unknown key (known: ${[...FILE_KEYS.keys()].join(', ')})`)
    }
    const valueText = scalar(raw)
    if (valueText === undefined || (at > 0 && !(lines[at - 1] ?? '').includes('='))) {
      throw usage(path, at, `${rawKey}: not a single value (write ${rawKey} = VALUE)`)
    }
    const setting: Setting<unknown> = SETTINGS[field]
    const value = parseSetting(setting, valueText, `${path}:${at}: ${rawKey} = ${valueText}`)
    ;(file.values as Record<string, unknown>)[field] =
      setting.isPath && typeof value === 'string' ? resolve(dirname(path), value) : value
    file.lines[field] = at
  }
  return file
}

/** The keys before any section, then [DEFAULT]'s, which come later in the file and so win. */
function entriesOf(path: string, text: string): [string, unknown][] {
  let decoded: Record<string, unknown>
  try {
    decoded = decode(text)
  } catch (err) {
    throw new FanoutError('USAGE', `${path}: not an INI file (${(err as Error).message})`, { path })
  }
  const { DEFAULT: section, ...top } = decoded
  const inSection = typeof section === 'object' && section !== null ? Object.entries(section) : []
  return [...Object.entries(top), ...inSection]
}

/** ini turns `true`, `false` and `null` into values; transfer.py's syntax wants their text back. */
function scalar(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw
  return typeof raw === 'boolean' || raw === null ? String(raw) : undefined
}

/** ini keeps other sections; transfer.py reads only [DEFAULT], so a key elsewhere would be lost. */
function rejectOtherSections(path: string, lines: readonly string[]): void {
  lines.forEach((line, i) => {
    const name = /^\[([^\]]*)\]\s*$/.exec(line)?.[1]
    if (name !== undefined && name.trim() !== 'DEFAULT') {
      throw usage(path, i + 1, `[${name}]: unknown section (fanout reads only [DEFAULT])`)
    }
  })
}

/**
 * The line that sets `key`. ini does not report lines, so this finds them with ini's own rule (a
 * key is the text before the first `=`); a key set twice is refused, as configparser refuses it.
 */
function lineOf(path: string, lines: readonly string[], key: string): number {
  const wanted = key.toLowerCase()
  const found: number[] = []
  lines.forEach((line, i) => {
    if (/^\s*[;#]|^\[/.test(line)) return
    const name = line
      .split('=', 1)[0]
      ?.trim()
      .replace(/^(["'])(.*)\1$/, '$2')
      .replace(/\[\]$/, '')
    if (name?.toLowerCase() === wanted) found.push(i + 1)
  })
  const [first = 0, second] = found
  if (second !== undefined) throw usage(path, second, `${key}: given twice (first on line ${first})`)
  return first
}

function usage(path: string, line: number, message: string): FanoutError {
  return new FanoutError('USAGE', `${path}:${line}: ${message}`, { path, line })
}
