/**
 * Every failure a user can act on has a code. The CLI prints known codes as one line and sets a
 * non-zero exit status; anything else is a bug and prints its stack.
 */
export type FanoutCode =
  | 'USAGE'
  | 'SSH_CONFIG'
  | 'SSH_AUTH'
  | 'SSH_HOST_KEY'
  | 'SSH_CONNECT'
  | 'SSH_TIMEOUT'
  | 'HOST_UNREACHABLE'
  | 'REMOTE_COMMAND'
  | 'NODE_MISSING'
  | 'SOURCE_MISSING'
  | 'SOURCE_UNREADABLE'
  | 'TARGET_MISSING'
  | 'TARGET_NOT_DIR'
  | 'DESTINATION_EXISTS'
  | 'NO_SPACE'
  | 'AGENT_FAILED'
  | 'AGENT_PROTOCOL'
  | 'VERIFY_FAILED'
  | 'SOURCE_CHANGED'
  | 'STALLED'
  | 'SOURCE_LOST'
  | 'TARGET_BUSY'
  | 'ABORTED'
  | 'FIREWALL'
  | 'PORT_IN_USE'
  | 'CODEC_MISSING'
  | 'TARGET_NOT_EMPTY'
  | 'SOURCE_FORMAT'
  | 'UNPACK_FAILED'
  | 'PREPARE_FAILED'
  | 'BACKUP_FAILED'
  | 'REPLICATION'
  | 'DATABASE'
  | 'LINK_FAILED'

/** What the user must know to understand a failure without reading a stack trace. */
export interface ErrorContext {
  host?: string
  path?: string
  command?: string
  exitCode?: number | null
  stderr?: string
  [key: string]: unknown
}

export class FanoutError extends Error {
  constructor(
    readonly code: FanoutCode,
    message: string,
    readonly context: ErrorContext = {},
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'FanoutError'
  }
}

export function isFanoutError(err: unknown): err is FanoutError {
  return err instanceof FanoutError
}

/** Connection-level failures may go away on a second attempt; data and usage problems never do. */
export function isRetryable(err: unknown): boolean {
  return isFanoutError(err) && (err.code === 'SSH_TIMEOUT' || err.code === 'SSH_CONNECT')
}

/** The last lines of a command's stderr, short enough to fit in a one-line error. */
export function stderrTail(stderr: string, maxChars = 300): string {
  const trimmed = stderr.trim()
  return trimmed.length <= maxChars ? trimmed : `…${trimmed.slice(-maxChars)}`
}
