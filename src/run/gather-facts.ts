import type { SourceFacts, TargetFacts } from '../core/checks.js'
import type { Executor } from '../exec/executor.js'

/**
 * Asks a host about the source, with coreutils every Linux host has. Each probe is a separate argv
 * (never a shell string), run concurrently over the host's one connection.
 */
export async function gatherSourceFacts(exec: Executor, path: string): Promise<SourceFacts> {
  const [type, readable, bytes, nodeVersion] = await Promise.all([
    fileType(exec, path, true),
    succeeds(exec, ['test', '-r', path]),
    firstNumber(exec, ['du', '-s', '-b', '-D', '--', path]),
    nodeVersionOf(exec),
  ])
  return { type, readable, writable: false, bytes, nodeVersion }
}

export async function gatherTargetFacts(exec: Executor, dir: string, name: string): Promise<TargetFacts> {
  const [type, writable, destinationType, availableBytes, nodeVersion] = await Promise.all([
    fileType(exec, dir, true),
    succeeds(exec, ['test', '-w', dir]),
    fileType(exec, `${dir === '/' ? '' : dir}/${name}`, false),
    lastNumber(exec, ['df', '-B1', '--output=avail', '--', dir]),
    nodeVersionOf(exec),
  ])
  return {
    type,
    readable: true,
    writable,
    destinationExists: destinationType !== null,
    availableBytes,
    nodeVersion,
  }
}

/** `stat` file type, following links only when asked; null when nothing is there. */
async function fileType(exec: Executor, path: string, follow: boolean): Promise<string | null> {
  const result = await exec.run(['stat', ...(follow ? ['-L'] : []), '--printf=%F', '--', path])
  return result.exitCode === 0 ? result.stdout : null
}

async function succeeds(exec: Executor, argv: string[]): Promise<boolean> {
  return (await exec.run(argv)).exitCode === 0
}

async function firstNumber(exec: Executor, argv: string[]): Promise<number | null> {
  const result = await exec.run(argv)
  const value = Number(result.stdout.trim().split(/\s+/)[0])
  return result.exitCode === 0 && Number.isFinite(value) ? value : null
}

async function lastNumber(exec: Executor, argv: string[]): Promise<number | null> {
  const result = await exec.run(argv)
  const value = Number(result.stdout.trim().split(/\s+/).pop())
  return result.exitCode === 0 && Number.isFinite(value) ? value : null
}

async function nodeVersionOf(exec: Executor): Promise<string | null> {
  const result = await exec.run(['node', '--version'])
  return result.exitCode === 0 ? result.stdout.trim() : null
}

/** Which of `commands` the host cannot run (each tried with --version, never through a shell). */
export async function missingCommands(exec: Executor, commands: readonly string[]): Promise<string[]> {
  const found = await Promise.all(commands.map((command) => succeeds(exec, [command, '--version'])))
  return commands.filter((_, i) => !found[i])
}
