import { describe, expect, test } from 'vitest'
import {
  fanoutNamesInIptables,
  iptablesCloseCommands,
  iptablesOpenCommands,
} from '../../../shared/firewall/iptables-rules.js'
import { firewallName, iptablesChainName } from '../../../shared/firewall/ruleset.js'

const ID = 'transfer-1'
const NAME = firewallName(ID)
const CHAIN = iptablesChainName(NAME)

describe('iptablesOpenCommands', () => {
  test('an IPv4 transfer: chain, loopback, participants, drop, then the jump at the top of INPUT', () => {
    const ports = ['-p', 'tcp', '-m', 'multiport', '--dports', '6881,7000']
    expect(
      iptablesOpenCommands({ transferId: ID, ports: [7000, 6881], participants: ['10.0.0.3', '10.0.0.2'] }),
    ).toEqual([
      ['iptables', '-w', '-N', CHAIN],
      ['iptables', '-w', '-A', CHAIN, '-i', 'lo', ...ports, '-j', 'ACCEPT'],
      ['iptables', '-w', '-A', CHAIN, '-s', '10.0.0.2', ...ports, '-j', 'ACCEPT'],
      ['iptables', '-w', '-A', CHAIN, '-s', '10.0.0.3', ...ports, '-j', 'ACCEPT'],
      ['iptables', '-w', '-A', CHAIN, ...ports, '-j', 'DROP'],
      ['iptables', '-w', '-I', 'INPUT', '1', '-j', CHAIN],
    ])
  })

  test.each<[string, string[], string[]]>([
    ['IPv4 only', ['10.0.0.2'], ['iptables']],
    ['IPv6 participants add ip6tables', ['10.0.0.2', 'fd00::2'], ['iptables', 'ip6tables']],
  ])('%s', (_why, participants, tools) => {
    const commands = iptablesOpenCommands({ transferId: ID, ports: [80], participants })
    expect([...new Set(commands.map((argv) => argv[0]))]).toEqual(tools)
    const v6 = commands.filter((argv) => argv[0] === 'ip6tables' && argv.includes('-s'))
    expect(v6.map((argv) => argv[argv.indexOf('-s') + 1])).toEqual(
      participants.filter((p) => p.includes(':')),
    )
  })

  test('more than 15 ports are split, since multiport takes at most 15', () => {
    const ports = Array.from({ length: 20 }, (_, i) => 7000 + i)
    const drops = iptablesOpenCommands({ transferId: ID, ports, participants: [] }).filter((a) =>
      a.includes('DROP'),
    )
    expect(drops.map((argv) => argv[argv.indexOf('--dports') + 1]?.split(',').length)).toEqual([15, 5])
  })
})

describe('iptablesCloseCommands', () => {
  test('jump, flush, delete, for both families', () => {
    expect(iptablesCloseCommands(NAME)).toEqual(
      ['iptables', 'ip6tables'].flatMap((tool) => [
        [tool, '-w', '-D', 'INPUT', '-j', CHAIN],
        [tool, '-w', '-F', CHAIN],
        [tool, '-w', '-X', CHAIN],
      ]),
    )
  })
})

describe('fanoutNamesInIptables', () => {
  test.each<[string, string, string[]]>([
    ['an empty ruleset', '-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n', []],
    [
      'our chains among others',
      [
        '-P INPUT DROP',
        '-N DOCKER',
        '-N FANOUT-0123456789ab',
        '-N FANOUT-short',
        '-N FANOUT-0123456789AB',
        '-A INPUT -j FANOUT-0123456789ab',
        '-A FANOUT-0123456789ab -s 10.0.0.2/32 -p tcp -m multiport --dports 80 -j ACCEPT',
      ].join('\n'),
      ['fanout_0123456789ab'],
    ],
  ])('%s', (_why, listing, names) => {
    expect(fanoutNamesInIptables(listing)).toEqual(names)
  })
})
