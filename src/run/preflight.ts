import { isFanoutError } from '../../shared/errors.js'
import type { ArchiveFormat } from '../../shared/messages.js'
import type { TransferType } from '../config/defaults.js'
import { unpackCommands } from '../core/archive-format.js'
import { checkTarget, type Landing, type Problem } from '../core/checks.js'
import type { Endpoint } from '../core/endpoint.js'
import type { TransferPlan } from '../core/plan.js'
import { type InspectedSource, type SourceKind, sourceKind } from '../core/source-kind.js'
import type { Executor } from '../exec/executor.js'
import {
  gatherServerFacts,
  gatherSourceFacts,
  gatherSourceHead,
  gatherTargetFacts,
  missingCommands,
} from './gather-facts.js'
import type { HostPool } from './host-pool.js'

export interface PreflightOutcome extends SourceKind {
  problems: Problem[]
  /** `--base`: how many targets have it, which decides whether its small pieces are worth it. */
  basesFound: number
}

/** What the run asks of the hosts besides its endpoints. */
export interface PreflightNeeds {
  type: TransferType
  /** --stop-slave: a hot backup's server must be a replica. */
  stopSlave: boolean
  /** Every target keeps the whole archive while it unpacks it (the swarm), not only the unpacked copy. */
  archiveKept: boolean
  /** Commands every host must have, with what needs them (the stream's zstd codec). */
  commands: readonly NeededCommand[]
  /** Commands the targets must have as well (mariadb-backup for --prepare). */
  targetCommands: readonly NeededCommand[]
  /** `--link NAME`: each target's NAME must be a symlink or nothing. */
  link: string | undefined
  /** `--base DIR`, as the user gave it: whether each target has it. */
  base?: string | undefined
}

export interface NeededCommand {
  command: string
  /** Ends "… is not installed here (needed by <neededBy>)". */
  neededBy: string
}

/**
 * Every check that can fail before data moves, on every host at once: reachability, source (and
 * what archive it is, for the types that unpack), target directories, destination names, free
 * space, Node.js and the commands the run will use. Changes nothing anywhere.
 */
export async function preflight(
  plan: TransferPlan,
  pool: HostPool,
  needs: PreflightNeeds,
  signal?: AbortSignal,
): Promise<PreflightOutcome> {
  const unpack = needs.type !== 'file'
  // Every unpacker the type could need is probed at once: which one applies is known only once the
  // source's head is read, and a second round trip to every target would cost more than the probes.
  const forTargets = [...needs.commands, ...needs.targetCommands]
  const targetCommands = [...new Set([...forTargets, ...possibleUnpackers(needs.type)].map((c) => c.command))]
  const forSource = needs.type === 'xtrabackup' ? [...needs.commands, ...BACKUP_TOOLS] : needs.commands
  const missing = Promise.all([
    askHost(pool, plan.source, signal, (exec) =>
      missingCommands(
        exec,
        forSource.map((c) => c.command),
      ),
    ),
    ...plan.targets.map((endpoint) =>
      askHost(pool, endpoint, signal, (exec) => missingCommands(exec, targetCommands)),
    ),
  ])
  const [source, ...targets] = await Promise.all([
    askHost(pool, plan.source, signal, (exec) => inspectSource(exec, plan.source.path, needs.type)),
    ...plan.targets.map((target) =>
      askHost(pool, target, signal, (exec) =>
        gatherTargetFacts(exec, target.path, plan.name, unpack, needs.link, needs.base),
      ),
    ),
  ])
  if (source === undefined) throw new Error('unreachable: the source is always asked')
  const problems: Problem[] = []
  let kind: SourceKind = { archive: null, backupOf: null, payloadBytes: 0 }
  if ('problem' in source) problems.push(source.problem)
  else {
    const opts = { stopSlave: needs.stopSlave, spools: needs.archiveKept }
    const found = sourceKind(plan.source.spec, plan.source.path, needs.type, source.facts, opts)
    if ('problems' in found) problems.push(...found.problems)
    else kind = found.kind
  }
  const { archive, payloadBytes } = kind
  const landing: Landing = { unpack, copies: unpack && needs.archiveKept ? 2 : 1 }
  targets.forEach((answer, i) => {
    const target = plan.targets[i] as Endpoint
    if ('problem' in answer) problems.push(answer.problem)
    else problems.push(...checkTarget(target.spec, plan.name, answer.facts, payloadBytes, landing))
  })
  const needed = (i: number) =>
    i === 0
      ? [...needs.commands, ...(kind.backupOf === null ? [] : BACKUP_TOOLS)]
      : [...forTargets, ...(archive === null ? [] : unpackersFor(archive))]
  for (const [i, answer] of (await missing).entries()) {
    const endpoint = i === 0 ? plan.source : (plan.targets[i - 1] as Endpoint)
    if (!('facts' in answer) || problems.some((p) => p.endpoint === endpoint.spec)) continue
    const absent = needed(i).filter((c) => answer.facts.includes(c.command))
    if (absent.length > 0) {
      problems.push({
        code: 'CODEC_MISSING',
        endpoint: endpoint.spec,
        message: absent.map((c) => `${c.command} is not installed here (needed by ${c.neededBy})`).join('; '),
      })
    }
  }
  const basesFound = targets.filter((answer) => 'facts' in answer && answer.facts.baseFound === true).length
  return { problems, ...kind, basesFound }
}

/** What the pre-flight reads of SOURCE for `type`: its facts, its first bytes, the server behind it. */
async function inspectSource(exec: Executor, path: string, type: TransferType): Promise<InspectedSource> {
  const [facts, head] = await Promise.all([
    gatherSourceFacts(exec, path),
    type === 'file' ? undefined : gatherSourceHead(exec, path),
  ])
  const server =
    type === 'xtrabackup' && facts.type === 'socket' ? await gatherServerFacts(exec, path) : undefined
  return { ...facts, ...(head === undefined ? {} : { head }), ...(server === undefined ? {} : { server }) }
}

/** What a hot backup runs on the source. */
const BACKUP_TOOLS: readonly NeededCommand[] = [
  { command: 'mariadb-backup', neededBy: 'a hot backup' },
  { command: 'mariadb', neededBy: 'a hot backup' },
]

function unpackersFor(format: ArchiveFormat): NeededCommand[] {
  const neededBy = format === 'xbstream' ? 'unpacking an xbstream' : `unpacking a .${format}`
  return unpackCommands(format).map((command) => ({ command, neededBy }))
}

function possibleUnpackers(type: TransferType): NeededCommand[] {
  if (type === 'file') return []
  const formats: ArchiveFormat[] = type === 'xtrabackup' ? ['xbstream'] : ['tar', 'tar.gz', 'tar.zst']
  return formats.flatMap(unpackersFor)
}

async function askHost<F>(
  pool: HostPool,
  endpoint: Endpoint,
  signal: AbortSignal | undefined,
  gather: (exec: Executor) => Promise<F>,
): Promise<{ facts: F } | { problem: Problem }> {
  try {
    return { facts: await gather(await pool.get(endpoint, signal)) }
  } catch (err) {
    if (!isFanoutError(err)) throw err
    return { problem: { code: err.code, endpoint: endpoint.spec, message: err.message } }
  }
}
