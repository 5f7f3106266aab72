import type { Logger } from 'pino'
import { FanoutError, stderrTail } from '../errors.js'
import type { Executor } from '../exec/executor.js'
import { closeHoles } from '../firewall/firewall.js'
import { agentBundlePath, readAgentBundle } from './agent-bundle.js'
import { AgentChannel } from './agent-channel.js'
import type { CleanupStack } from './cleanup-stack.js'

// Writes stdin to a new private directory and prints the directory. umask 077 makes both the
// directory and the file unreadable to other users before a single byte lands in them.
const RECEIVE_BUNDLE =
  'umask 077 && d=$(mktemp -d "${TMPDIR:-/tmp}/fanout-agent.XXXXXXXX") && cat > "$d/agent.mjs" && printf %s "$d"'
const SHIPPED_DIR = /^\/[^\0]*\/fanout-agent\.[A-Za-z0-9]{8}$/

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
  opts: { cleanup: CleanupStack; log: Logger; agentIdleTimeoutMs: number; firewallName?: string | undefined },
): Promise<AgentChannel> {
  const { log, agentIdleTimeoutMs, firewallName } = opts
  // Hosts are cleaned up in parallel, each in its own reverse order.
  const cleanup = opts.cleanup.child(`agent on ${exec.host}`)
  // The agent closes its holes and removes its files itself; these steps are for an agent that died
  // before it could, and are skipped once it has said so (each is an SSH round trip or more).
  let channel: AgentChannel | undefined
  const unlessAgentDidIt = (undo: () => Promise<unknown>) => async () => {
    if (channel?.cleanedUp) return
    await undo()
  }
  const agent = local
    ? [process.execPath, ...AGENT_NODE_OPTIONS, agentBundlePath()]
    : await shipAgent(exec, cleanup, unlessAgentDidIt)
  if (firewallName !== undefined) {
    cleanup.defer(
      `close firewall holes on ${exec.host}`,
      unlessAgentDidIt(() => closeHoles((argv, o) => exec.run(argv, o ?? {}), firewallName)),
    )
  }
  const child = exec.spawn([...agent, '--idle-timeout-ms', String(agentIdleTimeoutMs)])
  channel = new AgentChannel(exec.host, child, log)
  cleanup.defer(`stop agent on ${exec.host}`, () => channel.close())
  await channel.next('hello')
  return channel
}

async function shipAgent(
  exec: Executor,
  cleanup: CleanupStack,
  unlessAgentDidIt: (undo: () => Promise<unknown>) => () => Promise<void>,
): Promise<string[]> {
  const result = await exec.run(['sh', '-c', RECEIVE_BUNDLE], { input: await readAgentBundle() })
  const dir = result.stdout.trim()
  if (result.exitCode !== 0 || !SHIPPED_DIR.test(dir)) {
    throw new FanoutError('REMOTE_COMMAND', `could not copy the agent to ${exec.host}`, {
      host: exec.host,
      exitCode: result.exitCode,
      stderr: stderrTail(result.stderr),
    })
  }
  cleanup.defer(
    `remove agent files on ${exec.host}`,
    unlessAgentDidIt(async () => {
      await exec.run(['rm', '-rf', '--', dir])
    }),
  )
  return ['node', ...AGENT_NODE_OPTIONS, `${dir}/agent.mjs`, '--remove-own-dir']
}
