import { describe, expect, test } from 'vitest'
import type { FanoutCode } from '../../../shared/errors.js'
import { ChannelSlots } from '../../../src/exec/channel-slots.js'
import { exitCodeOf } from '../../../src/exec/exit-code.js'
import { parseKnownHosts } from '../../../src/exec/known-hosts.js'
import { mapSshError, type Ssh2Error } from '../../../src/exec/ssh-errors.js'
import { checkHostKey, preferKnownAlgorithms } from '../../../src/exec/ssh-host-key.js'
import type { SshTarget } from '../../../src/exec/ssh-target.js'

function sshError(message: string, level: string, code?: string): Ssh2Error {
  return Object.assign(new Error(message), code === undefined ? { level } : { level, code })
}

describe('mapSshError', () => {
  test.each<[string, Ssh2Error, FanoutCode]>([
    [
      'rejected keys',
      sshError('All configured authentication methods failed', 'client-authentication'),
      'SSH_AUTH',
    ],
    ['handshake timeout', sshError('Timed out while waiting for handshake', 'client-timeout'), 'SSH_TIMEOUT'],
    ['keepalive timeout', sshError('Keepalive timeout', 'client-timeout'), 'SSH_TIMEOUT'],
    ['refused', sshError('connect ECONNREFUSED', 'client-socket', 'ECONNREFUSED'), 'SSH_CONNECT'],
    ['no route', sshError('connect EHOSTUNREACH', 'client-socket', 'EHOSTUNREACH'), 'HOST_UNREACHABLE'],
    ['no network', sshError('connect ENETUNREACH', 'client-socket', 'ENETUNREACH'), 'HOST_UNREACHABLE'],
    ['TCP timeout', sshError('connect ETIMEDOUT', 'client-socket', 'ETIMEDOUT'), 'HOST_UNREACHABLE'],
    ['unknown name', sshError('getaddrinfo ENOTFOUND', 'client-socket', 'ENOTFOUND'), 'HOST_UNREACHABLE'],
    ['reset', sshError('read ECONNRESET', 'client-socket', 'ECONNRESET'), 'SSH_CONNECT'],
    ['protocol', sshError('Bad packet length', 'protocol'), 'SSH_CONNECT'],
  ])('%s → %s', (_name, err, code) => {
    const mapped = mapSshError(err, 'node1', 'root')
    expect(mapped).toMatchObject({ code, context: { host: 'node1' }, cause: err })
    expect(mapped.message).toMatch(/^node1: /)
  })
})

test.each([
  [0, undefined, 0],
  [3, undefined, 3],
  [null, 'SIGKILL', 137],
  [null, 'SIGTERM', 143],
  [null, 'SIGNOPE', -1],
  [undefined, undefined, -1],
])('exitCodeOf(%s, %s) = %i', (code, signal, expected) => {
  expect(exitCodeOf(code, signal)).toBe(expected)
})

describe('host key policy', () => {
  const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIPQOURno24PFS5fK1HEteupyHKztD9+Z2QCwxtPWvDSS'
  const entries = parseKnownHosts(`[10.0.0.1]:2222 ssh-ed25519 ${KEY}\n10.0.0.2 ssh-rsa AAAAB3NzaC1yc2E=\n`)
  const target = (hostName: string, strict: SshTarget['strictHostKeyChecking']): SshTarget => ({
    displayName: 'n1',
    hostName,
    port: hostName === '10.0.0.1' ? 2222 : 22,
    user: 'root',
    identityFiles: [],
    strictHostKeyChecking: strict,
    knownHostsFiles: [],
    connectTimeoutMs: 1000,
    jumpHosts: [],
  })
  const known = Buffer.from(KEY, 'base64')
  const other = Buffer.from('other')

  test.each<[string, SshTarget['strictHostKeyChecking'], Buffer, 'accept' | 'refuse']>([
    ['10.0.0.1', 'yes', known, 'accept'],
    ['10.0.0.1', 'yes', other, 'refuse'],
    ['10.0.0.9', 'yes', known, 'refuse'],
    ['10.0.0.9', 'ask', known, 'refuse'],
    ['10.0.0.9', 'accept-new', known, 'accept'],
    ['10.0.0.1', 'accept-new', other, 'refuse'],
    ['10.0.0.1', 'no', other, 'accept'],
  ])('%s with %s: %s key → %s', (hostName, strict, key, expected) => {
    const error = checkHostKey(target(hostName, strict), entries, key)
    if (expected === 'accept') expect(error).toBeUndefined()
    else expect(error).toMatchObject({ code: 'SSH_HOST_KEY', context: { host: 'n1' } })
  })

  test('known key types are offered first', () => {
    expect(preferKnownAlgorithms([])[0]).toBe('ssh-ed25519')
    const rsaOnly = entries.filter((e) => e.keyType === 'ssh-rsa')
    expect(preferKnownAlgorithms(rsaOnly).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'])
    expect(preferKnownAlgorithms(rsaOnly)).toHaveLength(7)
  })
})

test('ChannelSlots hands out at most N slots and queues the rest in order', async () => {
  const slots = new ChannelSlots(2)
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5))
  const a = await slots.acquire()
  await slots.acquire()
  const granted: string[] = []
  const c = slots.acquire().then((release) => {
    granted.push('c')
    return release
  })
  void slots.acquire().then(() => granted.push('d'))
  await tick()
  expect(granted).toEqual([])
  a()
  a() // Releasing the same slot twice must not free a second one.
  await tick()
  expect(granted).toEqual(['c'])
  ;(await c)()
  await tick()
  expect(granted).toEqual(['c', 'd'])
})
