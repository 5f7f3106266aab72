import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { findCommand } from '../helpers/cluster-unavailable-reason.js'
import { pollUntil } from '../helpers/poll-until.js'
import { runCommand } from '../helpers/run-command.js'
import { leftoversOn, runFanout } from '../helpers/run-fanout.js'

const reason =
  clusterUnavailableReason() ??
  (findCommand('nft') === undefined
    ? 'needs nft to keep the target’s sshd from everyone but the bastion'
    : undefined)

const HOSTS = ['h0', 'h1', 'h2']
const HOST_TMP = '/srv/tmp'

/**
 * A target reachable over SSH only through a bastion: h2's sshd answers h1 alone, and the SSH config
 * says `ProxyJump h1`. Only SSH goes through h1; the data goes straight from h0 to h2.
 */
describe.skipIf(reason !== undefined)(
  `a target behind a jump host${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster
    let jumpConfig: string
    let wrongBastionKeyConfig: string

    beforeAll(async () => {
      // Agents go to each host's own /srv/tmp: the /tmp the hosts share holds other test runs' agents.
      cluster = await createCluster(HOSTS.map((name) => ({ name, diskMiB: 96, tmpDir: HOST_TMP })))
      for (const host of HOSTS) {
        expect((await cluster.exec(host, ['mkdir', '-m', '1777', HOST_TMP])).exitCode).toBe(0)
      }
      const make =
        'mkdir -p /srv/data/sub && head -c 5000000 /dev/urandom > /srv/data/a && head -c 1234567 /dev/urandom > /srv/data/sub/b'
      expect((await cluster.exec('h0', ['sh', '-c', make])).exitCode).toBe(0)
      expect((await cluster.exec('h2', ['mkdir', '/srv/untouched'])).exitCode).toBe(0)
      await onlyBastionReachesSsh(cluster)
      ;[jumpConfig, wrongBastionKeyConfig] = await writeConfigs(cluster)
    })
    afterAll(async () => {
      await cluster?.destroy()
    })

    test('h2 refuses SSH from the orchestrator, and lets h1 in', async () => {
      const ssh = ['ssh', '-F', cluster.sshConfigPath, '-o', 'ConnectTimeout=5', 'h2', 'true']
      expect((await runCommand(cluster.adminArgv(ssh))).exitCode).toBe(255)
      expect((await cluster.exec('h1', ssh)).exitCode).toBe(0)
    })

    test('a wrong host key for the bastion fails in one line naming it, before anything moves', async () => {
      const run = await runFanout(cluster, [
        '--ssh-config',
        wrongBastionKeyConfig,
        'h0:/srv/data',
        'h2:/srv/untouched',
      ])
      expect(run.stderr).toMatch(
        /^fanout: h2:\/srv\/untouched: h2: cannot reach jump host h1 \(host key SHA256:\S+ does not match known_hosts/,
      )
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
      expect(run.exitCode).not.toBe(0)
      expect((await cluster.exec('h2', ['find', '/srv/untouched', '-mindepth', '1'])).stdout).toBe('')
      await nothingLeft(cluster)
    })

    test('a transfer to h2 through h1 copies the tree exactly and leaves nothing behind', async () => {
      const rulesBefore = await ruleset(cluster, 'h2')
      const run = await runFanout(cluster, [
        '--ssh-config',
        jumpConfig,
        '--json',
        '--no-progress',
        'h0:/srv/data',
        'h2:/srv',
      ])
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      const summary = JSON.parse(run.stdout) as { targets: { target: string; status: string }[] }
      expect(summary.targets).toMatchObject([{ target: 'h2:/srv', status: 'ok' }])
      expect(await treeDigest(cluster, 'h2')).toBe(await treeDigest(cluster, 'h0'))
      expect(await ruleset(cluster, 'h2')).toBe(rulesBefore)
      await nothingLeft(cluster)
    })
  },
)

/** Resets every SSH connection to h2 except those from h1: a client that tries directly fails at once. */
async function onlyBastionReachesSsh(cluster: Cluster): Promise<void> {
  const bastion = cluster.hosts.find((h) => h.name === 'h1')?.address
  const rules = `table inet bastion_only {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 22 ip saddr != ${bastion} reject with tcp reset
  }
}
`
  const loaded = await cluster.exec('h2', ['nft', '-f', '-'], { input: rules })
  expect(loaded.stderr).toBe('')
  expect(loaded.exitCode).toBe(0)
}

/**
 * The cluster's config with `ProxyJump h1` for h2 in front (the first value set wins), and the same
 * with a known_hosts for h1 that holds another key for it.
 */
async function writeConfigs(cluster: Cluster): Promise<[string, string]> {
  const dir = dirname(cluster.sshConfigPath)
  const base = await readFile(cluster.sshConfigPath, 'utf8')
  const jump = join(dir, 'ssh_config_jump')
  await writeFile(jump, `Host h2\n  ProxyJump h1\n\n${base}`)
  const otherKey = join(dir, 'other_host_key')
  await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', otherKey])
  const [type, key] = (await readFile(`${otherKey}.pub`, 'utf8')).split(' ')
  const h1 = cluster.hosts.find((h) => h.name === 'h1')
  const wrongKnownHosts = join(dir, 'known_hosts_wrong_h1')
  await writeFile(wrongKnownHosts, `h1,${h1?.address} ${type} ${key}\n`)
  const wrong = join(dir, 'ssh_config_wrong_h1')
  await writeFile(
    wrong,
    `Host h1\n  UserKnownHostsFile ${wrongKnownHosts}\n\nHost h2\n  ProxyJump h1\n\n${base}`,
  )
  return [jump, wrong]
}

/**
 * Polls until no host holds anything of the run, and fails with what is left. sshd ends its session
 * processes (the bastion's for the jump) a moment after fanout's connection is gone.
 */
async function nothingLeft(cluster: Cluster): Promise<void> {
  const left = async () => (await Promise.all(HOSTS.map((h) => leftoversOn(cluster, h)))).flat()
  await pollUntil('nothing left on any host', async () => ((await left()).length === 0 ? true : undefined), {
    timeoutMs: 10_000,
  }).catch(async () => expect(await left()).toEqual([]))
}

async function ruleset(cluster: Cluster, host: string): Promise<string> {
  return (await cluster.exec(host, ['nft', '-s', 'list', 'ruleset'])).stdout
}

async function treeDigest(cluster: Cluster, host: string): Promise<string> {
  const script = 'cd /srv/data && find . -type f | sort | xargs sha256sum && find . | sort'
  const result = await cluster.exec(host, ['sh', '-c', script])
  expect(result.exitCode).toBe(0)
  return result.stdout
}
