import { describe, expect, test } from 'vitest'
import { FanoutError } from '../../../shared/errors.js'
import {
  checkSpec,
  FIREWALL_NAME,
  firewallName,
  type HoleSpec,
  iptablesChainName,
  type NftChainRef,
  nftCloseScript,
  nftOpenScript,
} from '../../../shared/firewall/ruleset.js'

const ID = '7d4c2a4e-8f0b-4c1a-9e55-0f6a2b3c4d5e'
const NAME = firewallName(ID)

function spec(ports: number[], participants: string[]): HoleSpec {
  return { transferId: ID, ports, participants }
}

describe('firewallName', () => {
  test.each([ID, 'x', '', 'a'.repeat(500), 'id with spaces; and "quotes"'])('%j gives a valid name', (id) => {
    const name = firewallName(id)
    expect(name).toMatch(FIREWALL_NAME)
    expect(firewallName(id)).toBe(name)
    expect(iptablesChainName(name)).toMatch(/^FANOUT-[0-9a-f]{12}$/)
    // iptables refuses chain names longer than 28 characters.
    expect(iptablesChainName(name).length).toBeLessThanOrEqual(28)
  })

  test('different transfers get different names', () => {
    expect(firewallName('a')).not.toBe(firewallName('b'))
  })
})

describe('checkSpec', () => {
  test('sorts, deduplicates and splits addresses by family', () => {
    const checked = checkSpec(spec([6881, 80, 6881], ['10.0.0.3', 'fd00::2', '10.0.0.2', '10.0.0.3']))
    expect(checked).toEqual({ name: NAME, ports: [80, 6881], v4: ['10.0.0.2', '10.0.0.3'], v6: ['fd00::2'] })
  })

  test.each<[string, number[], string[]]>([
    ['no port', [], ['10.0.0.2']],
    ['port 0', [0], ['10.0.0.2']],
    ['a port above 65535', [65_536], ['10.0.0.2']],
    ['a fractional port', [80.5], ['10.0.0.2']],
    ['a host name', [80], ['h1']],
    ['a CIDR block', [80], ['10.0.0.0/24']],
    ['an IPv6 zone', [80], ['fe80::1%eth0']],
    ['an injection attempt', [80], ['10.0.0.2 } accept; flush ruleset; {']],
  ])('refuses %s', (_why, ports, participants) => {
    expect(() => checkSpec(spec(ports, participants))).toThrow(FanoutError)
    try {
      checkSpec(spec(ports, participants))
    } catch (err) {
      expect((err as FanoutError).code).toBe('FIREWALL')
    }
  })
})

describe('nftOpenScript', () => {
  test('a dual-stack transfer on a host with no ruleset', () => {
    expect(nftOpenScript(spec([7000, 6881], ['10.0.0.2', 'fd00::2', '10.0.0.1']))).toBe(
      [
        `table inet ${NAME} {`,
        '  chain input {',
        '    type filter hook input priority -10; policy accept;',
        '    iif "lo" tcp dport { 6881, 7000 } accept',
        '    ip saddr { 10.0.0.1, 10.0.0.2 } tcp dport { 6881, 7000 } accept',
        '    ip6 saddr { fd00::2 } tcp dport { 6881, 7000 } accept',
        '    tcp dport { 6881, 7000 } drop',
        '  }',
        '}',
        '',
      ].join('\n'),
    )
  })

  test.each<[string, string[], string[]]>([
    ['IPv4 only', ['10.0.0.2'], ['ip saddr { 10.0.0.2 }']],
    ['IPv6 only', ['fd00::2'], ['ip6 saddr { fd00::2 }']],
    ['no participant but loopback', [], []],
  ])('%s: accept rules for the families present, then the drop', (_why, participants, sources) => {
    const lines = nftOpenScript(spec([6881], participants)).split('\n')
    const accepts = lines.filter((l) => l.includes('saddr')).map((l) => l.trim())
    expect(accepts).toEqual(sources.map((s) => `${s} tcp dport { 6881 } accept`))
    expect(lines).toContain('    tcp dport { 6881 } drop')
  })

  test.each<[string, NftChainRef, string[]]>([
    [
      'a native inet chain gets one rule per family, with sets',
      { family: 'inet', table: 'filter', chain: 'input' },
      [
        `insert rule inet filter input ip saddr { 10.0.0.2, 10.0.0.3 } tcp dport { 6881, 7000 } accept comment "${NAME}"`,
        `insert rule inet filter input ip6 saddr { fd00::2 } tcp dport { 6881, 7000 } accept comment "${NAME}"`,
      ],
    ],
    [
      'a native ip chain gets the IPv4 rule only',
      { family: 'ip', table: 'fw', chain: 'in' },
      [
        `insert rule ip fw in ip saddr { 10.0.0.2, 10.0.0.3 } tcp dport { 6881, 7000 } accept comment "${NAME}"`,
      ],
    ],
    [
      'an iptables-nft INPUT chain gets one plain rule per address and port',
      { family: 'ip', table: 'filter', chain: 'INPUT' },
      [
        `insert rule ip filter INPUT ip saddr 10.0.0.2 tcp dport 6881 accept comment "${NAME}"`,
        `insert rule ip filter INPUT ip saddr 10.0.0.2 tcp dport 7000 accept comment "${NAME}"`,
        `insert rule ip filter INPUT ip saddr 10.0.0.3 tcp dport 6881 accept comment "${NAME}"`,
        `insert rule ip filter INPUT ip saddr 10.0.0.3 tcp dport 7000 accept comment "${NAME}"`,
      ],
    ],
    [
      'an ip6tables-nft INPUT chain gets the IPv6 addresses',
      { family: 'ip6', table: 'filter', chain: 'INPUT' },
      [
        `insert rule ip6 filter INPUT ip6 saddr fd00::2 tcp dport 6881 accept comment "${NAME}"`,
        `insert rule ip6 filter INPUT ip6 saddr fd00::2 tcp dport 7000 accept comment "${NAME}"`,
      ],
    ],
  ])('%s', (_why, chain, inserts) => {
    const script = nftOpenScript(spec([7000, 6881], ['10.0.0.3', '10.0.0.2', 'fd00::2']), [chain])
    expect(script.split('\n').filter((l) => l.startsWith('insert'))).toEqual(inserts)
  })

  test('refuses a chain name nft could not read back bare', () => {
    const chain: NftChainRef = { family: 'inet', table: 'my table', chain: 'input' }
    expect(() => nftOpenScript(spec([80], ['10.0.0.2']), [chain])).toThrow(/cannot be written/)
  })
})

describe('nftCloseScript', () => {
  test.each<[string, Parameters<typeof nftCloseScript>[1], string[]]>([
    ['only our table', [], []],
    [
      'our table and our rules elsewhere',
      [
        { family: 'inet', table: 'filter', chain: 'input', handle: 7 },
        { family: 'ip', table: 'filter', chain: 'INPUT', handle: 12 },
      ],
      ['delete rule inet filter input handle 7', 'delete rule ip filter INPUT handle 12'],
    ],
  ])('%s', (_why, rules, deletes) => {
    expect(nftCloseScript(NAME, rules)).toBe(
      [`add table inet ${NAME}`, `delete table inet ${NAME}`, ...deletes, ''].join('\n'),
    )
  })

  test.each(['filter', 'fanout_xyz', 'fanout_0123456789ab; flush ruleset'])('refuses the name %j', (name) => {
    expect(() => nftCloseScript(name)).toThrow(/not a fanout firewall name/)
  })
})
