import { createHmac, timingSafeEqual } from 'node:crypto'

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** `@revoked` keys are refused for every host; `@cert-authority` lines are ignored (no CA support). */
  marker: 'revoked' | 'cert-authority' | undefined
  /** Plain patterns (`name`, `*.lan`, `!bad`, `[name]:2222`) or a single hashed one. */
  hosts: HostPattern[]
  keyType: string
  /** The decoded public key blob, byte-for-byte what the server sends during key exchange. */
  key: Buffer
}

/** A host field item: a glob, possibly negated, or an `|1|salt|hash` hash of one name. */
export type HostPattern =
  | { kind: 'glob'; pattern: string; negated: boolean }
  | { kind: 'hashed'; salt: Buffer; hash: Buffer }

/** What known_hosts says about a host key. */
export type HostKeyVerdict = 'match' | 'mismatch' | 'unknown'

/**
 * Parses known_hosts text. Lines we cannot read are skipped, as OpenSSH does, so one bad line does
 * not lock the user out of every host.
 */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  for (const raw of text.split(/\r?\n/)) {
    const entry = parseLine(raw.trim())
    if (entry !== undefined) entries.push(entry)
  }
  return entries
}

function parseLine(line: string): KnownHostEntry | undefined {
  if (line === '' || line.startsWith('#')) return undefined
  const fields = line.split(/\s+/)
  let marker: KnownHostEntry['marker']
  if (fields[0]?.startsWith('@')) {
    const name = fields.shift()
    if (name === '@revoked') marker = 'revoked'
    else if (name === '@cert-authority') marker = 'cert-authority'
    else return undefined
  }
  const [hostField, keyType, keyBase64] = fields
  if (hostField === undefined || keyType === undefined || keyBase64 === undefined) return undefined
  const key = Buffer.from(keyBase64, 'base64')
  if (!blobHasType(key, keyType)) return undefined
  const hosts = parseHosts(hostField)
  return hosts === undefined ? undefined : { marker, hosts, keyType, key }
}

/** A real key blob starts with its own type name, which also catches lines that are not entries. */
function blobHasType(blob: Buffer, keyType: string): boolean {
  if (blob.length < 4) return false
  const length = blob.readUInt32BE(0)
  return blob.subarray(4, 4 + length).toString('latin1') === keyType
}

function parseHosts(field: string): HostPattern[] | undefined {
  if (field.startsWith('|')) {
    // Hashed form: |1|base64(salt)|base64(HMAC-SHA1(salt, name)); 1 is the only version that exists.
    const [, version, salt, hash] = field.split('|')
    if (version !== '1' || salt === undefined || hash === undefined) return undefined
    return [{ kind: 'hashed', salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') }]
  }
  return field
    .split(',')
    .filter((p) => p !== '')
    .map((p) => {
      const negated = p.startsWith('!')
      return { kind: 'glob', pattern: (negated ? p.slice(1) : p).toLowerCase(), negated }
    })
}

/** The name known_hosts uses for a host: bare on port 22, `[name]:port` otherwise. */
export function knownHostsName(hostName: string, port: number): string {
  const name = hostName.toLowerCase()
  return port === 22 ? name : `[${name}]:${port}`
}

/** Whether a line's host field names `name`. A matching negated pattern excludes the whole line. */
export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  let matched = false
  for (const host of entry.hosts) {
    if (!patternMatches(host, name)) continue
    if (host.kind === 'glob' && host.negated) return false
    matched = true
  }
  return matched
}

function patternMatches(host: HostPattern, name: string): boolean {
  if (host.kind === 'hashed') {
    const digest = createHmac('sha1', host.salt).update(name).digest()
    return digest.length === host.hash.length && timingSafeEqual(digest, host.hash)
  }
  return globToRegExp(host.pattern).test(name)
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`))
  return new RegExp(`^${body}$`)
}

/**
 * Checks a server's host key against known_hosts, as OpenSSH does for `hostName` on `port`:
 * a revoked key is a mismatch everywhere; a listed key for the host is a match; a host with keys
 * listed but not this one is a mismatch (possibly an attack); otherwise the host is unknown.
 */
export function verifyHostKey(
  entries: readonly KnownHostEntry[],
  hostName: string,
  port: number,
  keyBlob: Buffer,
): HostKeyVerdict {
  if (entries.some((e) => e.marker === 'revoked' && e.key.equals(keyBlob))) return 'mismatch'
  const known = hostKeys(entries, hostName, port)
  if (known.some((e) => e.key.equals(keyBlob))) return 'match'
  return known.length > 0 ? 'mismatch' : 'unknown'
}

/** The plain (unmarked) entries for a host, so a client can prefer the key types it already knows. */
export function hostKeys(
  entries: readonly KnownHostEntry[],
  hostName: string,
  port: number,
): KnownHostEntry[] {
  const name = knownHostsName(hostName, port)
  return entries.filter((e) => e.marker === undefined && entryMatchesHost(e, name))
}
