import { createHash } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'
import { FanoutError } from '../errors.js'

/** What one host lets in for one transfer: its listening ports, from the transfer's hosts only. */
export interface HoleSpec {
  /** The transfer's id; every firewall object is named after it (see {@link firewallName}). */
  transferId: string
  /** TCP ports this host listens on for the transfer: the tracker's, the agent's peer listener. */
  ports: readonly number[]
  /** Data addresses of every host of the transfer: IPv4 or IPv6 literals, without a zone (`%eth0`). */
  participants: readonly string[]
}

/** A spec after validation: deduplicated, sorted, addresses split by family. */
export interface CheckedSpec {
  name: string
  ports: number[]
  v4: string[]
  v6: string[]
}

/** The families whose input hook can drop our traffic; nft's `arp`, `bridge` and `netdev` cannot. */
export type NftFamily = 'ip' | 'ip6' | 'inet'

/** A chain of a table that is not ours. */
export interface NftChainRef {
  family: NftFamily
  table: string
  chain: string
}

/** One rule of ours inside a chain that is not ours, addressed the only stable way nft offers. */
export interface NftRuleRef extends NftChainRef {
  handle: number
}

/** Every fanout table, chain and rule comment is named like this: `fanout_` and 12 hex digits. */
export const FIREWALL_NAME = /^fanout_[0-9a-f]{12}$/

/**
 * The name of a transfer's firewall objects. A hash, not the id itself: transfer ids are UUIDs with
 * dashes, and the name must be a valid nft identifier and fit an iptables chain name (28 characters).
 */
export function firewallName(transferId: string): string {
  return `fanout_${createHash('sha256').update(transferId).digest('hex').slice(0, 12)}`
}

/** The iptables chain for a firewall name: `FANOUT-<12 hex>`, upper case like the built-in chains. */
export function iptablesChainName(name: string): string {
  return `FANOUT-${name.slice('fanout_'.length)}`
}

/**
 * Validates a spec before any of it reaches a command line or an nft script: the script is text, so
 * an address like `1.2.3.4 accept; flush ruleset` must never get that far.
 *
 * @throws FanoutError('FIREWALL') for no port, a port outside 1-65535, or a participant that is not
 * an IP literal.
 */
export function checkSpec(spec: HoleSpec): CheckedSpec {
  if (spec.ports.length === 0) throw invalid('no port to open')
  for (const port of spec.ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw invalid(`bad port ${port}`)
  }
  for (const address of spec.participants) {
    if (!isIPv4(address) && !(isIPv6(address) && !address.includes('%'))) {
      throw invalid(`participant ${JSON.stringify(address)} is not an IP address`)
    }
  }
  const unique = <T>(values: readonly T[]) => [...new Set(values)]
  return {
    name: firewallName(spec.transferId),
    ports: unique(spec.ports).sort((a, b) => a - b),
    v4: unique(spec.participants.filter((a) => isIPv4(a))).sort(),
    v6: unique(spec.participants.filter((a) => isIPv6(a))).sort(),
  }
}

/**
 * The `nft -f -` script that opens a transfer's holes in one transaction. Our own table's base chain
 * runs before the usual filter chains (priority -10) and accepts the transfer's ports from loopback
 * and from participants, then drops them for everyone else, so the ports are closed to outsiders even
 * on a host with no ruleset. An accept in one table cannot overrule a drop in another table's base
 * chain, so every `blocking` chain (see `blockingInputChains`) also gets accept rules inserted at its
 * top, marked with our name as comment; existing rules are never changed.
 */
export function nftOpenScript(spec: HoleSpec, blocking: readonly NftChainRef[] = []): string {
  const checked = checkSpec(spec)
  const dport = `tcp dport ${nftSet(checked.ports.map(String))}`
  const lines = [
    `table inet ${checked.name} {`,
    '  chain input {',
    '    type filter hook input priority -10; policy accept;',
    `    iif "lo" ${dport} accept`,
    ...sourceMatches(checked, 'inet').map((match) => `    ${match} ${dport} accept`),
    `    ${dport} drop`,
    '  }',
    '}',
    ...blocking.flatMap((chain) => insertRules(chain, checked)),
  ]
  return `${lines.join('\n')}\n`
}

/**
 * The `nft -f -` script that closes a transfer's holes in one transaction: our rules in other chains
 * by handle, and our table. `add table` first makes the delete valid whether or not the table is
 * still there (nft 1.0.6 has no `destroy`), so the same script also closes half-removed leftovers.
 */
export function nftCloseScript(name: string, ownRules: readonly NftRuleRef[] = []): string {
  if (!FIREWALL_NAME.test(name)) throw invalid(`${JSON.stringify(name)} is not a fanout firewall name`)
  const lines = [
    `add table inet ${name}`,
    `delete table inet ${name}`,
    ...ownRules.map((r) => `delete rule ${chainPath(r)} handle ${r.handle}`),
  ]
  return `${lines.join('\n')}\n`
}

/**
 * Accept rules for another table's chain. Chains named `INPUT` in `ip`/`ip6` tables are iptables-nft's:
 * there, one rule per address and port keeps the rules in a form `iptables -S` and `iptables-save`
 * show faithfully (an anonymous set would print as a bare `-p tcp -j ACCEPT` and could be restored
 * as a rule that opens every TCP port). Elsewhere, one rule per address family with sets.
 */
function insertRules(chain: NftChainRef, spec: CheckedSpec): string[] {
  const prefix = `insert rule ${chainPath(chain)}`
  const comment = `comment "${spec.name}"`
  if (chain.chain === 'INPUT' && chain.family !== 'inet') {
    const sources = chain.family === 'ip' ? spec.v4 : spec.v6
    const keyword = chain.family === 'ip' ? 'ip' : 'ip6'
    return sources.flatMap((source) =>
      spec.ports.map((port) => `${prefix} ${keyword} saddr ${source} tcp dport ${port} accept ${comment}`),
    )
  }
  const dport = `tcp dport ${nftSet(spec.ports.map(String))}`
  return sourceMatches(spec, chain.family).map((match) => `${prefix} ${match} ${dport} accept ${comment}`)
}

/** `ip saddr { … }` and/or `ip6 saddr { … }`, as far as the family can carry them. */
function sourceMatches(spec: CheckedSpec, family: NftFamily): string[] {
  const matches: string[] = []
  if (family !== 'ip6' && spec.v4.length > 0) matches.push(`ip saddr ${nftSet(spec.v4)}`)
  if (family !== 'ip' && spec.v6.length > 0) matches.push(`ip6 saddr ${nftSet(spec.v6)}`)
  return matches
}

// nft 1.0.6 cannot quote table or chain names in its text syntax, so a name it would not read back
// bare is refused here rather than turned into a script that does something else.
const NFT_IDENTIFIER = /^[A-Za-z_.][A-Za-z0-9_./-]*$/

function chainPath(chain: NftChainRef): string {
  for (const word of [chain.table, chain.chain]) {
    if (!NFT_IDENTIFIER.test(word)) throw invalid(`nft chain name ${JSON.stringify(word)} cannot be written`)
  }
  return `${chain.family} ${chain.table} ${chain.chain}`
}

function nftSet(elements: readonly string[]): string {
  return `{ ${elements.join(', ')} }`
}

function invalid(message: string): FanoutError {
  return new FanoutError('FIREWALL', `firewall: ${message}`)
}
