import { FanoutError } from '../../shared/errors.js'
import { type Endpoint, parseEndpoint } from './endpoint.js'
import { hostKey } from './plan.js'

/** One host for `fanout cleanup`, with every directory named for it on the command line. */
export interface CleanupTarget {
  /** The host for messages: `h1`, `root@h1`, or `localhost` for this machine. */
  host: string
  /** Where to connect; its path is meaningless (a bare HOST names no directory). */
  endpoint: Endpoint
  /** Directories whose staging directories and temporary links are removed; none for a bare HOST. */
  dirs: string[]
}

// `[user@]host` or `[user@][v6addr]`: a host alone, which names no directory to look in.
const BARE_HOST = /^(?:[^@/:[\]]+@)?(?:[^@/:[\]]+|\[[0-9A-Fa-f:.]+\])$/

/**
 * Parses `fanout cleanup` operands: `HOST` (firewall holes, agent processes and shipped agents only)
 * or `HOST:/dir` (also the staging directories in /dir), with the transfer's endpoint syntax otherwise,
 * so `localhost:/dir` and a bare local path mean this machine. Operands naming one host are merged,
 * so each host is visited once.
 *
 * @throws FanoutError('USAGE') for no operand or one that is not a host or an endpoint.
 */
export function parseCleanupTargets(specs: readonly string[], cwd: string): CleanupTarget[] {
  if (specs.length === 0) throw new FanoutError('USAGE', 'cleanup needs at least one HOST or HOST:/dir')
  const byHost = new Map<string, CleanupTarget>()
  for (const spec of specs) {
    const bare = BARE_HOST.test(spec)
    const endpoint = bare ? parseEndpoint(`${spec}:/`, cwd) : parseEndpoint(spec, cwd)
    const key = hostKey(endpoint)
    const target = byHost.get(key) ?? { host: key === 'local' ? 'localhost' : key, endpoint, dirs: [] }
    if (!bare && !target.dirs.includes(endpoint.path)) target.dirs.push(endpoint.path)
    byHost.set(key, target)
  }
  return [...byHost.values()]
}
