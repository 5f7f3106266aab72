import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { pollUntil } from '../helpers/poll-until.js'
import { givePrivateTmp } from '../helpers/private-tmp.js'
import { runFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
if (reason !== undefined) console.warn(`skipping the cleanup command tests: ${reason}`)

const NAME = 'fanout_0123456789ab'
const STAGING = ['/srv/.fanout-0123456789abcdef.partial', '/srv/.fanout-3f2a9c1e-5b7d-4a.partial']
// The --link switch's new link, left by an agent killed before it renamed it over NAME.
const TEMP_LINK = '/srv/.fanout-3f2a9c1e-5b7d-4a.link'
// One agent that stops on SIGTERM, one that ignores it and needs SIGKILL.
const AGENTS = {
  '/tmp/fanout-agent.ABCDEFGH': 'setInterval(() => {}, 1000)\n',
  '/tmp/fanout-agent.Stubborn': "process.on('SIGTERM', () => {})\nsetInterval(() => {}, 1000)\n",
}
// Things whose names look a little like ours and must survive.
const UNRELATED = [
  '/srv/keep/file',
  '/srv/.fanout-notes',
  '/srv/data.partial',
  '/tmp/fanout-agent.short/x',
  '/tmp/keep',
]
// Someone else's table, with a rule of a lost run inserted into it, as openHoles does on drop-policy hosts.
const OTHER_TABLE = [
  'table inet filter {',
  '  chain input {',
  '    type filter hook input priority 0; policy accept;',
  '    tcp dport 9999 drop',
  '  }',
  '}',
  '',
].join('\n')

/**
 * `fanout cleanup` against a host where a lost run left everything it can leave. The hosts get a
 * private /tmp first: cluster hosts otherwise share this machine's /tmp, and cleanup removes every
 * shipped agent there, which could be another test run's.
 */
describe.skipIf(reason !== undefined)(`fanout cleanup${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cluster: Cluster

  beforeAll(async () => {
    cluster = await createCluster([{ name: 'h1' }, { name: 'h2' }])
    for (const host of ['h1', 'h2']) await givePrivateTmp(cluster, host)
  })
  afterAll(async () => {
    await cluster?.destroy()
  })

  async function sh(host: string, script: string, input?: string): Promise<string> {
    const result = await cluster.exec(host, ['sh', '-c', script], input === undefined ? {} : { input })
    expect(result.exitCode, `${script}: ${result.stderr}`).toBe(0)
    return result.stdout
  }

  async function agentPids(): Promise<number[]> {
    return (await cluster.processes('h1')).filter((p) => p.cmdline.includes('/agent.mjs')).map((p) => p.pid)
  }

  /** Everything a lost run leaves on h1; returns h1's ruleset as it was before the run's part of it. */
  async function simulateLostRun(): Promise<string> {
    await sh('h1', 'nft -f -', OTHER_TABLE)
    await sh('h1', 'iptables -w -P INPUT ACCEPT') // iptables-nft makes its table now, not with our chain.
    const before = await sh('h1', 'nft -s list ruleset')
    await sh('h1', 'nft -f -', `table inet ${NAME} {\n  chain input {\n    tcp dport 7000 drop\n  }\n}\n`)
    await sh('h1', `nft insert rule inet filter input tcp dport 7000 accept comment '"${NAME}"'`)
    await sh('h1', 'iptables -w -N FANOUT-0123456789ab && iptables -w -I INPUT 1 -j FANOUT-0123456789ab')
    for (const [dir, script] of Object.entries(AGENTS)) {
      await sh('h1', `mkdir -p ${dir} && cat > ${dir}/agent.mjs`, script)
      await cluster.exec('h1', [
        'sh',
        '-c',
        '"$0" "$1" >/dev/null 2>&1 &',
        process.execPath,
        `${dir}/agent.mjs`,
      ])
    }
    for (const path of [...STAGING.map((d) => `${d}/piece`), ...UNRELATED]) {
      await sh('h1', `mkdir -p "$(dirname ${path})" && echo data > ${path}`)
    }
    await sh('h1', `ln -s release-2 ${TEMP_LINK}`)
    await pollUntil(
      'both fake agents to run',
      async () => ((await agentPids()).length === 2 ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    )
    return before
  }

  test('removes firewall holes, agents, shipped files, staging directories and temporary links, and says so', async () => {
    const before = await simulateLostRun()
    const pids = await agentPids()

    const result = await runFanout(cluster, ['cleanup', 'h1:/srv', 'h2'])
    expect(result.exitCode, result.stderr).toBe(0)
    const lines = result.stdout.trim().split('\n')
    const killed = lines
      .map((l) => /^h1: killed agent pid (\d+) /.exec(l)?.[1])
      .filter((pid) => pid !== undefined)
    expect(killed.map(Number).sort()).toEqual([...pids].sort())
    // Pids and rule handles change from run to run; everything else is exact.
    expect(lines.map((l) => l.replace(/pid \d+/, 'pid N').replace(/handle \d+/, 'handle N')).sort()).toEqual(
      [
        `h1: killed agent pid N (${process.execPath} /tmp/fanout-agent.ABCDEFGH/agent.mjs)`,
        `h1: killed agent pid N (${process.execPath} /tmp/fanout-agent.Stubborn/agent.mjs, with SIGKILL)`,
        `h1: removed nft table inet ${NAME}`,
        `h1: removed nft rule inet filter input handle N (${NAME})`,
        'h1: removed iptables chain FANOUT-0123456789ab',
        ...Object.keys(AGENTS).map((dir) => `h1: removed agent directory ${dir}`),
        ...STAGING.map((dir) => `h1: removed staging directory ${dir}`),
        `h1: removed temporary link ${TEMP_LINK}`,
        'h2: nothing to clean',
      ].sort(),
    )

    expect(await sh('h1', 'nft -s list ruleset')).toBe(before)
    expect(await agentPids()).toEqual([])
    expect(await sh('h1', 'ls -d /tmp/fanout-agent.* /srv/.fanout-* 2>/dev/null || true')).toBe(
      '/srv/.fanout-notes\n/tmp/fanout-agent.short',
    )
    for (const path of UNRELATED) expect(await sh('h1', `cat ${path}`)).toBe('data')

    const again = await runFanout(cluster, ['cleanup', 'h1:/srv', 'h2'])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout).toBe('h1: nothing to clean\nh2: nothing to clean')
  })

  test('a directory that is not there fails that host, in the JSON report too', async () => {
    const result = await runFanout(cluster, ['cleanup', '--json', 'h1:/srv/no-such-dir', 'h2:/srv'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/^fanout: h1: \/srv\/no-such-dir: .*/m)
    expect(JSON.parse(result.stdout)).toEqual({
      outcome: 'failed',
      hosts: [
        { host: 'h1', removed: [], errors: [expect.stringContaining('/srv/no-such-dir')] },
        { host: 'h2', removed: [], errors: [] },
      ],
    })
  })

  test('no host is a usage error', async () => {
    const result = await runFanout(cluster, ['cleanup'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/missing required argument/)
  })
})
