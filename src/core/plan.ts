import { FanoutError } from '../../shared/errors.js'
import { baseName, type Endpoint, parseEndpoint } from './endpoint.js'

/** Everything decided about a transfer before any host is contacted. */
export interface TransferPlan {
  transferId: string
  source: Endpoint
  targets: Endpoint[]
  /** The name the copy gets inside each target directory. */
  name: string
}

export interface PlanInput {
  source: string
  targets: readonly string[]
  /** Where bare relative paths are resolved (the caller's working directory). */
  cwd: string
  /** Chosen by the caller so that planning stays deterministic. */
  transferId: string
}

/**
 * Parses and cross-checks the endpoints. Rejects what cannot be right whatever the hosts say: no
 * target, a target named twice, the root directory as source, or a target directory inside the source
 * tree (the copy would feed on itself).
 */
export function planTransfer(input: PlanInput): TransferPlan {
  if (input.targets.length === 0) throw new FanoutError('USAGE', 'at least one target is needed')
  const source = parseEndpoint(input.source, input.cwd)
  if (source.path === '/') throw new FanoutError('USAGE', 'the source cannot be / itself')
  const targets = input.targets.map((spec) => parseEndpoint(spec, input.cwd))
  const seen = new Set<string>()
  for (const target of targets) {
    const key = targetKey(target)
    if (seen.has(key)) throw new FanoutError('USAGE', `target ${target.spec} is named twice`)
    seen.add(key)
    if (hostKey(target) === hostKey(source) && isInside(target.path, source.path)) {
      throw new FanoutError('USAGE', `target ${target.spec} is inside the source ${source.spec}`)
    }
  }
  return { transferId: input.transferId, source, targets, name: baseName(source.path) }
}

/** One SSH connection per distinct (user, host); 'local' for this machine. */
export function hostKey(endpoint: Endpoint): string {
  if (endpoint.host === null) return 'local'
  return endpoint.user === undefined ? endpoint.host : `${endpoint.user}@${endpoint.host}`
}

/** What makes two targets the same: the host (with its user) and the normalised path. */
export function targetKey(endpoint: Endpoint): string {
  return `${hostKey(endpoint)}:${endpoint.path}`
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`)
}

/**
 * The hidden directory a target downloads into, named after the content: a later run of the same
 * payload finds it and resumes, and a different payload never mixes with it.
 */
export function stagingName(contentId: string | null, transferId: string): string {
  return `.fanout-${(contentId ?? transferId).slice(0, 16)}.partial`
}
