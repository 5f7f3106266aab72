import { stderrTail } from '../../shared/errors.js'
import type { RunCommand } from '../../shared/firewall/firewall.js'

/** What one cleanup step did on a host: one line per thing removed, one per thing it could not. */
export interface StepReport {
  removed: string[]
  errors: string[]
}

/** An agent process found on a host. */
export interface AgentProcess {
  pid: number
  /** Its argv joined with spaces, for messages. */
  cmdline: string
  /** The shipped directory it runs from (`…/fanout-agent.XXXXXXXX`). */
  dir: string
  /**
   * Whether it shares the network namespace of our login: agents of this host. Another namespace is
   * another host (a container, or a test cluster's host) that happens to share the pid space.
   */
  ours: boolean
}

// What start-agent.ts runs: `node [options] <tmp>/fanout-agent.XXXXXXXX/agent.mjs`, mktemp's 8 random
// letters.
const AGENT_ARG = /^(\/.*\/fanout-agent\.[A-Za-z0-9]{8})\/agent\.mjs$/
const AGENT_DIR = /\/fanout-agent\.[A-Za-z0-9]{8}$/

// Lists processes whose argv names a shipped agent, as `pid <TAB> 1|0 <TAB> argv…` with tabs between
// arguments (1: in our network namespace). The pattern below cannot match this script's own argv,
// nor grep's, because there it is written with backslashes.
const FIND_AGENTS = [
  'net=$(readlink /proc/self/ns/net)',
  "grep -l -a -E 'fanout-agent\\.[A-Za-z0-9]{8}/agent\\.mjs' /proc/[0-9]*/cmdline 2>/dev/null |",
  'while IFS= read -r f; do',
  '  p=$(basename "$(dirname "$f")")',
  '  same=0; [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$net" ] && same=1',
  `  printf '%s\\t%s\\t' "$p" "$same"; tr '\\000\\n' '\\t ' < "$f"; echo`,
  'done',
  'true',
].join('\n')

// TERM, up to 5 s for an orderly exit, then KILL; prints `killed <pid>` for each that needed KILL
// and `alive <pid>` for any still there. A pid is only signalled while its argv still names an
// agent, so a pid reused since the listing is left alone; a zombie's argv is empty, so it counts as gone.
const KILL_AGENTS = [
  'alive() { grep -q -a -E \'fanout-agent\\.[A-Za-z0-9]{8}/agent\\.mjs\' "/proc/$1/cmdline" 2>/dev/null; }',
  'left() { l=; for p in "$@"; do alive "$p" && l="$l $p"; done; echo $l; }',
  'for p in "$@"; do alive "$p" && kill -TERM "$p" 2>/dev/null; done',
  'i=0; while [ -n "$(left "$@")" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done',
  'for p in $(left "$@"); do kill -KILL "$p" 2>/dev/null; echo "killed $p"; done',
  'i=0; while [ -n "$(left "$@")" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done',
  'for p in $(left "$@"); do echo "alive $p"; done',
].join('\n')

const LIST_AGENT_DIRS =
  'for d in "${TMPDIR:-/tmp}"/fanout-agent.*; do [ -d "$d" ] && [ ! -L "$d" ] && printf "%s\\n" "$d"; done; true'

/** Reads FIND_AGENTS output. */
export function parseAgentList(text: string): AgentProcess[] {
  const agents: AgentProcess[] = []
  for (const line of text.split('\n')) {
    const [pid = '', same, ...argv] = line.split('\t').filter((word, i) => i < 2 || word !== '')
    // Exactly what start-agent.ts runs, `node [--options] <dir>/agent.mjs …`: someone's `less` of the
    // file is not an agent.
    const script = argv.slice(1).find((word) => !word.startsWith('-'))
    const dir = AGENT_ARG.exec(script ?? '')?.[1]
    if (!/^\d+$/.test(pid) || dir === undefined || !/^(?:.*\/)?node[^/]*$/.test(argv[0] ?? '')) continue
    agents.push({ pid: Number(pid), cmdline: argv.join(' '), dir, ours: same === '1' })
  }
  return agents
}

/** Every agent process on the host, ours or not; see {@link AgentProcess.ours}. */
export async function findAgents(run: RunCommand): Promise<AgentProcess[]> {
  return parseAgentList((await run(['sh', '-c', FIND_AGENTS])).stdout)
}

/** Stops the given agents: TERM, then KILL after a bounded wait. */
export async function killAgents(run: RunCommand, agents: readonly AgentProcess[]): Promise<StepReport> {
  if (agents.length === 0) return { removed: [], errors: [] }
  const result = await run(['sh', '-c', KILL_AGENTS, 'sh', ...agents.map((a) => String(a.pid))])
  const words = result.stdout.split('\n').map((line) => line.split(' '))
  const pidsSaying = (word: string) => new Set(words.filter((w) => w[0] === word).map((w) => Number(w[1])))
  const [killed, alive] = [pidsSaying('killed'), pidsSaying('alive')]
  const report: StepReport = { removed: [], errors: [] }
  for (const agent of agents) {
    if (alive.has(agent.pid) || result.exitCode !== 0) {
      report.errors.push(`could not stop agent pid ${agent.pid} ${stderrTail(result.stderr, 200)}`.trim())
    } else {
      const how = killed.has(agent.pid) ? ', with SIGKILL' : ''
      report.removed.push(`killed agent pid ${agent.pid} (${agent.cmdline}${how})`)
    }
  }
  return report
}

/**
 * Removes shipped agent directories in `${TMPDIR:-/tmp}`, except those of agents still running in
 * another namespace (`busy`), which belong to a live run elsewhere.
 */
export async function removeAgentDirs(run: RunCommand, busy: ReadonlySet<string>): Promise<StepReport> {
  const listed = await run(['sh', '-c', LIST_AGENT_DIRS])
  const dirs = listed.stdout.split('\n').filter((d) => AGENT_DIR.test(d) && !busy.has(d))
  if (dirs.length === 0) return { removed: [], errors: [] }
  const result = await run(['rm', '-rf', '--', ...dirs])
  if (result.exitCode !== 0)
    return { removed: [], errors: [`could not remove ${dirs.join(', ')}: ${stderrTail(result.stderr, 200)}`] }
  return { removed: dirs.map((d) => `removed agent directory ${d}`), errors: [] }
}
