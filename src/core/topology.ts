import { FanoutError } from '../../shared/errors.js'
import { type Endpoint, isBareHost, parseEndpointAt } from './endpoint.js'
import type { TransferPlan } from './plan.js'
import type { SiteLayout } from './sites.js'

/** A parsed `--topology` file: which datacenter label each host has. */
export interface Topology {
  /** The file as the user named it, for messages. */
  file: string
  /** HOST as written in the file (brackets of an IPv6 address removed) -> its label and line. */
  hosts: ReadonlyMap<string, { label: string; line: number }>
}

/** The name local endpoints (bare paths, `localhost:`, `127.0.0.1:`, `[::1]:`) are looked up under. */
const LOCAL_HOST = 'localhost'

/**
 * Parses `HOST LABEL` lines; `#` starts a comment, blank lines are skipped. HOST may also be an
 * endpoint, `[user@]host:/dir` or a local path, so that a `--targets` file with a site column serves
 * as the topology too: its host part counts. A host listed twice with the same label is fine, with
 * two labels it is an error. Every error is one line naming the file and the line, so the user can
 * fix it before anything connects.
 */
export function parseTopology(text: string, file: string): Topology {
  const hosts = new Map<string, { label: string; line: number }>()
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1
    const content = raw.replace(/#.*$/, '').trim()
    if (content === '') return
    const [host, label, ...rest] = content.split(/\s+/)
    if (host === undefined || label === undefined || rest.length > 0) {
      throw usage(`${file}:${line}: expected "HOST LABEL", found ${JSON.stringify(content)}`)
    }
    const key = hostKeyOf(host, `${file}:${line}`)
    const seen = hosts.get(key)
    if (seen !== undefined && seen.label !== label) {
      const named = key === unbracket(host) ? host : `${host} (host ${key})`
      throw usage(
        `${file}:${line}: ${named} is labelled ${label} here but ${seen.label} on line ${seen.line}`,
      )
    }
    if (seen === undefined) hosts.set(key, { label, line })
  })
  return { file, hosts }
}

/**
 * Gives every endpoint of the plan its site from the file. A host written `user@host` on the command
 * line matches a `user@host` line first, then a `host` line; local endpoints match `localhost`.
 * Sites are numbered with the source's label as 0, then in the order the targets name new labels.
 */
export function layoutFromTopology(plan: TransferPlan, topology: Topology): SiteLayout {
  const labels = [labelOf(plan.source, topology)]
  const targets = plan.targets.map((target) => {
    const label = labelOf(target, topology)
    if (!labels.includes(label)) labels.push(label)
    return labels.indexOf(label)
  })
  return { from: 'topology', labels, targets, file: topology.file }
}

function labelOf(endpoint: Endpoint, topology: Topology): string {
  const keys = hostKeys(endpoint)
  for (const key of keys) {
    const entry = topology.hosts.get(key)
    if (entry !== undefined) return entry.label
  }
  throw usage(`${topology.file}: no line for host ${keys.at(-1)} (${endpoint.spec}); every host needs one`)
}

function hostKeys(endpoint: Endpoint): string[] {
  if (endpoint.host === null) return [LOCAL_HOST]
  return endpoint.user === undefined ? [endpoint.host] : [`${endpoint.user}@${endpoint.host}`, endpoint.host]
}

/** The key a line's first column is looked up under: the host as written, or an endpoint's host. */
function hostKeyOf(column: string, where: string): string {
  if (isBareHost(column)) return unbracket(column)
  // Only the host matters here, so any directory serves for a relative local path.
  return hostKeys(parseEndpointAt(column, '/', where))[0] as string
}

function unbracket(host: string): string {
  const at = host.lastIndexOf('@')
  const name = host.slice(at + 1)
  return name.startsWith('[') && name.endsWith(']') ? `${host.slice(0, at + 1)}${name.slice(1, -1)}` : host
}

function usage(message: string): FanoutError {
  return new FanoutError('USAGE', message)
}
