import { spawn } from 'node:child_process'
import { Duplex } from 'node:stream'
import { FanoutError, stderrTail } from '../../shared/errors.js'

/**
 * The zstd codec: the host's own `zstd` binary (Node 20 has no zstd in node:zlib), on all cores, at
 * its fastest level. zstd sends incompressible blocks as they are at memory speed, so random data
 * costs it nothing, unlike gzip.
 */
export function zstdPipe(direction: 'compress' | 'decompress'): Duplex {
  const args = direction === 'compress' ? ['-1', '-T0', '-q', '-c'] : ['-d', '-q', '-c']
  const child = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4096)
  })
  const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout })
  child.on('error', (err: NodeJS.ErrnoException) => {
    const missing = err.code === 'ENOENT'
    duplex.destroy(
      new FanoutError(
        missing ? 'CODEC_MISSING' : 'AGENT_FAILED',
        missing ? 'zstd is not installed on this host' : `zstd: ${err.message}`,
      ),
    )
  })
  child.on('exit', (status, signal) => {
    if (status === 0) return
    const why = status === null ? `killed by ${signal}` : `exit status ${status}`
    // A decompressor that fails read a corrupt stream; a compressor that fails is the host's problem.
    const code = direction === 'decompress' ? 'VERIFY_FAILED' : 'AGENT_FAILED'
    duplex.destroy(new FanoutError(code, `zstd (${direction}) failed, ${why}: ${stderrTail(stderr)}`))
  })
  // A stream torn down early (a failed transfer) must not leave the child behind.
  duplex.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill()
  })
  return duplex
}
