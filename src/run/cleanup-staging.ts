import { stderrTail } from '../../shared/errors.js'
import type { RunCommand } from '../../shared/firewall/firewall.js'
import type { StepReport } from './cleanup-agents.js'

// stagingName() in core/plan.ts: 16 characters of an info hash, or of a transfer id (a UUID, so dashes).
const STAGING_NAME = /^\.fanout-[0-9a-f-]{16}\.partial$/
// linkTempName() in core/link-verdicts.ts: the --link switch's new link, before it is renamed over NAME.
const TEMP_LINK_NAME = /^\.fanout-[0-9a-f-]{16}\.link$/

// Prints the names of the staging directories and temporary links in "$1"; fails (cd's message on
// stderr) when "$1" is not a directory. A staging name that is a symbolic link is skipped: fanout
// never makes one, so it is not ours; a temporary link is only ever a symbolic link.
const LIST_LEFTOVERS = [
  'cd -- "$1" || exit 1',
  'for n in .fanout-*.partial; do [ -d "$n" ] && [ ! -L "$n" ] && printf "%s\\n" "$n"; done',
  'for n in .fanout-*.link; do [ -L "$n" ] && printf "%s\\n" "$n"; done',
  'true',
].join('\n')

/**
 * Removes what interrupted transfers left in `dirs`: staging directories (`.fanout-<id>.partial`),
 * which a resumed transfer would have reused, and the temporary link of a `--link` switch whose agent
 * was killed between making it and renaming it (`.fanout-<id>.link`). Cleanup is for when the
 * transfer will not be resumed.
 */
export async function removeStagingDirs(run: RunCommand, dirs: readonly string[]): Promise<StepReport> {
  const report: StepReport = { removed: [], errors: [] }
  for (const dir of dirs) {
    const listed = await run(['sh', '-c', LIST_LEFTOVERS, 'sh', dir])
    if (listed.exitCode !== 0) {
      report.errors.push(`${dir}: ${stderrTail(listed.stderr, 200) || 'not a directory'}`)
      continue
    }
    const names = listed.stdout
      .split('\n')
      .filter((name) => STAGING_NAME.test(name) || TEMP_LINK_NAME.test(name))
    const paths = names.map((name) => (dir === '/' ? `/${name}` : `${dir}/${name}`))
    if (paths.length === 0) continue
    const removed = await run(['rm', '-rf', '--', ...paths])
    if (removed.exitCode === 0) report.removed.push(...paths.map(describe))
    else report.errors.push(`could not remove ${paths.join(', ')}: ${stderrTail(removed.stderr, 200)}`)
  }
  return report
}

function describe(path: string): string {
  return path.endsWith('.link') ? `removed temporary link ${path}` : `removed staging directory ${path}`
}
