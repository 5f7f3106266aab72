import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { closeHoles } from '../../shared/firewall/firewall.js'
import type { Executor } from '../exec/executor.js'
import { type AgentKind, agentBundlePath, readShippedAgent } from './agent-bundle.js'
import { AgentChannel } from './agent-channel.js'
import { killAgents } from './cleanup-agents.js'
import type { CleanupStack } from './cleanup-stack.js'

// One SSH command ships the agent and starts it: a second command cost an SSH round trip and a
// shell per host (0.05 s on a LAN, several RTTs across a WAN). $1 is the directory's random suffix,
// $2 the size of the gzipped bundle that comes first on stdin, $3 the idle timeout, the rest node's
// options. head reads exactly $2 bytes, so the JSON commands behind them go to the agent. umask 077
// makes the directory and the file unreadable to other users before a byte lands in them; mkdir
// (not -p) fails on anything already there under that name, a planted symlink included.
const SHIP_AND_START =
  'umask 077 && d="${TMPDIR:-/tmp}/fanout-agent.$1" && mkdir -- "$d" && head -c "$2" | gzip -dc > "$d/agent.mjs" && idle=$3 && shift 3 && exec node "$@" "$d/agent.mjs" --remove-own-dir --idle-timeout-ms "$idle"'
const REMOVE_SHIPPED = 'rm -rf -- "${TMPDIR:-/tmp}/fanout-agent.$1"'
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * Node options for every agent. Under an agent's allocation rate V8 grows its young generation to
 * two 16 MiB semi-spaces and keeps them committed: a third of the heap of a target fetching a
 * 20,000-file tree. 4 MiB semi-spaces cut such a target's peak RSS by 15-20 MiB at no measurable
 * CPU (local runs, a file and the tree, alternating); 2 MiB cut more but cost 6% more CPU.
 * cleanup-agents.ts recognises an agent with or without options before its script.
 */
const AGENT_NODE_OPTIONS = ['--max-semi-space-size=4']

/**
 * Starts one agent on a host. Remote hosts get the bundle in a private temp directory that the agent
 * deletes when it exits (and cleanup deletes again, in case it could not); the local host runs the
 * bundle where it was built. Waits for the agent's hello, so a host whose node cannot run the
 * bundle fails here with its stderr.
 */
export async function startAgent(
  exec: Executor,
  local: boolean,
  opts: {
    cleanup: CleanupStack
    log: Logger
    agentIdleTimeoutMs: number
    firewallName?: string | undefined
    /** The swarm's agent unless said otherwise. */
    kind?: AgentKind
  },
): Promise<AgentChannel> {
  const { log, agentIdleTimeoutMs, firewallName, kind = 'swarm' } = opts
  // Hosts are cleaned up in parallel, each in its own reverse order.
  const cleanup = opts.cleanup.child(`agent on ${exec.host}`)
  // The agent closes its holes and removes its files itself; these steps are for an agent that died
  // before it could, and are skipped once it has said so (each is an SSH round trip or more).
  let channel: AgentChannel | undefined
  const unlessAgentDidIt = (undo: () => Promise<unknown>) => async () => {
    if (channel?.cleanedUp) return
    await undo()
  }
  if (firewallName !== undefined) {
    cleanup.defer(
      `close firewall holes on ${exec.host}`,
      unlessAgentDidIt(() => closeHoles((argv, o) => exec.run(argv, o ?? {}), firewallName)),
    )
  }
  const idle = String(agentIdleTimeoutMs)
  if (local) {
    channel = new AgentChannel(
      exec.host,
      exec.spawn([process.execPath, ...AGENT_NODE_OPTIONS, agentBundlePath(kind), '--idle-timeout-ms', idle]),
      log,
    )
  } else {
    const bundle = await readShippedAgent(kind)
    const suffix = randomSuffix()
    cleanup.defer(
      `remove agent files on ${exec.host}`,
      unlessAgentDidIt(() => exec.run(['sh', '-c', REMOVE_SHIPPED, 'sh', suffix])),
    )
    const argv = [
      'sh',
      '-c',
      SHIP_AND_START,
      'sh',
      suffix,
      String(bundle.length),
      idle,
      ...AGENT_NODE_OPTIONS,
    ]
    const child = exec.spawn(argv)
    // Nothing else is written before the agent's hello, so the bundle is all that head reads.
    child.stdin.write(bundle)
    channel = new AgentChannel(exec.host, child, log)
  }
  let pid: number | undefined
  cleanup.defer(`stop agent on ${exec.host}`, async () => {
    await channel.close()
    // Closing its SSH channel does not end an agent that is stopped (SIGSTOP) or stuck in the
    // kernel: one that did not say it cleaned up is killed by the pid it gave.
    if (!local && !channel.cleanedUp && pid !== undefined) await killByPid(exec, pid)
  })
  pid = (await channel.next('hello')).pid
  return channel
}

async function killByPid(exec: Executor, pid: number): Promise<void> {
  const stopped = await killAgents(
    (argv, o) => exec.run(argv, o ?? {}),
    [{ pid, cmdline: 'agent', dir: '', ours: true }],
  )
  if (stopped.errors.length > 0) throw new Error(stopped.errors.join('; '))
}

/** Eight random letters and digits, as mktemp would pick: `fanout cleanup` finds such directories. */
function randomSuffix(): string {
  return Array.from(randomBytes(8), (byte) => SUFFIX_CHARS[byte % SUFFIX_CHARS.length]).join('')
}
