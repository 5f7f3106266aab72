import { type FanoutCode, isFanoutError } from '../../shared/errors.js'

/** The code an agent reports for a failure: its own, or what the errno means to a user. */
export function errorCodeOf(err: unknown): FanoutCode {
  if (isFanoutError(err)) return err.code
  const errno = (err as NodeJS.ErrnoException).code
  if (errno === 'ENOSPC') return 'NO_SPACE'
  return 'AGENT_FAILED'
}
