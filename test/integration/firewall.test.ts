import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import {
  closeHoles,
  closeOpenedHoles,
  listLeftovers,
  openHoles,
  type RunCommand,
} from '../../shared/firewall/firewall.js'
import { firewallName, type HoleSpec } from '../../shared/firewall/ruleset.js'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { pollUntil } from '../helpers/poll-until.js'
import { runCommand } from '../helpers/run-command.js'

/** Why these tests cannot run here: the cluster's needs, plus nft and iptables for the code under test. */
async function unavailableReason(): Promise<string | undefined> {
  const cluster = clusterUnavailableReason()
  if (cluster !== undefined) return cluster
  for (const tool of ['nft', 'iptables']) {
    // `--version` reads no ruleset, so probing here never touches this machine's firewall.
    if ((await runCommand([tool, '--version'])).exitCode !== 0)
      return `${tool} is missing: run scripts/ci-deps.sh`
  }
  return undefined
}

const reason = await unavailableReason()
if (reason !== undefined) console.warn(`skipping the firewall tests: ${reason}`)

const PORT = 7700
// Any TCP listener will do: it greets each connection, so "connected" means data really came back.
const SERVER = `require('net').createServer((s) => s.end('hi\\n')).listen(${PORT}, '0.0.0.0')`
// Prints "ok", the error code, or "timeout" when a drop swallows the SYN; bounded at 1.5 s.
const CLIENT = `const [host, port] = process.argv.slice(1)
const s = require('net').connect({ host, port: Number(port) })
setTimeout(() => { console.log('timeout'); process.exit(0) }, 1500)
s.on('data', () => { console.log('ok'); process.exit(0) })
s.on('error', (e) => { console.log(e.code); process.exit(0) })`

// A typical iptables host: DROP by default, loopback and replies let in.
const IPTABLES_DROP = [
  'iptables -w -P INPUT DROP',
  'iptables -w -A INPUT -i lo -j ACCEPT',
  'iptables -w -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
].join(' && ')

/**
 * Firewall holes on namespaced hosts: every nft and iptables command runs inside a host's network
 * namespace (cluster.exec), so this machine's own ruleset is never read or changed. h1 listens; h2
 * is a participant of the transfer; h3 is not.
 */
describe.skipIf(reason !== undefined)(`firewall holes${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cluster: Cluster
  let spec: HoleSpec

  beforeAll(async () => {
    cluster = await createCluster([{ name: 'h1' }, { name: 'h2' }, { name: 'h3' }])
    spec = { transferId: `test-${cluster.id}`, ports: [PORT], participants: [address('h1'), address('h2')] }
    await cluster.exec('h1', ['sh', '-c', '"$0" -e "$1" >/dev/null 2>&1 &', process.execPath, SERVER])
    await pollUntil(
      'the test server on h1',
      async () => ((await reach('h1', '127.0.0.1')) === 'ok' ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    )
  })
  afterAll(async () => {
    await cluster?.destroy()
  })

  function address(host: string): string {
    const found = cluster.hosts.find((h) => h.name === host)
    if (found === undefined) throw new Error(`no host ${host}`)
    return found.address
  }

  /** Connects from `from` to h1's server; `to` defaults to h1's address. */
  async function reach(from: string, to = address('h1')): Promise<string> {
    return (await cluster.exec(from, [process.execPath, '-e', CLIENT, to, String(PORT)])).stdout.trim()
  }

  /** The RunCommand the agent would get, running in h1. `without` hides a tool, as on a host without it. */
  function runOn(host: string, without?: string): RunCommand {
    return async (argv, opts) => {
      if (argv[0] === without) return { exitCode: 127, stdout: '', stderr: `sh: ${without}: not found\n` }
      return cluster.exec(host, argv, opts?.input === undefined ? {} : { input: opts.input })
    }
  }

  /** h1's ruleset as text; stateless (`-s`), since counters change with every packet. */
  async function ruleset(host = 'h1'): Promise<string> {
    const result = await cluster.exec(host, ['nft', '-s', 'list', 'ruleset'])
    expect(result.exitCode, result.stderr).toBe(0)
    return result.stdout
  }

  /** Loads `script` into h1's ruleset and empties that ruleset again when the test ends. */
  async function loadRuleset(argv: string[], input?: string): Promise<void> {
    onTestFinished(async () => {
      await cluster.exec('h1', ['nft', 'flush', 'ruleset'])
    })
    const result = await cluster.exec('h1', argv, input === undefined ? {} : { input })
    expect(result.exitCode, result.stderr).toBe(0)
  }

  test('on a host without a ruleset: the participant gets in, others do not, and closing restores it', async () => {
    const before = await ruleset()
    expect(await reach('h3')).toBe('ok')

    const opened = await openHoles(runOn('h1'), spec)
    expect(opened).toEqual({ kind: 'nft', name: firewallName(spec.transferId) })
    expect(await reach('h2')).toBe('ok')
    expect(await reach('h3')).toBe('timeout')
    expect(await reach('h1', '127.0.0.1')).toBe('ok')
    expect(await listLeftovers(runOn('h1'))).toEqual([opened.name])

    await closeOpenedHoles(runOn('h1'), opened)
    expect(await ruleset()).toBe(before)
    expect(await reach('h3')).toBe('ok')
    expect(await closeHoles(runOn('h1'), opened.name)).toBe(false)
    expect(await listLeftovers(runOn('h1'))).toEqual([])
  })

  test('on a host whose nft input chain drops by default: a rule of ours goes in, and out again', async () => {
    const policyDrop = [
      'table inet filter {',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    iif "lo" accept',
      '    ct state established,related accept',
      '  }',
      '}',
      '',
    ].join('\n')
    await loadRuleset(['nft', '-f', '-'], policyDrop)
    const before = await ruleset()
    expect(await reach('h2')).toBe('timeout')

    const opened = await openHoles(runOn('h1'), spec)
    const { name } = opened
    expect(await ruleset()).toContain(`accept comment "${name}"`)
    expect(await reach('h2')).toBe('ok')
    expect(await reach('h3')).toBe('timeout')

    // Opening the same transfer again replaces its holes instead of doubling them.
    await openHoles(runOn('h1'), spec)
    expect((await ruleset()).split(`comment "${name}"`)).toHaveLength(2)

    await closeOpenedHoles(runOn('h1'), opened)
    expect(await ruleset()).toBe(before)
    expect(await reach('h2')).toBe('timeout')
  })

  test('on a host with iptables-nft rules and a DROP policy: the rules stay readable to iptables', async () => {
    await loadRuleset(['sh', '-c', IPTABLES_DROP])
    const before = await ruleset()
    expect(await reach('h2')).toBe('timeout')

    const { name } = await openHoles(runOn('h1'), spec)
    const listing = await cluster.exec('h1', ['iptables', '-w', '-S', 'INPUT'])
    expect(listing.stdout).toContain(
      `-A INPUT -s ${address('h2')}/32 -p tcp -m tcp --dport ${PORT} -m comment --comment ${name} -j ACCEPT`,
    )
    expect(await reach('h2')).toBe('ok')
    expect(await reach('h3')).toBe('timeout')

    expect(await closeHoles(runOn('h1'), name)).toBe(true)
    expect(await ruleset()).toBe(before)
  })

  test('where nft is missing, iptables does the same job', async () => {
    // iptables-nft leaves its (empty, accepting) filter table behind once it has made a chain there, so
    // the host starts with that table and the comparison is exact.
    await loadRuleset(['sh', '-c', IPTABLES_DROP])
    const run = runOn('h1', 'nft')
    const before = await ruleset()
    expect(await reach('h2')).toBe('timeout')

    const opened = await openHoles(run, spec)
    expect(opened.kind).toBe('iptables')
    expect(await reach('h2')).toBe('ok')
    expect(await reach('h3')).toBe('timeout')
    expect(await reach('h1', '127.0.0.1')).toBe('ok')
    expect(await listLeftovers(run)).toEqual([opened.name])

    await closeOpenedHoles(run, opened)
    expect(await ruleset()).toBe(before)
    expect(await reach('h2')).toBe('timeout')
    expect(await closeHoles(run, opened.name)).toBe(false)
    expect(await listLeftovers(run)).toEqual([])
  })

  test('a host with neither tool has nothing to open', async () => {
    const run: RunCommand = async () => ({ exitCode: 127, stdout: '', stderr: 'not found\n' })
    const opened = await openHoles(run, spec)
    expect(opened).toEqual({ kind: 'none', name: firewallName(spec.transferId) })
    await closeOpenedHoles(run, opened)
    expect(await closeHoles(run, firewallName(spec.transferId))).toBe(false)
  })

  test('a failure is one FIREWALL error with the tool’s stderr', async () => {
    const broken: RunCommand = async (argv, opts) =>
      argv[1] === '-f'
        ? { exitCode: 1, stdout: '', stderr: 'Error: Could not process rule: Operation not permitted\n' }
        : runOn('h1')(argv, opts)
    await expect(openHoles(broken, spec)).rejects.toMatchObject({
      code: 'FIREWALL',
      message: expect.stringMatching(/`nft -f -` failed \(exit 1\): .*Operation not permitted$/),
    })
    expect(await ruleset()).toBe('')
  })
})
