import type { ArchiveFormat } from '../../shared/messages.js'
import type { TransferType } from '../config/defaults.js'
import { archiveFormatOf, type SourceHead } from './archive-format.js'
import { checkSource, formatBytes, type Problem, requiredBytes, type SourceFacts } from './checks.js'

/** What a MariaDB server behind a socket told the pre-flight, through the host's mariadb client. */
export interface ServerFacts {
  /** The client's error (its stderr) when it could not log in or query; null when it could. */
  error: string | null
  datadir: string | null
  /** `du -sb` of the datadir: what a backup of it will be, about. */
  datadirBytes: number | null
  /** SHOW SLAVE STATUS returned a row. */
  replica: boolean
  /** Free bytes where the swarm would spool the backup (the agent's directory, under TMPDIR). */
  spoolAvailableBytes: number | null
}

export interface InspectedSource extends SourceFacts {
  /** First bytes of a file, for the types that unpack (see archive-format.ts). */
  head?: SourceHead | null
  /** For `--type xtrabackup` when SOURCE is a socket. */
  server?: ServerFacts
}

/** What SOURCE turned out to be, for the run to plan with. */
export interface SourceKind {
  /** What each target unpacks; null when the payload lands as it is. */
  archive: ArchiveFormat | null
  /** A hot backup of the server behind this socket, whose datadir is this. */
  backupOf: { socket: string; datadir: string } | null
  /** The payload's size, or for a hot backup the datadir's (the backup's size is known at its end). */
  payloadBytes: number
}

/**
 * Decides what SOURCE is for `type` from what its host said, or why it cannot be sent: a file or
 * directory as it is; for `decompress` a tarball; for `xtrabackup` an xbstream file or a running
 * server's socket, which must answer the host's own client login (and be a replica, for
 * `--stop-slave`).
 */
export function sourceKind(
  endpoint: string,
  path: string,
  type: TransferType,
  facts: InspectedSource,
  opts: { stopSlave: boolean; spools: boolean },
): { kind: SourceKind } | { problems: Problem[] } {
  const problem = (code: Problem['code'], message: string) => ({ problems: [{ code, endpoint, message }] })
  if (type === 'xtrabackup' && facts.type === 'socket') {
    const server = facts.server
    if (server === undefined) throw new Error('a socket source is asked about its server')
    const refused = serverProblem(path, server, opts)
    if (refused !== null) return problem(refused.code, refused.message)
    const backupOf = { socket: path, datadir: server.datadir ?? '' }
    return { kind: { archive: 'xbstream', backupOf, payloadBytes: server.datadirBytes ?? 0 } }
  }
  const problems = checkSource(endpoint, facts)
  if (problems.length > 0) return { problems }
  const kind = { archive: null, backupOf: null, payloadBytes: facts.bytes ?? 0 }
  if (type === 'file') return { kind }
  const what = type === 'decompress' ? 'a tarball' : "an xbstream file or a server's socket"
  if (facts.type === 'directory' || facts.head == null) {
    return problem(
      'SOURCE_FORMAT',
      `source is a ${facts.type ?? 'path it cannot read'}; --type ${type} takes ${what}`,
    )
  }
  const found = archiveFormatOf(type, facts.head)
  if ('problem' in found) return problem('SOURCE_FORMAT', `source ${found.problem}`)
  return { kind: { ...kind, archive: found.format } }
}

/**
 * The most a hot backup of a datadir of `datadirBytes` may reach: its files, plus the redo log the
 * server writes while they are copied, generously. The swarm's torrent is made this size.
 */
export function backupCapacity(datadirBytes: number): number {
  return 2 * datadirBytes + 2 ** 30
}

function serverProblem(
  socket: string,
  server: ServerFacts,
  { stopSlave, spools }: { stopSlave: boolean; spools: boolean },
): { code: Problem['code']; message: string } | null {
  const { error } = server
  if (error !== null) {
    if (/\b2002\b|Can't connect/.test(error)) {
      return { code: 'DATABASE', message: `no MariaDB server answers on ${socket}: ${error}` }
    }
    if (/\b1045\b|Access denied/.test(error)) {
      return {
        code: 'DATABASE',
        message: `the server refused the login (fanout uses this host's client config, e.g. ~/.my.cnf): ${error}`,
      }
    }
    return { code: 'DATABASE', message: `cannot query the server on ${socket}: ${error}` }
  }
  if (stopSlave && !server.replica) {
    return { code: 'DATABASE', message: `--stop-slave: the server on ${socket} is not a replica` }
  }
  // The swarm keeps the whole backup on the source until every target has it.
  const needed = requiredBytes(server.datadirBytes ?? 0)
  const free = server.spoolAvailableBytes
  if (spools && free !== null && free < needed) {
    return {
      code: 'NO_SPACE',
      message: `not enough space to spool the backup in $TMPDIR (or /tmp): ${formatBytes(free)} free, ${formatBytes(needed)} needed (the datadir's size and a margin)`,
    }
  }
  return null
}
