import type { BackupPosition } from '../../shared/messages.js'

/** Where a copy of a backup stands, for pointing a new replica at its primary. */
export interface ReplicationStart {
  /** The binlog coordinates of the server the backup was taken on, when it wrote binlogs. */
  binlogFile: string | null
  binlogPosition: number | null
  /** The GTID position at the backup's end (`SET GLOBAL gtid_slave_pos = …` on the new replica). */
  gtid: string | null
  /** From a replica's backup: the statement that points the copy at that replica's own primary. */
  slaveInfo: string | null
}

/**
 * Reads mariadb-backup's `*_binlog_info` (`<file>\t<position>[\t<gtid>]`) and keeps `*_slave_info`
 * as it is. Null when the backup holds neither.
 */
export function replicationStart(position: BackupPosition): ReplicationStart | null {
  const { binlogInfo, slaveInfo } = position
  if (binlogInfo === null && slaveInfo === null) return null
  const [file, pos, gtid] = (binlogInfo ?? '').split('\t').map((field) => field.trim())
  const binlogPosition = pos === undefined || pos === '' ? Number.NaN : Number(pos)
  return {
    binlogFile: file === undefined || file === '' ? null : file,
    binlogPosition: Number.isSafeInteger(binlogPosition) ? binlogPosition : null,
    gtid: gtid === undefined || gtid === '' ? null : gtid,
    slaveInfo,
  }
}

/** One line for a person: `mysql-bin.000003:1234, GTID 0-1-42`. */
export function describeReplicationStart(start: ReplicationStart): string {
  const parts: string[] = []
  if (start.binlogFile !== null) parts.push(`${start.binlogFile}:${start.binlogPosition ?? '?'}`)
  if (start.gtid !== null) parts.push(`GTID ${start.gtid}`)
  if (start.slaveInfo !== null) parts.push(`its primary: ${start.slaveInfo.replace(/\s+/g, ' ')}`)
  return parts.join(', ')
}
