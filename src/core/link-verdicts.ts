import { FanoutError } from '../../shared/errors.js'
import type { LinkWhen } from '../config/defaults.js'

/** Where a target's copy stands when its `--link` switch is decided. */
export type CopyState = 'landed' | 'failed' | 'pending'

/** What becomes of one target's link now. */
export type LinkVerdict =
  | { act: 'switch' }
  /** Not yet: with `--link-when all`, other copies are still on their way. */
  | { act: 'wait' }
  /** Its own copy did not land. */
  | { act: 'keep'; because: 'own-copy' }
  /** With `--link-when all`: another target's copy did not land. */
  | { act: 'keep'; because: 'others' }

/**
 * Why a target's link was left as it was: its copy did not land, its switch failed, the run was
 * interrupted or stopped before the target started, or (`--link-when all`) another copy failed.
 */
export type LinkKept = 'copy-failed' | 'switch-failed' | 'interrupted' | 'not-started' | 'another-copy-failed'

/** How the switch went on one target, as the result and `--json` give it. */
export interface LinkOutcome {
  /** The symlink in the target directory (`--link NAME`). */
  name: string
  /** What it points at once switched: the copy's name, relative, beside it. */
  to: string
  switched: boolean
  /** Switched only: what it pointed at before; null when there was no link. */
  previous?: string | null
  /** Not switched only: why the link was left as it was. */
  reason?: LinkKept
}

/**
 * Which targets switch their link, from where every copy stands. `each`: a target switches as soon
 * as its copy landed. `all`: no target switches until every copy landed, and none does once one has
 * failed. A target whose copy did not land never switches: it keeps the release it runs.
 */
export function linkVerdicts(when: LinkWhen, copies: readonly CopyState[]): LinkVerdict[] {
  const failed = copies.includes('failed')
  const pending = copies.includes('pending')
  return copies.map((copy): LinkVerdict => {
    if (copy === 'failed') return { act: 'keep', because: 'own-copy' }
    if (copy === 'pending') return { act: 'wait' }
    if (when === 'each') return { act: 'switch' }
    if (failed) return { act: 'keep', because: 'others' }
    return pending ? { act: 'wait' } : { act: 'switch' }
  })
}

/**
 * The temporary link made beside NAME and renamed over it: hidden, and saying fanout and the run,
 * so that `fanout cleanup` knows one that a killed agent left (cleanup-staging.ts).
 */
export function linkTempName(transferId: string): string {
  return `.fanout-${transferId.slice(0, 16)}.link`
}

/**
 * A link named like the copy would have to replace the copy itself.
 *
 * @throws FanoutError('USAGE') when `link` is the copy's own name.
 */
export function checkLinkName(link: string | undefined, copyName: string): void {
  if (link === copyName) {
    throw new FanoutError(
      'USAGE',
      `--link ${link}: that is the name of the copy itself; the link needs a name of its own (e.g. current)`,
    )
  }
}
