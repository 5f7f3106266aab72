import { posix } from 'node:path'
import { type Compression, compressionOf, type SourceHead } from '../core/archive-format.js'
import type { SourceFacts, TargetFacts } from '../core/checks.js'
import type { ServerFacts } from '../core/source-kind.js'
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

export async function gatherTargetFacts(
  exec: Executor,
  dir: string,
  name: string,
  unpack = false,
  link?: string,
  base?: string,
): Promise<TargetFacts> {
  const inDir = (entry: string) => `${dir === '/' ? '' : dir}/${entry}`
  const [type, writable, destinationType, availableBytes, nodeVersion, stranger, linkType, baseType] =
    await Promise.all([
      fileType(exec, dir, true),
      succeeds(exec, ['test', '-w', dir]),
      fileType(exec, inDir(name), false),
      lastNumber(exec, ['df', '-B1', '--output=avail', '--', dir]),
      nodeVersionOf(exec),
      unpack ? firstStranger(exec, dir) : null,
      link === undefined ? undefined : fileType(exec, inDir(link), false),
      base === undefined ? undefined : fileType(exec, posix.resolve(dir, base), true),
    ])
  return {
    type,
    readable: true,
    writable,
    destinationExists: destinationType !== null,
    availableBytes,
    nodeVersion,
    stranger,
    ...(link === undefined ? {} : { link: { name: link, type: linkType ?? null } }),
    ...(base === undefined ? {} : { baseFound: baseType === 'directory' || baseType === 'regular file' }),
  }
}

/** Bytes of the source file read to tell what archive it is: a tar header ends at 512. */
const HEAD_BYTES = 512

/**
 * The source file's first bytes, and its decompressed first bytes when gzip or zstd (the tar header
 * is inside); null when it cannot be read as a file.
 */
export async function gatherSourceHead(exec: Executor, path: string): Promise<SourceHead | null> {
  const raw = await exec.run(['od', '-An', '-v', '-tx1', '-N', String(HEAD_BYTES), '--', path])
  if (raw.exitCode !== 0) return null
  const head: SourceHead = { raw: fromOd(raw.stdout) }
  const compression = compressionOf(head.raw)
  if (compression !== null) head.inner = await decompressedHead(exec, path, compression)
  return head
}

async function decompressedHead(exec: Executor, path: string, compression: Compression): Promise<Uint8Array> {
  // The decompressor dies of SIGPIPE once head has its bytes: only od's output counts.
  const script = `"$2" -dc -- "$1" 2>/dev/null | head -c ${HEAD_BYTES} | od -An -v -tx1`
  const result = await exec.run(['sh', '-c', script, 'sh', path, compression])
  return fromOd(result.stdout)
}

function fromOd(text: string): Uint8Array {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex')
}

/** The first entry of `dir` other than a staging directory of ours; null when there is none. */
async function firstStranger(exec: Executor, dir: string): Promise<string | null> {
  const result = await exec.run([
    'find',
    dir,
    '-mindepth',
    '1',
    '-maxdepth',
    '1',
    '!',
    '-name',
    '.fanout-*.partial',
    '-printf',
    '%f\\n',
    '-quit',
  ])
  return result.stdout.trim() === '' ? null : result.stdout.trim()
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

/**
 * Which of `commands` the host cannot find on its PATH. `command -v`, since not every tool has a
 * --version that exits 0 (mbstream has none); the name is an argument, never part of the script.
 */
export async function missingCommands(exec: Executor, commands: readonly string[]): Promise<string[]> {
  const found = await Promise.all(
    commands.map((command) => succeeds(exec, ['sh', '-c', 'command -v "$1" >/dev/null', 'sh', command])),
  )
  return commands.filter((_, i) => !found[i])
}

/**
 * Asks the MariaDB server behind `socket` for its datadir and whether it replicates, through the
 * host's own client and client config (fanout passes no credentials), then measures the datadir.
 */
export async function gatherServerFacts(exec: Executor, socket: string): Promise<ServerFacts> {
  const query = await exec.run([
    'mariadb',
    `--socket=${socket}`,
    '--batch',
    '--skip-column-names',
    '--connect-timeout=10',
    '-e',
    'SELECT @@datadir; SHOW SLAVE STATUS',
  ])
  if (query.exitCode !== 0) {
    const error = query.stderr.trim() || `mariadb exited with status ${query.exitCode}`
    return { error, datadir: null, datadirBytes: null, replica: false, spoolAvailableBytes: null }
  }
  const [datadir = '', ...status] = query.stdout.split('\n').filter((line) => line !== '')
  const [datadirBytes, spoolAvailableBytes] = await Promise.all([
    datadir === '' ? null : firstNumber(exec, ['du', '-s', '-b', '--', datadir]),
    // The swarm spools the backup in the agent's directory, under the login's TMPDIR.
    lastNumber(exec, ['sh', '-c', 'df -B1 --output=avail -- "${TMPDIR:-/tmp}"']),
  ])
  return { error: null, datadir, datadirBytes, replica: status.length > 0, spoolAvailableBytes }
}
