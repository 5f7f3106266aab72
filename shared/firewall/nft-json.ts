import { FanoutError } from '../errors.js'
import { FIREWALL_NAME, type NftChainRef, type NftFamily, type NftRuleRef } from './ruleset.js'

/** The parts of `nft -j list ruleset` we read. Objects of other kinds (sets, maps, …) are skipped. */
export interface NftRuleset {
  tables: { family: string; name: string }[]
  chains: NftChain[]
  rules: NftRule[]
}

/** A chain as nft lists it; base chains have a hook, a type and a policy. */
export interface NftChain {
  family: string
  table: string
  name: string
  hook?: string
  type?: string
  policy?: string
}

/** A rule as nft lists it: its place, handle, comment, and its expressions as raw JSON. */
export interface NftRule {
  family: string
  table: string
  chain: string
  handle: number
  comment?: string
  expr: unknown
}

/**
 * Reads `nft -j list ruleset` output.
 *
 * @throws FanoutError('FIREWALL') when the text is not the JSON nft prints.
 */
export function parseNftRuleset(json: string): NftRuleset {
  let items: unknown
  try {
    items = (JSON.parse(json) as { nftables?: unknown }).nftables
  } catch (err) {
    throw new FanoutError('FIREWALL', 'firewall: nft printed a ruleset that is not JSON', {}, { cause: err })
  }
  if (!Array.isArray(items)) throw new FanoutError('FIREWALL', 'firewall: nft printed no "nftables" list')
  const ruleset: NftRuleset = { tables: [], chains: [], rules: [] }
  for (const item of items as Record<string, unknown>[]) {
    if (isObject(item.table)) ruleset.tables.push(item.table as NftRuleset['tables'][number])
    if (isObject(item.chain)) ruleset.chains.push(item.chain as unknown as NftChain)
    if (isObject(item.rule)) ruleset.rules.push(item.rule as unknown as NftRule)
  }
  return ruleset
}

/**
 * Input base chains of other tables that could drop a transfer's traffic: policy drop, or a rule
 * whose verdict drops, rejects or jumps somewhere that might. An accept in our own table does not
 * stop such a chain from dropping the packet later, so each of these needs a rule of ours as well.
 */
export function blockingInputChains(ruleset: NftRuleset): NftChainRef[] {
  return ruleset.chains
    .filter((c) => c.hook === 'input' && c.type === 'filter' && isFamily(c.family) && !isOurs(c))
    .filter((c) => c.policy === 'drop' || rulesOf(ruleset, c).some((r) => mayDrop(r.expr)))
    .map((c) => ({ family: c.family as NftFamily, table: c.table, chain: c.name }))
}

/**
 * Our rules in other tables' chains: those whose comment is `name`, or any fanout name when `name` is
 * undefined (what a lost run left).
 */
export function fanoutRules(ruleset: NftRuleset, name?: string): (NftRuleRef & { name: string })[] {
  return ruleset.rules
    .filter((r) => isFamily(r.family) && !isOurs(r) && r.comment !== undefined)
    .filter((r) => (name === undefined ? FIREWALL_NAME.test(r.comment ?? '') : r.comment === name))
    .map((r) => ({
      family: r.family as NftFamily,
      table: r.table,
      chain: r.chain,
      handle: r.handle,
      name: r.comment ?? '',
    }))
}

/** Names of the fanout tables in the ruleset (`table inet fanout_<hex>`). */
export function fanoutTables(ruleset: NftRuleset): string[] {
  return ruleset.tables.filter((t) => isOurs({ family: t.family, table: t.name })).map((t) => t.name)
}

function isOurs(item: { family: string; table: string }): boolean {
  return item.family === 'inet' && FIREWALL_NAME.test(item.table)
}

function isFamily(family: string): family is NftFamily {
  return family === 'ip' || family === 'ip6' || family === 'inet'
}

function rulesOf(ruleset: NftRuleset, chain: NftChain): NftRule[] {
  return ruleset.rules.filter(
    (r) => r.family === chain.family && r.table === chain.table && r.chain === chain.name,
  )
}

// Verdicts that can end in a drop: directly, through a verdict map, or in a chain jumped to.
const DROPPING_VERDICTS = new Set(['drop', 'reject', 'jump', 'goto', 'vmap', 'queue'])

function mayDrop(expr: unknown): boolean {
  if (Array.isArray(expr)) return expr.some(mayDrop)
  if (!isObject(expr)) return false
  return Object.entries(expr).some(([key, value]) => DROPPING_VERDICTS.has(key) || mayDrop(value))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
