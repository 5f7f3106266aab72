import type { Logger } from 'pino'
import type { Client, ClientChannel } from 'ssh2'
import { FanoutError } from '../../shared/errors.js'
import type { RunOptions, RunResult } from './executor.js'
import { exitCodeOf } from './exit-code.js'

/** What a command needs from an open SSH connection. */
export interface SshConnection {
  readonly host: string
  readonly log: Logger
  /** Opens an exec channel (no pty) for an already quoted command line. */
  exec(command: string): Promise<ClientChannel>
  /** Calls `onLost` if the connection goes away; the returned function unregisters it. */
  watch(onLost: (err: FanoutError) => void): () => void
}

/** Pauses before each retry of a refused channel open; about 1.5 s in all. */
const OPEN_RETRY_DELAYS_MS = [20, 50, 100, 200, 400, 800]

/**
 * Opens an exec channel, retrying when sshd refuses it. sshd frees a finished session only after it
 * has processed the packets that arrived with its close, so a channel opened right after another
 * closed can hit MaxSessions even though our side counts a free slot; it succeeds a moment later.
 */
export async function openExecChannel(
  client: Client | undefined,
  command: string,
  host: string,
): Promise<ClientChannel> {
  for (const delay of OPEN_RETRY_DELAYS_MS) {
    try {
      return await openOnce(client, command, host)
    } catch (err) {
      if (!isRefusedOpen(err)) throw err
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
  return openOnce(client, command, host)
}

/** ssh2 reports a refused CHANNEL_OPEN with the RFC 4254 reason; sshd uses 2 (or 4) for MaxSessions. */
function isRefusedOpen(err: unknown): boolean {
  const reason =
    err instanceof FanoutError ? (err.cause as { reason?: unknown } | undefined)?.reason : undefined
  return reason === 2 || reason === 4
}

/** Opens one exec channel (no pty), turning ssh2's callback and synchronous throws into a FanoutError. */
function openOnce(client: Client | undefined, command: string, host: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const fail = (err: unknown): void => {
      const message = `${host}: cannot open an SSH channel: ${String(err)}`
      reject(new FanoutError('SSH_CONNECT', message, { host, command }, { cause: err }))
    }
    try {
      if (client === undefined) throw new Error('not connected')
      client.exec(command, (err, channel) => (err ? fail(err) : resolve(channel)))
    } catch (err) {
      fail(err)
    }
  })
}

/**
 * Asks sshd to signal the command, then closes the channel. Closing alone would leave a non-pty
 * command running until it next writes, so the signal matters; servers that ignore it still see the
 * close. ssh2 only sends signals while our side is writable, so after EOF only the close goes out.
 */
export function stopChannel(channel: ClientChannel): void {
  channel.signal('KILL')
  channel.close()
}

/** Runs one command to completion, collecting its output; see Executor.run. */
export function runCommand(conn: SshConnection, command: string, opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let channel: ClientChannel | undefined
    let done = false
    const finish = (outcome: { error: FanoutError } | { result: RunResult }): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      unwatch()
      if ('error' in outcome) {
        if (channel !== undefined) stopChannel(channel)
        reject(outcome.error)
      } else resolve(outcome.result)
    }
    const context = { host: conn.host, command }
    const onAbort = (): void =>
      finish({ error: new FanoutError('ABORTED', `${conn.host}: command aborted`, context) })
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            const message = `${conn.host}: command timed out after ${opts.timeoutMs} ms`
            finish({ error: new FanoutError('SSH_TIMEOUT', message, context) })
          }, opts.timeoutMs)
    const unwatch = conn.watch((error) => finish({ error }))
    if (opts.signal?.aborted) return onAbort()
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    conn.exec(command).then(
      (opened) => {
        if (done) return stopChannel(opened)
        channel = opened
        opened.on('error', (err: unknown) => conn.log.debug({ err, command }, 'channel error'))
        collect(opened, command, conn.host, finish)
        opened.end(opts.input)
      },
      (error: FanoutError) => finish({ error }),
    )
  })
}

function collect(
  channel: ClientChannel,
  command: string,
  host: string,
  finish: (outcome: { error: FanoutError } | { result: RunResult }) => void,
): void {
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  channel.on('data', (chunk: Buffer) => stdout.push(chunk))
  channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  channel.on('close', (code: number | null | undefined, signal: string | undefined) => {
    const out = Buffer.concat(stdout).toString('utf8')
    const err = Buffer.concat(stderr).toString('utf8')
    if (code === undefined) {
      // No exit status: sshd died or the connection dropped under the command.
      const message = `${host}: command ended without an exit status (connection lost?)`
      finish({ error: new FanoutError('SSH_CONNECT', message, { host, command, stderr: err }) })
      return
    }
    finish({ result: { command, exitCode: exitCodeOf(code, signal), stdout: out, stderr: err } })
  })
}
