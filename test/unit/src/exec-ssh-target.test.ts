import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, onTestFinished, test } from 'vitest'
import { loadSshTarget } from '../../../src/exec/load-ssh-target.js'
import { resolveSshTarget, type SshTargetEnv, type SshTargetRequest } from '../../../src/exec/ssh-target.js'

const existing = new Set(['/home/me/.ssh/id_ed25519', '/home/me/.ssh/id_rsa'])
const env: SshTargetEnv = { homeDir: '/home/me', localUser: 'me', fileExists: (p) => existing.has(p) }

const CONFIG = `
Host web1
  HostName 10.0.0.5
  User deploy
  Port 2222
  IdentityFile ~/.ssh/web_key
  IdentityFile %d/keys/%r@%h
  StrictHostKeyChecking accept-new
  UserKnownHostsFile ~/.ssh/kh_a "/etc/kh b"
  ConnectTimeout 7

Host *.lan
  HostName %h.example.org
  StrictHostKeyChecking no
  GlobalKnownHostsFile none

Host proxied
  ProxyCommand nc %h %p

Host badport
  Port 99999

Host *
  ServerAliveInterval 10
`

const defaults = {
  port: 22,
  user: 'root',
  identityFiles: ['/home/me/.ssh/id_ed25519', '/home/me/.ssh/id_rsa'],
  strictHostKeyChecking: 'ask',
  knownHostsFiles: [
    '/home/me/.ssh/known_hosts',
    '/home/me/.ssh/known_hosts2',
    '/etc/ssh/ssh_known_hosts',
    '/etc/ssh/ssh_known_hosts2',
  ],
  connectTimeoutMs: 15_000,
}

describe('resolveSshTarget', () => {
  test.each<[string, SshTargetRequest, string | undefined, object]>([
    ['no config: OpenSSH defaults, root user', { host: 'n1' }, undefined, { ...defaults, hostName: 'n1' }],
    ['host not in config', { host: 'other' }, CONFIG, { ...defaults, hostName: 'other' }],
    [
      'alias with every setting',
      { host: 'web1' },
      CONFIG,
      {
        hostName: '10.0.0.5',
        port: 2222,
        user: 'deploy',
        identityFiles: ['/home/me/.ssh/web_key', '/home/me/keys/deploy@10.0.0.5'],
        strictHostKeyChecking: 'accept-new',
        knownHostsFiles: [
          '/home/me/.ssh/kh_a',
          '/etc/kh b',
          '/etc/ssh/ssh_known_hosts',
          '/etc/ssh/ssh_known_hosts2',
        ],
        connectTimeoutMs: 7000,
      },
    ],
    [
      'request fields win over the config',
      { host: 'web1', user: 'ops', port: 22, identityFiles: ['/k'], strictHostKeyChecking: 'yes' },
      CONFIG,
      {
        user: 'ops',
        port: 22,
        strictHostKeyChecking: 'yes',
        identityFiles: ['/k', '/home/me/.ssh/web_key', '/home/me/keys/ops@10.0.0.5'],
      },
    ],
    [
      'user@ prefix',
      { host: 'alice@web1' },
      CONFIG,
      { user: 'alice', displayName: 'alice@web1', hostName: '10.0.0.5' },
    ],
    [
      'wildcard section with %h in HostName',
      { host: 'db.lan' },
      CONFIG,
      {
        hostName: 'db.lan.example.org',
        strictHostKeyChecking: 'no',
        knownHostsFiles: ['/home/me/.ssh/known_hosts', '/home/me/.ssh/known_hosts2'],
      },
    ],
  ])('%s', (_name, request, text, expected) => {
    expect(resolveSshTarget(request, text, env)).toMatchObject(expected)
  })

  test('default keys are only those that exist', () => {
    const none = { ...env, fileExists: () => false }
    expect(resolveSshTarget({ host: 'n1' }, undefined, none).identityFiles).toEqual([])
  })

  test.each([
    ['ProxyCommand is refused', 'proxied', /ProxyCommand/],
    ['a bad port is refused', 'badport', /Port/],
  ])('%s', (_name, host, message) => {
    expect(() => resolveSshTarget({ host }, CONFIG, env)).toThrowError(message)
  })

  test.each([
    ['yes', 'yes'],
    ['no', 'no'],
    ['off', 'no'],
    ['ask', 'ask'],
    ['accept-new', 'accept-new'],
  ])('StrictHostKeyChecking %s → %s', (value, expected) => {
    const text = `Host h\n  StrictHostKeyChecking ${value}\n`
    expect(resolveSshTarget({ host: 'h' }, text, env).strictHostKeyChecking).toBe(expected)
  })

  test('an unknown StrictHostKeyChecking value is an SSH_CONFIG error', () => {
    const text = 'Host h\n  StrictHostKeyChecking maybe\n'
    expect(() => resolveSshTarget({ host: 'h' }, text, env)).toThrowError(
      expect.objectContaining({ code: 'SSH_CONFIG' }),
    )
  })
})

describe('loadSshTarget', () => {
  async function tempHome(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-ssh-target-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    return dir
  }

  test('a missing default ~/.ssh/config is fine', async () => {
    const home = await tempHome()
    const target = await loadSshTarget({ host: 'n1' }, { homeDir: home })
    expect(target).toMatchObject({ hostName: 'n1', user: 'root', port: 22 })
  })

  test('an explicit config path that does not exist is an SSH_CONFIG error', async () => {
    const home = await tempHome()
    await expect(loadSshTarget({ host: 'n1', configPath: join(home, 'nope') })).rejects.toMatchObject({
      code: 'SSH_CONFIG',
    })
  })

  test('reads an explicit config file', async () => {
    const home = await tempHome()
    const path = join(home, 'cfg')
    await writeFile(path, 'Host n1\n  HostName 192.0.2.1\n  Port 2200\n')
    const target = await loadSshTarget({ host: 'n1', configPath: path }, { homeDir: home })
    expect(target).toMatchObject({ hostName: '192.0.2.1', port: 2200 })
  })
})
