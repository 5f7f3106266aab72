import { FanoutError } from '../../shared/errors.js'

/** The shape ssh2 gives its errors: `level` says which layer failed, `code` is the socket errno. */
export type Ssh2Error = Error & { level?: string; code?: string }

/** Socket errors that mean the host (not just sshd) cannot be reached. */
const UNREACHABLE = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * Turns an ssh2 connection error into a FanoutError by ssh2's `level`, keeping the original as cause.
 * ECONNREFUSED maps to SSH_CONNECT rather than HOST_UNREACHABLE: the host answered, sshd did not,
 * which a retry can fix (sshd restarting) and which points the user at sshd rather than the network.
 */
export function mapSshError(err: Ssh2Error, host: string, user: string): FanoutError {
  const context = { host, user, level: err.level, errno: err.code }
  const options = { cause: err }
  switch (err.level) {
    case 'client-authentication':
      return new FanoutError(
        'SSH_AUTH',
        `${host}: SSH authentication as ${user} failed; check IdentityFile, the agent and authorized_keys`,
        context,
        options,
      )
    case 'client-timeout':
      return new FanoutError('SSH_TIMEOUT', `${host}: SSH ${timeoutWhat(err)}`, context, options)
    case 'client-socket':
    case 'client-dns':
      return socketError(err, host, context, options)
    default:
      return new FanoutError(
        'SSH_CONNECT',
        `${host}: SSH connection failed: ${err.message}`,
        context,
        options,
      )
  }
}

function timeoutWhat(err: Ssh2Error): string {
  return err.message.startsWith('Keepalive')
    ? 'connection stopped answering keepalives; the link or the host is down'
    : 'handshake timed out; is the host up and sshd answering?'
}

function socketError(
  err: Ssh2Error,
  host: string,
  context: Record<string, unknown>,
  options: ErrorOptions,
): FanoutError {
  if (err.code === 'ECONNREFUSED') {
    return new FanoutError('SSH_CONNECT', `${host}: connection refused; is sshd running?`, context, options)
  }
  if (err.code !== undefined && UNREACHABLE.has(err.code)) {
    return new FanoutError('HOST_UNREACHABLE', `${host}: host unreachable (${err.code})`, context, options)
  }
  return new FanoutError('SSH_CONNECT', `${host}: SSH connection failed: ${err.message}`, context, options)
}

/** The error in-flight commands get when the connection goes away under them. */
export function connectionLost(host: string, cause?: unknown): FanoutError {
  if (cause instanceof FanoutError) return cause
  return new FanoutError('SSH_CONNECT', `${host}: SSH connection lost`, { host }, { cause })
}

/** The error for work cut short because fanout itself closed the connection. */
export function closedByUs(host: string): FanoutError {
  return new FanoutError('ABORTED', `${host}: SSH connection closed by fanout`, { host })
}
