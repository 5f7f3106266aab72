import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { FanoutError, stderrTail } from '../../shared/errors.js'
import type { ArchiveFormat } from '../../shared/messages.js'

/**
 * The host's own unpacker for each archive: GNU tar, run as root, keeps everything a datadir or a
 * release holds (owners by name as transfer.py's `tar xf` did, modes, times, hard links, sparse
 * files, long names), and only mbstream reads an xbstream. Both refuse members that would land
 * outside the directory.
 */
export function unpackerArgv(format: ArchiveFormat, intoDir: string): string[] {
  const tar = ['tar', '-x', '-f', '-', '-C', intoDir]
  switch (format) {
    case 'tar':
      return tar
    case 'tar.gz':
      return [...tar, '--gzip']
    case 'tar.zst':
      return [...tar, '--zstd']
    case 'xbstream':
      return ['mbstream', '-x', '-C', intoDir]
  }
}

/**
 * Whether unpacking re-reads and checks every byte of the archive as it was written: mbstream
 * checks each xbstream chunk's CRC-32, gunzip the gzip stream's CRC-32 and length. For those the
 * swarm's read-back (--checksum) would read the same bytes once more for nothing; a plain tar,
 * and a zstd one (whose frames may carry no checksum), have no such check.
 */
export function checksItsOwnBytes(format: ArchiveFormat): boolean {
  return format === 'xbstream' || format === 'tar.gz'
}

/**
 * Feeds `input` to the unpacker for `format`, writing into `intoDir`. Rejects with UNPACK_FAILED
 * and the unpacker's own words when it fails (a truncated or corrupt archive, a CRC error, a full
 * disk), whichever end notices first.
 */
export async function unpackArchive(
  input: Readable,
  format: ArchiveFormat,
  intoDir: string,
  signal?: AbortSignal,
): Promise<void> {
  const [command, ...args] = unpackerArgv(format, intoDir) as [string, ...string[]]
  const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4096)
  })
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new FanoutError(
          'UNPACK_FAILED',
          err.code === 'ENOENT' ? `${command} is not installed on this host` : `${command}: ${err.message}`,
          { command },
        ),
      ),
    )
    // 'close' waits for every stdio stream, and a stdin whose writes all reached the pipe's buffer
    // hears of the unpacker's death only at its next write, which a paused input never makes.
    child.on('exit', () => child.stdin.destroy())
    child.on('close', (status, killedBy) => {
      if (status === 0) return resolve()
      const why = status === null ? `killed by ${killedBy}` : `exit status ${status}`
      reject(
        new FanoutError('UNPACK_FAILED', `unpacking with ${command} failed, ${why}: ${stderrTail(stderr)}`, {
          command,
          exitCode: status,
          stderr,
        }),
      )
    })
  })
  exited.catch(() => {})
  // Not stream.pipeline: when its stdin closes, pipeline cannot tell the unpacker stopping on its
  // own (GNU tar done at the end-of-archive blocks, mbstream failing a CRC) from the input failing.
  // Here only the input's own error or an abort counts against the input; otherwise the
  // unpacker's exit status says how it went.
  let inputFailure: unknown
  const stop = (reason: unknown) => {
    inputFailure ??= reason
    child.kill()
  }
  const onAbort = () => stop(signal?.reason)
  input.once('error', stop)
  signal?.addEventListener('abort', onAbort, { once: true })
  if (signal?.aborted === true) onAbort()
  // EPIPE: the unpacker stopped reading; what it thought of that is in its exit status.
  child.stdin.on('error', () => input.unpipe(child.stdin))
  input.pipe(child.stdin)
  try {
    await exited.catch((err: unknown) => {
      if (inputFailure === undefined) throw err
    })
    if (inputFailure !== undefined) throw inputFailure
  } finally {
    input.off('error', stop)
    signal?.removeEventListener('abort', onAbort)
    input.unpipe(child.stdin)
    input.destroy()
  }
}

/**
 * Unpacks an archive held whole on disk (the swarm's staged copy) into a fresh `intoDir`; whatever
 * an interrupted earlier unpack left there goes first.
 */
export async function unpackStaged(
  archivePath: string,
  format: ArchiveFormat,
  intoDir: string,
  opts: { signal?: AbortSignal; length?: number | undefined } = {},
): Promise<void> {
  await rm(intoDir, { recursive: true, force: true })
  await mkdir(intoDir, { mode: 0o700 })
  // A hot backup's spool ends with the zeros that pad its last piece: only `length` bytes are its own.
  const input = createReadStream(archivePath, opts.length === undefined ? {} : { end: opts.length - 1 })
  await unpackArchive(input, format, intoDir, opts.signal)
}
