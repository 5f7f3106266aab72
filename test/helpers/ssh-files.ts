import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ClusterLayout, HostLayout } from './cluster-layout.js'
import { runCommand, runOrThrow } from './run-command.js'

/** Where one host's sshd keeps its files, all inside the cluster's temporary directory. */
export interface SshdFiles {
  config: string
  log: string
}

/** The SSH files of one cluster. Keys are generated per cluster, so nothing secret is ever committed. */
export interface SshFiles {
  identityFile: string
  knownHostsPath: string
  sshConfigPath: string
  sshd: ReadonlyMap<string, SshdFiles>
}

/** Generates the client key and a host key per host, and writes every config the cluster needs into `dir`. */
export async function writeSshFiles(dir: string, layout: ClusterLayout): Promise<SshFiles> {
  // Config files are written unquoted, which is what every SSH config parser reads the same way.
  if (/[\s"'\\]/.test(dir))
    throw new Error(`temporary directory ${dir} has characters SSH configs cannot hold`)
  const identityFile = join(dir, 'id_ed25519')
  const authorizedKeys = join(dir, 'authorized_keys')
  const knownHostsPath = join(dir, 'known_hosts')
  const sshConfigPath = join(dir, 'ssh_config')
  const penalties = await supportsPerSourcePenalties()
  const [clientKey, hostKeys] = await Promise.all([
    generateKey(identityFile, `fanout-test-client-${layout.id}`),
    Promise.all(layout.hosts.map((host) => writeHostFiles(dir, host, authorizedKeys, penalties))),
  ])
  await writeFile(authorizedKeys, `${clientKey}\n`)
  await writeFile(
    knownHostsPath,
    knownHostsText(
      layout.hosts,
      hostKeys.map((h) => h.publicKey),
    ),
  )
  await writeFile(sshConfigPath, clientConfigText(layout.hosts, identityFile, knownHostsPath))
  const sshd = new Map(layout.hosts.map((host, i) => [host.name, hostKeys[i]?.files ?? unreachable()]))
  return { identityFile, knownHostsPath, sshConfigPath, sshd }
}

async function writeHostFiles(
  dir: string,
  host: HostLayout,
  authorizedKeys: string,
  penalties: boolean,
): Promise<{ publicKey: string; files: SshdFiles }> {
  const hostDir = join(dir, 'hosts', host.name)
  await mkdir(hostDir, { recursive: true })
  const hostKey = join(hostDir, 'ssh_host_ed25519_key')
  const files = { config: join(hostDir, 'sshd_config'), log: join(hostDir, 'sshd.log') }
  const publicKey = await generateKey(hostKey, `fanout-test-host-${host.name}`)
  const pidFile = join(hostDir, 'sshd.pid')
  const home = join(hostDir, 'home')
  await mkdir(home, { mode: 0o700 })
  await writeFile(files.config, sshdConfigText(host, { hostKey, authorizedKeys, pidFile, home, penalties }))
  return { publicKey, files }
}

/** Runs ssh-keygen for an unencrypted ed25519 key and returns the public key line. */
async function generateKey(path: string, comment: string): Promise<string> {
  await runOrThrow(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path])
  return (await readFile(`${path}.pub`, 'utf8')).trim()
}

function sshdConfigText(
  host: HostLayout,
  paths: { hostKey: string; authorizedKeys: string; pidFile: string; home: string; penalties: boolean },
): string {
  return lines([
    `ListenAddress ${host.address}`,
    'Port 22',
    `HostKey ${paths.hostKey}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    `AuthorizedKeysFile ${paths.authorizedKeys}`,
    // PAM would want a full login stack; StrictModes would reject keys in a world-readable /tmp path.
    'UsePAM no',
    'StrictModes no',
    `PidFile ${paths.pidFile}`,
    // The cluster has no DNS: a reverse lookup of each client would stall every login.
    'UseDNS no',
    // Tests open many sessions and connections at once; the defaults (10, 10:30:100) drop some.
    'MaxSessions 64',
    'MaxStartups 64',
    'Subsystem sftp internal-sftp',
    // Bash sources ~/.bashrc for every SSH command, and this machine's root .bashrc runs pyenv's
    // rehash, which waits up to a minute on a lock that any killed session leaves behind. A fresh,
    // empty home per host keeps sessions fast and hosts independent of the machine's dotfiles.
    `SetEnv ${sessionEnv(host, paths.home)}`,
    'PermitUserRC no',
    'PrintMotd no',
    // OpenSSH 9.8+ would otherwise lock out the admin address after tests that cut connections on purpose.
    ...(paths.penalties ? ['PerSourcePenalties no'] : []),
  ])
}

/** HOME, and TMPDIR and whatever else the host's spec asks its SSH sessions to have. */
function sessionEnv(host: HostLayout, home: string): string {
  const env = {
    HOME: home,
    ...(host.tmpDir === undefined ? {} : { TMPDIR: host.tmpDir }),
    ...host.sessionEnv,
  }
  return Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')
}

function clientConfigText(hosts: readonly HostLayout[], identityFile: string, knownHosts: string): string {
  const blocks = hosts.map((host) =>
    lines([
      `Host ${host.name}`,
      `  HostName ${host.address}`,
      '  User root',
      '  Port 22',
      `  IdentityFile ${identityFile}`,
      // Only this key: an agent or ~/.ssh keys of the machine must not change what the tests see.
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
    ]),
  )
  return blocks.join('\n')
}

/** One line per host, under its name and its address, so clients that look up either one find it. */
function knownHostsText(hosts: readonly HostLayout[], publicKeys: readonly string[]): string {
  return lines(
    hosts.map((host, i) => {
      const [type, key] = (publicKeys[i] ?? unreachable()).split(' ')
      return `${host.name},${host.address} ${type} ${key}`
    }),
  )
}

/** PerSourcePenalties exists from OpenSSH 9.8 on; older sshd refuses to start on an unknown keyword. */
async function supportsPerSourcePenalties(): Promise<boolean> {
  const version = /OpenSSH_(\d+)\.(\d+)/.exec((await runCommand(['ssh', '-V'])).stderr)
  if (version === null) return false
  const [major, minor] = [Number(version[1]), Number(version[2])]
  return major > 9 || (major === 9 && minor >= 8)
}

function lines(items: readonly string[]): string {
  return `${items.join('\n')}\n`
}

function unreachable(): never {
  throw new Error('unreachable: one entry per host')
}
