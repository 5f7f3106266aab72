import { FanoutError } from '../../shared/errors.js'

/** Where data comes from or goes to, as the user wrote it on the command line. */
export interface Endpoint {
  /** Exactly what the user typed, for messages and the summary. */
  spec: string
  /** null when the path is on this machine (a bare path or `localhost:`). */
  host: string | null
  user?: string
  path: string
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1'])

/**
 * Parses `[user@]host:/path`, `[user@][v6addr]:/path`, `localhost:/path` or a bare path, with scp's
 * rule that a `/` before the first `:` makes the whole thing a local path (so `./a:b` is a file).
 * Remote paths must be absolute: what a relative one means depends on the login user's home.
 */
export function parseEndpoint(spec: string, cwd: string): Endpoint {
  if (spec.trim() === '') throw usage(`empty path`)
  const split = splitHost(spec)
  if (split === undefined) return { spec, host: null, path: absoluteLocal(spec, cwd) }
  const { hostPart, path } = split
  const at = hostPart.lastIndexOf('@')
  const user = at >= 0 ? hostPart.slice(0, at) : undefined
  const host = unbracket(at >= 0 ? hostPart.slice(at + 1) : hostPart)
  if (host === '' || user === '') throw usage(`no host name in ${JSON.stringify(spec)}`)
  if (path === '') throw usage(`no path after the colon in ${JSON.stringify(spec)}`)
  if (LOCAL_HOSTS.has(host) && user === undefined) return { spec, host: null, path: absoluteLocal(path, cwd) }
  if (!path.startsWith('/')) throw usage(`remote paths must be absolute: ${JSON.stringify(spec)}`)
  return { spec, host, path: normalize(path), ...(user === undefined ? {} : { user }) }
}

/**
 * Whether a word names a host alone, with no path: `host`, `user@host`, `[v6addr]` or a bare IPv6
 * address, as topology lines write hosts. Anything else is read as an endpoint.
 */
export function isBareHost(word: string): boolean {
  return BARE_HOST.test(word)
}

// A name without `/`, `:`, `@` or brackets, a bracketed address, or an IPv6 address (two colons at least).
const BARE_HOST =
  /^(?:[^@/:[\]\s]+@)?(?:[^@/:[\]\s]+|\[[^\]/\s]+\]|[\da-f.]*:[\da-f.]*:[\da-f.:]*(?:%\w+)?)$/i

/** parseEndpoint for a spec read from a file: its errors start with `where`, e.g. `targets.txt:7`. */
export function parseEndpointAt(spec: string, cwd: string, where: string): Endpoint {
  try {
    return parseEndpoint(spec, cwd)
  } catch (err) {
    throw usage(`${where}: ${(err as Error).message}`)
  }
}

function splitHost(spec: string): { hostPart: string; path: string } | undefined {
  if (spec.startsWith('[') || /^[^@/]*@\[/.test(spec)) {
    const close = spec.indexOf(']:')
    if (close < 0) throw usage(`unbalanced [ in ${JSON.stringify(spec)}`)
    return { hostPart: spec.slice(0, close + 1), path: spec.slice(close + 2) }
  }
  const colon = spec.indexOf(':')
  const slash = spec.indexOf('/')
  if (colon < 0 || (slash >= 0 && slash < colon)) return undefined
  return { hostPart: spec.slice(0, colon), path: spec.slice(colon + 1) }
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

function absoluteLocal(path: string, cwd: string): string {
  return normalize(path.startsWith('/') ? path : `${cwd}/${path}`)
}

/** Collapses `//`, `.` and `..` and drops a trailing slash, without touching any filesystem. */
export function normalize(path: string): string {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  return `/${parts.join('/')}`
}

/**
 * A path on an endpoint's host, written as the user writes endpoints: `[user@]host:/path`, with an
 * IPv6 address in brackets, or the bare path for this machine.
 */
export function pathOn(endpoint: Endpoint, path: string): string {
  if (endpoint.host === null) return path
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host
  return `${endpoint.user === undefined ? '' : `${endpoint.user}@`}${host}:${path}`
}

/** The last path component: the name the copy gets inside each target directory. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

function usage(message: string): FanoutError {
  return new FanoutError('USAGE', message)
}
