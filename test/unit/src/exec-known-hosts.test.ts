import { createHmac, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, onTestFinished, test } from 'vitest'
import { type HostKeyVerdict, parseKnownHosts, verifyHostKey } from '../../../src/exec/known-hosts.js'

// Two unrelated ed25519 public keys (generated once with ssh-keygen; only the public halves matter).
const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIPQOURno24PFS5fK1HEteupyHKztD9+Z2QCwxtPWvDSS'
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIFUNu5AP6yOFkrpB4kbygMxs+zbNcJPzgPVBIZ/CpxNt'
const blobA = Buffer.from(KEY_A, 'base64')
const blobB = Buffer.from(KEY_B, 'base64')

/** Hashes a name the way `ssh-keygen -H` does: |1|base64(salt)|base64(HMAC-SHA1(salt, name)). */
function hashName(name: string): string {
  const salt = randomBytes(20)
  const hash = createHmac('sha1', salt).update(name).digest()
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`
}

const KNOWN_HOSTS = `
# comment line
node1,10.0.0.1 ssh-ed25519 ${KEY_A} root@node1
[node2]:2222 ssh-ed25519 ${KEY_A}
*.lan,!evil.lan ssh-ed25519 ${KEY_A}
${hashName('hashed-host')} ssh-ed25519 ${KEY_A}
${hashName('[hashed-host]:2200')} ssh-ed25519 ${KEY_B}
@cert-authority *.corp ssh-ed25519 ${KEY_A}
@revoked * ssh-ed25519 ${KEY_B}
Node3 ssh-ed25519 ${KEY_A}
this line is garbage
@bogus node1 ssh-ed25519 ${KEY_B}
`

const entries = parseKnownHosts(KNOWN_HOSTS)

describe('verifyHostKey', () => {
  test.each<[string, string, number, Buffer, HostKeyVerdict]>([
    ['listed name, same key', 'node1', 22, blobA, 'match'],
    ['second name in a comma list', '10.0.0.1', 22, blobA, 'match'],
    ['listed name, other key', 'node1', 22, Buffer.from('other'), 'mismatch'],
    ['unlisted host', 'node9', 22, blobA, 'unknown'],
    ['bare entry does not cover another port', 'node1', 2222, blobA, 'unknown'],
    ['[host]:port entry', 'node2', 2222, blobA, 'match'],
    ['[host]:port entry does not cover port 22', 'node2', 22, blobA, 'unknown'],
    ['wildcard', 'db.lan', 22, blobA, 'match'],
    ['negated pattern excludes the line', 'evil.lan', 22, blobA, 'unknown'],
    ['hashed name', 'hashed-host', 22, blobA, 'match'],
    ['hashed name with port', 'hashed-host', 2200, Buffer.from('x'), 'mismatch'],
    ['names are case-insensitive', 'NODE3', 22, blobA, 'match'],
    ['cert-authority lines are ignored', 'x.corp', 22, blobA, 'unknown'],
    ['a revoked key is refused everywhere', 'hashed-host', 2200, blobB, 'mismatch'],
  ])('%s', (_name, host, port, key, expected) => {
    expect(verifyHostKey(entries, host, port, key)).toBe(expected)
  })

  test('skips unreadable lines and unknown markers', () => {
    expect(entries).toHaveLength(8)
  })

  test('understands entries hashed by ssh-keygen -H', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-known-hosts-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'known_hosts')
    await writeFile(file, `plain.example,[ported.example]:2022 ssh-ed25519 ${KEY_A}\n`)
    await execa('ssh-keygen', ['-H', '-f', file])
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain('example')
    const hashed = parseKnownHosts(text)
    expect(verifyHostKey(hashed, 'plain.example', 22, blobA)).toBe('match')
    expect(verifyHostKey(hashed, 'ported.example', 2022, blobA)).toBe('match')
    expect(verifyHostKey(hashed, 'ported.example', 2022, blobB)).toBe('mismatch')
    expect(verifyHostKey(hashed, 'other.example', 22, blobA)).toBe('unknown')
  })
})
