import { describe, expect, test } from 'vitest'
import { FanoutError } from '../../../shared/errors.js'
import {
  blockingInputChains,
  fanoutRules,
  fanoutTables,
  parseNftRuleset,
} from '../../../shared/firewall/nft-json.js'

/**
 * `nft -j list ruleset` from nft 1.0.6, captured in a throwaway network namespace after loading: an
 * iptables-nft INPUT chain with policy DROP, a native inet filter table (policy drop, and an output
 * chain), an ip6 table whose input chain only accepts, a chain that jumps to a dropping one, a netdev
 * ingress chain, one fanout table, rules of two fanout transfers and a rule with another comment.
 */
const CAPTURED = `{"nftables": [
  {"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
  {"table": {"family": "ip", "name": "filter", "handle": 1}},
  {"chain": {"family": "ip", "table": "filter", "name": "INPUT", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
  {"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "handle": 3, "comment": "fanout_0123456789ab", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.0.0.2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 4000}}, {"accept": null}]}},
  {"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "handle": 2, "expr": [{"xt": {"type": "match", "name": "conntrack"}}, {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}},
  {"table": {"family": "inet", "name": "filter", "handle": 2}},
  {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
  {"chain": {"family": "inet", "table": "filter", "name": "output", "handle": 2, "type": "filter", "hook": "output", "prio": 0, "policy": "drop"}},
  {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 6, "comment": "someone else", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 10}}, {"accept": null}]}},
  {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 5, "comment": "fanout_aaaaaaaaaaaa", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 9}}, {"accept": null}]}},
  {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 4, "comment": "fanout_0123456789ab", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.0.0.2"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 4000}}, {"accept": null}]}},
  {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 3, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "lo"}}, {"accept": null}]}},
  {"table": {"family": "ip6", "name": "quiet", "handle": 3}},
  {"chain": {"family": "ip6", "table": "quiet", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
  {"rule": {"family": "ip6", "table": "quiet", "chain": "input", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}},
  {"table": {"family": "inet", "name": "jumpy", "handle": 4}},
  {"chain": {"family": "inet", "table": "jumpy", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
  {"chain": {"family": "inet", "table": "jumpy", "name": "checks", "handle": 2}},
  {"rule": {"family": "inet", "table": "jumpy", "chain": "input", "handle": 3, "expr": [{"jump": {"target": "checks"}}]}},
  {"rule": {"family": "inet", "table": "jumpy", "chain": "checks", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 80}}, {"drop": null}]}},
  {"table": {"family": "netdev", "name": "edge", "handle": 5}},
  {"chain": {"family": "netdev", "table": "edge", "name": "ingress", "handle": 1, "type": "filter", "hook": "ingress", "prio": 0, "policy": "drop"}},
  {"table": {"family": "inet", "name": "fanout_0123456789ab", "handle": 6}},
  {"chain": {"family": "inet", "table": "fanout_0123456789ab", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": -10, "policy": "accept"}},
  {"rule": {"family": "inet", "table": "fanout_0123456789ab", "chain": "input", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 4000}}, {"drop": null}]}}
]}`

const NAME = 'fanout_0123456789ab'

function chainJson(policy: string): string {
  return `{"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "${policy}"}}`
}

describe('parseNftRuleset', () => {
  test('reads tables, chains and rules', () => {
    const ruleset = parseNftRuleset(CAPTURED)
    expect(ruleset.tables.map((t) => `${t.family} ${t.name}`)).toEqual([
      'ip filter',
      'inet filter',
      'ip6 quiet',
      'inet jumpy',
      'netdev edge',
      `inet ${NAME}`,
    ])
    expect(ruleset.chains).toHaveLength(8)
    expect(ruleset.rules).toHaveLength(10)
  })

  test.each([
    ['an empty ruleset', '{"nftables": [{"metainfo": {"version": "1.0.6"}}]}'],
    ['objects of kinds we skip', '{"nftables": [{"set": {"name": "s"}}, {"map": {}}]}'],
  ])('%s', (_why, json) => {
    expect(parseNftRuleset(json)).toEqual({ tables: [], chains: [], rules: [] })
  })

  test.each([
    ['text output', 'table inet filter {\n}'],
    ['JSON without the list', '{"tables": []}'],
  ])('refuses %s', (_why, text) => {
    expect(() => parseNftRuleset(text)).toThrow(FanoutError)
  })
})

describe('blockingInputChains', () => {
  test('input base chains that can drop, in every family with an input hook, never our own', () => {
    expect(blockingInputChains(parseNftRuleset(CAPTURED))).toEqual([
      { family: 'ip', table: 'filter', chain: 'INPUT' },
      { family: 'inet', table: 'filter', chain: 'input' },
      { family: 'inet', table: 'jumpy', chain: 'input' },
    ])
  })

  test.each<[string, string, number]>([
    ['policy drop and no rule', 'drop', 1],
    ['policy accept and no rule', 'accept', 0],
  ])('a chain with %s', (_why, policy, count) => {
    expect(blockingInputChains(parseNftRuleset(`{"nftables": [${chainJson(policy)}]}`))).toHaveLength(count)
  })

  test.each<[string, string, number]>([
    ['reject', '{"reject": {"type": "icmp"}}', 1],
    ['a verdict map', '{"vmap": {"key": {"payload": {}}, "data": {"set": [[22, {"drop": null}]]}}}', 1],
    ['goto', '{"goto": {"target": "x"}}', 1],
    ['only counter and accept', '{"counter": {"packets": 0, "bytes": 0}}, {"accept": null}', 0],
  ])('a policy accept chain with a rule that does %s', (_why, verdict, count) => {
    const rule = `{"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 2, "expr": [${verdict}]}}`
    const json = `{"nftables": [${chainJson('accept')}, ${rule}]}`
    expect(blockingInputChains(parseNftRuleset(json))).toHaveLength(count)
  })
})

describe('fanoutRules and fanoutTables', () => {
  test('the rules of one transfer, by handle', () => {
    expect(fanoutRules(parseNftRuleset(CAPTURED), NAME)).toEqual([
      { family: 'ip', table: 'filter', chain: 'INPUT', handle: 3, name: NAME },
      { family: 'inet', table: 'filter', chain: 'input', handle: 4, name: NAME },
    ])
  })

  test('every fanout rule, for finding leftovers; other comments are not ours', () => {
    expect(fanoutRules(parseNftRuleset(CAPTURED)).map((r) => `${r.handle} ${r.name}`)).toEqual([
      `3 ${NAME}`,
      '5 fanout_aaaaaaaaaaaa',
      `4 ${NAME}`,
    ])
  })

  test('fanout tables', () => {
    expect(fanoutTables(parseNftRuleset(CAPTURED))).toEqual([NAME])
  })
})
