import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { FanoutError } from '../../shared/errors.js'
import { combineTargets, parseTargetsFile } from '../core/targets-file.js'

/**
 * The transfer's targets: the command line's, then those of the `--targets` file when one is given
 * (FILE relative to `cwd`). Every problem with the file is a usage error, raised before any host is
 * contacted.
 */
export async function readTargets(
  commandLine: readonly string[],
  targetsPath: string | undefined,
  cwd: string,
): Promise<readonly string[]> {
  if (targetsPath === undefined) return commandLine
  let text: string
  try {
    text = await readFile(resolve(cwd, targetsPath), 'utf8')
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw new FanoutError('USAGE', `cannot read the targets file ${targetsPath} (${why})`, {}, { cause: err })
  }
  return combineTargets(commandLine, parseTargetsFile(text, targetsPath, cwd), targetsPath, cwd)
}
