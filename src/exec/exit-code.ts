import { constants } from 'node:os'

/**
 * Exit status as a shell reports it: the code, or 128 + the signal number for a command killed by a
 * signal (SIGKILL is 137). -1 means the server sent a signal name this platform has no number for.
 */
export function exitCodeOf(code: number | null | undefined, signal: string | null | undefined): number {
  if (typeof code === 'number') return code
  const number = signal == null ? undefined : constants.signals[signal as NodeJS.Signals]
  return number === undefined ? -1 : 128 + number
}
