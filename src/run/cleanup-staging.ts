import { stderrTail } from '../../shared/errors.js'
import type { RunCommand } from '../../shared/firewall/firewall.js'
import type { StepReport } from './cleanup-agents.js'

// stagingName() in core/plan.ts: 16 characters of an info hash, or of a transfer id (a UUID, so dashes).
const STAGING_NAME = /^\.fanout-[0-9a-f-]{16}\.partial$/

// Prints the names of the staging directories in "$1"; fails (cd's message on stderr) when "$1" is not
// a directory. Symbolic links are skipped: fanout never makes one, so a link by that name is not ours.
const LIST_STAGING = [
  'cd -- "$1" || exit 1',
  'for n in .fanout-*.partial; do [ -d "$n" ] && [ ! -L "$n" ] && printf "%s\\n" "$n"; done',
  'true',
].join('\n')

/**
 * Removes the staging directories (`.fanout-<id>.partial`) that interrupted transfers left in `dirs`.
 * A resumed transfer would have reused them; cleanup is for when it will not be resumed.
 */
export async function removeStagingDirs(run: RunCommand, dirs: readonly string[]): Promise<StepReport> {
  const report: StepReport = { removed: [], errors: [] }
  for (const dir of dirs) {
    const listed = await run(['sh', '-c', LIST_STAGING, 'sh', dir])
    if (listed.exitCode !== 0) {
      report.errors.push(`${dir}: ${stderrTail(listed.stderr, 200) || 'not a directory'}`)
      continue
    }
    const paths = listed.stdout
      .split('\n')
      .filter((name) => STAGING_NAME.test(name))
      .map((name) => (dir === '/' ? `/${name}` : `${dir}/${name}`))
    if (paths.length === 0) continue
    const removed = await run(['rm', '-rf', '--', ...paths])
    if (removed.exitCode === 0) report.removed.push(...paths.map((p) => `removed staging directory ${p}`))
    else report.errors.push(`could not remove ${paths.join(', ')}: ${stderrTail(removed.stderr, 200)}`)
  }
  return report
}
