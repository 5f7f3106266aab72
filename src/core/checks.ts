import type { FanoutCode } from '../../shared/errors.js'

/** What a host told us about a path before anything moved. */
export interface PathFacts {
  /** `stat -L` file type: 'directory', 'regular file', ... or null when it does not exist. */
  type: string | null
  readable: boolean
  writable: boolean
}

export interface SourceFacts extends PathFacts {
  /** Apparent size in bytes (du -sb); null when unknown. */
  bytes: number | null
  nodeVersion: string | null
}

export interface TargetFacts extends PathFacts {
  /** Whether `<dir>/<name>` exists in any form, a dangling symlink included. */
  destinationExists: boolean
  /**
   * When the payload unpacks into the directory: the name of something in it other than a staging
   * directory of ours (which a resumed run reuses), null when there is nothing else.
   */
  stranger?: string | null
  availableBytes: number | null
  nodeVersion: string | null
  /** `--link NAME`: NAME in the directory, with its `stat` file type (not followed); null: absent. */
  link?: { name: string; type: string | null }
  /** `--base DIR`: whether DIR (followed if a link) is a directory or file there to copy from. */
  baseFound?: boolean
}

export interface Problem {
  code: FanoutCode
  /** The endpoint as the user wrote it. */
  endpoint: string
  message: string
}

export const MIN_NODE_MAJOR = 20

/** Room needed on a target: the payload plus 2% and 64 MiB for filesystem overhead and metadata. */
export function requiredBytes(payloadBytes: number): number {
  return Math.ceil(payloadBytes * 1.02) + 64 * 2 ** 20
}

export function checkSource(endpoint: string, facts: SourceFacts): Problem[] {
  const problem = (code: FanoutCode, message: string): Problem[] => [{ code, endpoint, message }]
  if (facts.type === null) return problem('SOURCE_MISSING', 'source does not exist')
  if (facts.type !== 'directory' && facts.type !== 'regular file' && facts.type !== 'regular empty file') {
    return problem('SOURCE_UNREADABLE', `source is a ${facts.type}; only files and directories can be sent`)
  }
  if (!facts.readable) return problem('SOURCE_UNREADABLE', 'source is not readable')
  return checkNode(endpoint, facts.nodeVersion)
}

/** How a payload lands in a target directory. */
export interface Landing {
  /** An archive whose contents become the directory's (`--type decompress`, `xtrabackup`). */
  unpack: boolean
  /** Times the payload's size the target holds at its peak (an archive kept while it is unpacked: 2). */
  copies: number
}

const AS_NAMED: Landing = { unpack: false, copies: 1 }

export function checkTarget(
  endpoint: string,
  name: string,
  facts: TargetFacts,
  payloadBytes: number,
  landing: Landing = AS_NAMED,
): Problem[] {
  const problem = (code: FanoutCode, message: string): Problem[] => [{ code, endpoint, message }]
  if (facts.type === null) return problem('TARGET_MISSING', 'target directory does not exist')
  if (facts.type !== 'directory')
    return problem('TARGET_NOT_DIR', `target is a ${facts.type}, not a directory`)
  if (!facts.writable) return problem('TARGET_NOT_DIR', 'target directory is not writable')
  if (landing.unpack && facts.stranger != null) {
    return problem(
      'TARGET_NOT_EMPTY',
      `target directory is not empty (it holds ${facts.stranger}); the archive unpacks into an empty directory`,
    )
  }
  if (!landing.unpack && facts.destinationExists) {
    return problem(
      'DESTINATION_EXISTS',
      `${name} already exists in the target directory; nothing is overwritten`,
    )
  }
  const link = facts.link
  if (link?.type != null && link.type !== 'symbolic link') {
    return problem(
      'DESTINATION_EXISTS',
      `${link.name} is a ${link.type} in the target directory, not a symlink; --link replaces a symlink only, never a real file or directory`,
    )
  }
  const needed = requiredBytes(payloadBytes * landing.copies)
  if (facts.availableBytes !== null && facts.availableBytes < needed) {
    return problem(
      'NO_SPACE',
      `not enough space: ${formatBytes(facts.availableBytes)} free, ${formatBytes(needed)} needed`,
    )
  }
  return checkNode(endpoint, facts.nodeVersion)
}

function checkNode(endpoint: string, version: string | null): Problem[] {
  const major = version === null ? Number.NaN : Number(/^v?(\d+)\./.exec(version)?.[1])
  if (Number.isNaN(major))
    return [{ code: 'NODE_MISSING', endpoint, message: 'node is not installed (Node.js >= 20 is needed)' }]
  if (major < MIN_NODE_MAJOR) {
    return [
      { code: 'NODE_MISSING', endpoint, message: `node ${version} is too old (Node.js >= 20 is needed)` },
    ]
  }
  return []
}

/** Binary units, one decimal: what `df -h` users read. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let value = bytes
  let unit = 0
  // Compare with what toFixed(1) will print, so 1023.96 KiB shows as 1.0 MiB, not 1024.0 KiB.
  while (value >= 1023.95 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}
