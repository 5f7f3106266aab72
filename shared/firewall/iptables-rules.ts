import { type CheckedSpec, checkSpec, FIREWALL_NAME, type HoleSpec, iptablesChainName } from './ruleset.js'

/** The two iptables front ends: one per address family. */
export type IptablesTool = 'iptables' | 'ip6tables'

// The multiport match takes at most 15 ports per rule.
const MULTIPORT_MAX = 15

/**
 * The commands that open a transfer's holes where there is no nft: a dedicated chain that accepts the
 * transfer's ports from loopback and from participants and drops them for everyone else, then one jump
 * to it at the top of INPUT, added last so traffic never meets a half-built chain. ACCEPT in a chain
 * jumped to from INPUT is final, so the hole works under a DROP policy too; existing rules are never
 * changed. ip6tables gets the same when there are IPv6 participants.
 */
export function iptablesOpenCommands(spec: HoleSpec): string[][] {
  const checked = checkSpec(spec)
  return [
    ...familyCommands('iptables', checked, checked.v4),
    ...(checked.v6.length > 0 ? familyCommands('ip6tables', checked, checked.v6) : []),
  ]
}

/**
 * The commands that remove a transfer's chains: the jump, then the chain's rules, then the chain.
 * Each fails harmlessly when its object is already gone, so callers run them all and check after.
 */
export function iptablesCloseCommands(name: string): string[][] {
  const chain = iptablesChainName(name)
  return (['iptables', 'ip6tables'] as const).flatMap((tool) => [
    [tool, '-w', '-D', 'INPUT', '-j', chain],
    [tool, '-w', '-F', chain],
    [tool, '-w', '-X', chain],
  ])
}

/**
 * The fanout firewall names whose chains appear in `iptables -S` output (`-N FANOUT-<hex>` lines),
 * for finding what a lost run left.
 */
export function fanoutNamesInIptables(listing: string): string[] {
  const names: string[] = []
  for (const line of listing.split('\n')) {
    const match = /^-N FANOUT-([0-9a-f]{12})$/.exec(line.trim())
    const name = `fanout_${match?.[1]}`
    if (match !== null && FIREWALL_NAME.test(name)) names.push(name)
  }
  return names
}

function familyCommands(tool: IptablesTool, spec: CheckedSpec, sources: readonly string[]): string[][] {
  const add = [tool, '-w', '-A', iptablesChainName(spec.name)]
  const portMatches = chunks(spec.ports, MULTIPORT_MAX).map((ports) => [
    '-p',
    'tcp',
    '-m',
    'multiport',
    '--dports',
    ports.join(','),
  ])
  return [
    [tool, '-w', '-N', iptablesChainName(spec.name)],
    ...portMatches.map((ports) => [...add, '-i', 'lo', ...ports, '-j', 'ACCEPT']),
    ...sources.flatMap((source) =>
      portMatches.map((ports) => [...add, '-s', source, ...ports, '-j', 'ACCEPT']),
    ),
    ...portMatches.map((ports) => [...add, ...ports, '-j', 'DROP']),
    [tool, '-w', '-I', 'INPUT', '1', '-j', iptablesChainName(spec.name)],
  ]
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
