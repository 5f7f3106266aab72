import { FanoutError } from '../../shared/errors.js'
import type { StrictHostKeyChecking } from './ssh-target.js'

/** Without a ConnectTimeout OpenSSH waits as long as the kernel's TCP connect does (minutes). */
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000

/** A Port value, checked as OpenSSH checks it; undefined when the config has none. */
export function parsePort(value: string | undefined, host: string): number | undefined {
  if (value === undefined) return undefined
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FanoutError('SSH_CONFIG', `${host}: bad Port "${value}" in the SSH config`, { host })
  }
  return port
}

/** StrictHostKeyChecking with its aliases (true, off, ...); unset is ask, as in OpenSSH. */
export function parseStrict(value: string | undefined, host: string): StrictHostKeyChecking {
  switch (value?.toLowerCase()) {
    case undefined:
    case 'ask':
      return 'ask'
    case 'yes':
    case 'true':
      return 'yes'
    case 'no':
    case 'off':
    case 'false':
      return 'no'
    case 'accept-new':
      return 'accept-new'
    default:
      throw new FanoutError('SSH_CONFIG', `${host}: bad StrictHostKeyChecking "${value}"`, { host })
  }
}

/** ConnectTimeout in seconds, as milliseconds. */
export function parseTimeout(value: string | undefined, host: string): number {
  if (value === undefined || value.toLowerCase() === 'none') return DEFAULT_CONNECT_TIMEOUT_MS
  const seconds = Number(value)
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new FanoutError('SSH_CONFIG', `${host}: bad ConnectTimeout "${value}"`, { host })
  }
  return seconds * 1000
}
