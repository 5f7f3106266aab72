import { FanoutError } from '../../shared/errors.js'

/** One hop of a ProxyJump value as written; `user` and `port` win over the hop's own Host block. */
export interface JumpSpec {
  host: string
  user?: string
  port?: number
}

/** An SSH config as ssh-config's `compute` gives it, keys lower-cased, in the order first set. */
type Computed = Record<string, string | string[]>

/**
 * The ProxyJump value that applies, or undefined for a direct connection. As in OpenSSH, whichever
 * of ProxyJump and ProxyCommand is set first wins (ssh-config's `compute` keeps keys in the order
 * they were first set), and `none` means a direct connection.
 *
 * @throws FanoutError('SSH_CONFIG') when a ProxyCommand applies: we cannot run it, and connecting
 * directly instead would bypass what the user set up.
 */
export function proxyJumpOf(computed: Computed, host: string): string | undefined {
  const key = Object.keys(computed).find((k) => k === 'proxyjump' || k === 'proxycommand')
  if (key === undefined) return undefined
  const value = [computed[key] ?? []].flat().join(' ')
  if (value.toLowerCase() === 'none') return undefined
  if (key === 'proxycommand') {
    const message = `${host}: ProxyCommand in the SSH config is not supported; use ProxyJump`
    throw new FanoutError('SSH_CONFIG', message, { host })
  }
  return value
}

/**
 * `[user@]host[:port]`, `[user@][v6 address][:port]`, optionally as an `ssh://` URI. The user runs
 * to the last `@`, as in OpenSSH.
 */
const HOP =
  /^(?:ssh:\/\/)?(?:(?<user>\S+)@)?(?:\[(?<v6>[^\]\s]+)\]|(?<name>[^:@[\]/\s]+))(?::(?<port>\d+))?\/?$/

/**
 * Parses a ProxyJump value (`host1,user@host2:2222`) into its hops, first hop first.
 *
 * @throws FanoutError('SSH_CONFIG') for an empty hop, a bad port or a hop that is not a host.
 */
export function parseProxyJump(value: string, host: string): JumpSpec[] {
  return value.split(',').map((hop) => parseHop(hop, host))
}

function parseHop(hop: string, host: string): JumpSpec {
  const match = HOP.exec(hop)
  const name = match?.groups?.v6 ?? match?.groups?.name
  if (match === null || name === undefined) {
    const message = `${host}: bad ProxyJump hop "${hop}" in the SSH config; write [user@]host[:port], hops separated by commas`
    throw new FanoutError('SSH_CONFIG', message, { host })
  }
  const { user, port } = match.groups ?? {}
  const spec: JumpSpec = { host: name }
  if (user !== undefined) spec.user = user
  if (port !== undefined) spec.port = checkedPort(Number(port), hop, host)
  return spec
}

function checkedPort(port: number, hop: string, host: string): number {
  if (port < 1 || port > 65535) {
    throw new FanoutError('SSH_CONFIG', `${host}: bad port in ProxyJump hop "${hop}"`, { host })
  }
  return port
}
