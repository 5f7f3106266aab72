import { describe, expect, test } from 'vitest'
import { type JumpSpec, parseProxyJump } from '../../../src/exec/proxy-jump.js'
import { resolveSshTarget, type SshTargetEnv } from '../../../src/exec/ssh-target.js'

const env: SshTargetEnv = { homeDir: '/home/me', localUser: 'me', fileExists: () => false }

describe('parseProxyJump', () => {
  test.each<[string, JumpSpec[]]>([
    ['bastion', [{ host: 'bastion' }]],
    ['ops@bastion', [{ host: 'bastion', user: 'ops' }]],
    ['bastion:2222', [{ host: 'bastion', port: 2222 }]],
    ['ops@10.0.0.1:2222', [{ host: '10.0.0.1', user: 'ops', port: 2222 }]],
    ['a@b@bastion', [{ host: 'bastion', user: 'a@b' }]],
    ['[fd00::1]:2200', [{ host: 'fd00::1', port: 2200 }]],
    ['ops@[fd00::1]', [{ host: 'fd00::1', user: 'ops' }]],
    ['ssh://ops@bastion:2222', [{ host: 'bastion', user: 'ops', port: 2222 }]],
    ['h1,ops@h2:23', [{ host: 'h1' }, { host: 'h2', user: 'ops', port: 23 }]],
  ])('%s', (value, hops) => {
    expect(parseProxyJump(value, 'target')).toEqual(hops)
  })

  test.each([
    ['an empty hop', 'h1,,h2'],
    ['a trailing comma', 'h1,'],
    ['port 0', 'h1:0'],
    ['port 65536', 'h1:65536'],
    ['a port that is not a number', 'h1:ssh'],
    ['an IPv6 address without brackets', 'fd00::1'],
    ['spaces', 'h1 h2'],
    ['an empty user', '@h1'],
  ])('%s is an SSH_CONFIG error naming the target and the hop', (_name, value) => {
    expect(() => parseProxyJump(value, 'target')).toThrowError(
      expect.objectContaining({ code: 'SSH_CONFIG', message: expect.stringMatching(/^target: .*ProxyJump/) }),
    )
  })
})

const CONFIG = `
Host target
  HostName 10.0.1.5
  ProxyJump bastion

Host chained
  HostName 10.0.1.6
  ProxyJump bastion,ops@inner:2200

Host bastion
  HostName 192.0.2.1
  User jump
  Port 2022
  IdentityFile ~/.ssh/bastion_key
  UserKnownHostsFile ~/.ssh/kh_bastion
  StrictHostKeyChecking accept-new
  ConnectTimeout 3

Host inner
  HostName 10.0.0.9
  User inside
  Port 22
  ProxyJump elsewhere

Host deep
  ProxyJump via-outer

Host via-outer
  ProxyJump bastion

Host direct
  ProxyJump none
  ProxyCommand nc %h %p

Host jump-first
  ProxyJump bastion
  ProxyCommand nc %h %p

Host command-first
  ProxyCommand nc %h %p
  ProxyJump bastion

Host loop
  ProxyJump loop
`

const bastion = {
  displayName: 'bastion',
  hostName: '192.0.2.1',
  user: 'jump',
  port: 2022,
  identityFiles: ['/home/me/.ssh/bastion_key'],
  knownHostsFiles: ['/home/me/.ssh/kh_bastion', '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
  strictHostKeyChecking: 'accept-new',
  connectTimeoutMs: 3000,
  jumpHosts: [],
}

describe('resolveSshTarget with ProxyJump', () => {
  test('the jump host is resolved through its own Host block', () => {
    const target = resolveSshTarget({ host: 'target' }, CONFIG, env)
    expect(target).toMatchObject({ hostName: '10.0.1.5', port: 22, user: 'root' })
    expect(target.jumpHosts).toEqual([bastion])
  })

  test('a chain: user and port in the hop win, and a later hop ignores its own ProxyJump', () => {
    const target = resolveSshTarget({ host: 'chained' }, CONFIG, env)
    expect(target.jumpHosts.map((h) => [h.displayName, h.hostName, h.user, h.port])).toEqual([
      ['bastion', '192.0.2.1', 'jump', 2022],
      ['ops@inner', '10.0.0.9', 'ops', 2200],
    ])
    expect(target.jumpHosts.every((h) => h.jumpHosts.length === 0)).toBe(true)
  })

  test("the first hop's own ProxyJump comes first, flattened", () => {
    const target = resolveSshTarget({ host: 'deep' }, CONFIG, env)
    expect(target.jumpHosts.map((h) => h.displayName)).toEqual(['bastion', 'via-outer'])
  })

  test('--connect-timeout applies to every hop', () => {
    const target = resolveSshTarget({ host: 'chained', connectTimeoutMs: 9000 }, CONFIG, env)
    expect(target.jumpHosts.map((h) => h.connectTimeoutMs)).toEqual([9000, 9000])
  })

  test.each([
    ['ProxyJump none, set first, means a direct connection', 'direct', []],
    ['ProxyJump set before ProxyCommand wins, as in OpenSSH', 'jump-first', ['bastion']],
    ['a host without either connects directly', 'bastion', []],
  ])('%s', (_name, host, hops) => {
    expect(resolveSshTarget({ host }, CONFIG, env).jumpHosts.map((h) => h.displayName)).toEqual(hops)
  })

  test.each([
    [
      'a ProxyCommand set first is refused',
      'command-first',
      /^command-first: ProxyCommand .* not supported; use ProxyJump$/,
    ],
    [
      'a jump host that jumps through itself is a loop',
      'loop',
      /^loop: ProxyJump nests more than 8 hops deep/,
    ],
  ])('%s', (_name, host, message) => {
    expect(() => resolveSshTarget({ host }, CONFIG, env)).toThrowError(
      expect.objectContaining({ code: 'SSH_CONFIG', message: expect.stringMatching(message) }),
    )
  })
})
