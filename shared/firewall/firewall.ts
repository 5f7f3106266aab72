import { FanoutError, stderrTail } from '../errors.js'
import {
  fanoutNamesInIptables,
  type IptablesTool,
  iptablesCloseCommands,
  iptablesOpenCommands,
} from './iptables-rules.js'
import {
  blockingInputChains,
  fanoutRules,
  fanoutTables,
  type NftRuleset,
  parseNftRuleset,
} from './nft-json.js'
import {
  FIREWALL_NAME,
  firewallName,
  type HoleSpec,
  iptablesChainName,
  nftCloseScript,
  nftOpenScript,
} from './ruleset.js'

/** What a finished command gave; a non-zero exit code is a result, not a throw. */
export interface CommandResult {
  exitCode: number
  stdout: string
  stderr: string
}

/**
 * Runs argv (never through a local shell) on the host whose firewall is meant: `Executor.run` from the
 * orchestrator, `runLocal` inside the agent. A missing command must give exit code 127, as sh does.
 */
export type RunCommand = (argv: readonly string[], opts?: { input?: string }) => Promise<CommandResult>

/** Which tool manages a host's firewall: nft if installed, else iptables, else none at all. */
export type FirewallKind = 'nft' | 'iptables' | 'none'

/** What {@link openHoles} made, for closing it again. */
export interface OpenedHoles {
  kind: FirewallKind
  /** `fanout_<12 hex>`: the nft table, the iptables chain (`FANOUT-<12 hex>`) and the rule comments. */
  name: string
}

/**
 * Opens the transfer's holes: its ports, from its participants only (see `nftOpenScript` and
 * `iptablesOpenCommands`). Re-opening the same transfer replaces what it had opened. A host with
 * neither nft nor iptables has nothing to open and gets kind 'none'.
 *
 * @throws FanoutError('FIREWALL') with the tool's stderr when the holes cannot be opened; whatever
 * was opened by then is closed again.
 */
export async function openHoles(run: RunCommand, spec: HoleSpec): Promise<OpenedHoles> {
  const name = firewallName(spec.transferId)
  // The listing doubles as the probe for nft (one command fewer in front of every agent's start).
  const listing = await run(LIST_RULESET)
  if (listing.exitCode !== COMMAND_NOT_FOUND) {
    const ruleset = parseNftRuleset(succeeded(LIST_RULESET, listing).stdout)
    const script =
      nftCloseScript(name, fanoutRules(ruleset, name)) + nftOpenScript(spec, blockingInputChains(ruleset))
    await mustSucceed(run, ['nft', '-f', '-'], script)
    return { kind: 'nft', name }
  }
  if (!(await installed(run, 'iptables'))) return { kind: 'none', name }
  try {
    for (const argv of iptablesOpenCommands(spec)) await mustSucceed(run, argv)
  } catch (err) {
    await removeHoles(run, name).catch(() => [])
    throw err
  }
  return { kind: 'iptables', name }
}

/**
 * Closes what {@link openHoles} opened, with the tool that opened it: two commands for nft where
 * {@link closeHoles}, which must look for every tool, needs five.
 *
 * @throws FanoutError('FIREWALL') when something is there but cannot be removed.
 */
export async function closeOpenedHoles(run: RunCommand, holes: OpenedHoles): Promise<void> {
  if (holes.kind === 'nft') await removeNft(run, holes.name)
  if (holes.kind === 'iptables') await removeChains(run, holes.name)
}

/**
 * Closes a transfer's holes, whichever tool opened them. Idempotent: true if something was removed,
 * false if nothing was left.
 *
 * @throws FanoutError('FIREWALL') when something is there but cannot be removed.
 */
export async function closeHoles(run: RunCommand, name: string): Promise<boolean> {
  return (await removeHoles(run, name)).length > 0
}

/** {@link closeHoles}, returning one line per object removed ("nft table inet fanout_…"). */
export async function removeHoles(run: RunCommand, name: string): Promise<string[]> {
  if (!FIREWALL_NAME.test(name)) throw new FanoutError('FIREWALL', `firewall: ${name} is not a fanout name`)
  const removed = (await installed(run, 'nft')) ? await removeNft(run, name) : []
  return [...removed, ...(await removeChains(run, name))]
}

/** Names (`fanout_<hex>`) of every fanout table, rule or chain on the host: what lost runs left. */
export async function listLeftovers(run: RunCommand): Promise<string[]> {
  const names: string[] = []
  if (await installed(run, 'nft')) {
    const ruleset = await readRuleset(run)
    names.push(...fanoutTables(ruleset), ...fanoutRules(ruleset).map((r) => r.name))
  }
  for (const tool of ['iptables', 'ip6tables'] as const) {
    const listing = await run([tool, '-w', '-S'])
    if (listing.exitCode === 0) names.push(...fanoutNamesInIptables(listing.stdout))
  }
  return [...new Set(names)].sort()
}

async function removeNft(run: RunCommand, name: string): Promise<string[]> {
  const ruleset = await readRuleset(run)
  const rules = fanoutRules(ruleset, name)
  const table = fanoutTables(ruleset).includes(name)
  if (!table && rules.length === 0) return []
  await mustSucceed(run, ['nft', '-f', '-'], nftCloseScript(name, rules))
  return [
    ...(table ? [`nft table inet ${name}`] : []),
    ...rules.map((r) => `nft rule ${r.family} ${r.table} ${r.chain} handle ${r.handle} (${name})`),
  ]
}

/** The transfer's chains in iptables and ip6tables, where there are any. */
async function removeChains(run: RunCommand, name: string): Promise<string[]> {
  const removed: string[] = []
  for (const tool of ['iptables', 'ip6tables'] as const) removed.push(...(await removeChain(run, tool, name)))
  return removed
}

async function removeChain(run: RunCommand, tool: IptablesTool, name: string): Promise<string[]> {
  const chain = iptablesChainName(name)
  if ((await run([tool, '-w', '-S', chain])).exitCode !== 0) return [] // No such chain, or no such tool.
  // The jump may already be gone (a half-finished open or close); the chain's removal is what counts.
  for (const argv of iptablesCloseCommands(name).filter((a) => a[0] === tool)) await run(argv)
  if ((await run([tool, '-w', '-S', chain])).exitCode === 0) {
    throw new FanoutError('FIREWALL', `firewall: could not remove ${tool} chain ${chain}`, { command: tool })
  }
  return [`${tool} chain ${chain}`]
}

const LIST_RULESET = ['nft', '-j', 'list', 'ruleset']
/** What RunCommand gives for a command that is not installed, as sh does. */
const COMMAND_NOT_FOUND = 127

async function readRuleset(run: RunCommand): Promise<NftRuleset> {
  return parseNftRuleset((await mustSucceed(run, LIST_RULESET)).stdout)
}

async function installed(run: RunCommand, tool: string): Promise<boolean> {
  return (await run([tool, '--version'])).exitCode === 0
}

async function mustSucceed(run: RunCommand, argv: readonly string[], input?: string): Promise<CommandResult> {
  return succeeded(argv, await run(argv, input === undefined ? {} : { input }), input)
}

function succeeded(argv: readonly string[], result: CommandResult, input?: string): CommandResult {
  if (result.exitCode === 0) return result
  const tail = stderrTail(result.stderr, 200).replaceAll('\n', ' ')
  throw new FanoutError(
    'FIREWALL',
    `firewall: \`${argv.join(' ')}\` failed (exit ${result.exitCode}): ${tail}`,
    {
      command: argv.join(' '),
      exitCode: result.exitCode,
      stderr: stderrTail(result.stderr),
      ...(input === undefined ? {} : { input }),
    },
  )
}
