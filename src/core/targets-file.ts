import { FanoutError } from '../../shared/errors.js'
import { type Endpoint, isBareHost, parseEndpoint, parseEndpointAt } from './endpoint.js'
import { targetKey } from './plan.js'

/** One target of a `--targets` file, with the line it came from for messages. */
export interface TargetLine {
  endpoint: Endpoint
  line: number
}

const EXPECTED = 'expected "[user@]host:/dir [SITE]"'

/**
 * Parses a `--targets` file: one `[user@]host:/dir` (or local directory) per line, optionally
 * followed by a SITE label; `#` starts a comment, blank lines are skipped. A bare HOST with a SITE
 * is a site line for `--topology` (the source's site, say), not a target, so that one file can serve
 * as both. Every error is one line naming the file and the line; a file without a target is one too.
 */
export function parseTargetsFile(text: string, file: string, cwd: string): TargetLine[] {
  const targets: TargetLine[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1
    const content = raw.replace(/#.*$/, '').trim()
    if (content === '') return
    const [spec = '', site, ...rest] = content.split(/\s+/)
    // A SITE is a word: "db7 /srv" is a target missing its colon, not db7's site.
    if (rest.length > 0 || (site !== undefined && /[/:]/.test(site))) {
      throw usage(`${file}:${line}: ${EXPECTED}, found ${JSON.stringify(content)}`)
    }
    if (site !== undefined && isBareHost(spec)) return
    targets.push({ endpoint: parseEndpointAt(spec, cwd, `${file}:${line}`), line })
  })
  if (targets.length === 0) {
    throw usage(`${file}: no targets in the file (one [user@]host:/dir per line)`)
  }
  return targets
}

/**
 * The command line's targets, then the file's, as written. A file target that repeats one before
 * it is refused here, naming its line, so that the user knows which entry to drop; repeats within
 * the command line are left to planTransfer.
 */
export function combineTargets(
  commandLine: readonly string[],
  fromFile: readonly TargetLine[],
  file: string,
  cwd: string,
): string[] {
  const seen = new Map<string, string>()
  for (const spec of commandLine) seen.set(targetKey(parseEndpoint(spec, cwd)), 'on the command line')
  for (const { endpoint, line } of fromFile) {
    const first = seen.get(targetKey(endpoint))
    if (first !== undefined) throw usage(`${file}:${line}: target ${endpoint.spec} is also ${first}`)
    seen.set(targetKey(endpoint), `on line ${line}`)
  }
  return [...commandLine, ...fromFile.map((target) => target.endpoint.spec)]
}

function usage(message: string): FanoutError {
  return new FanoutError('USAGE', message)
}
