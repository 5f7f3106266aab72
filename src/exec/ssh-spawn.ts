import { PassThrough } from 'node:stream'
import type { ClientChannel } from 'ssh2'
import type { ChildHandle } from './executor.js'
import { type SshConnection, stopChannel } from './ssh-channel.js'

type Exit = { exitCode: number | null; signal: string | null }

/**
 * How long kill() waits for sshd to confirm before giving up on the command. OpenSSH refuses the
 * 'signal' request for root sessions ("session signalling requires privilege separation"), so a
 * kill is only the channel closing: the command sees EOF on stdin and SIGPIPE on its next write, and
 * one that does neither keeps running until it ends by itself.
 */
const KILL_GRACE_MS = 3_000

/**
 * Starts a long-running command and returns at once. ssh2 opens channels asynchronously, so the
 * handle's streams are pass-throughs joined to the channel once it opens; writes made before then
 * are buffered. `exited` always resolves, never rejects: with the exit code or signal when the server
 * reports one, and with `{ exitCode: null, signal: null }` when the channel could not open, the
 * connection dropped, or a killed command was not confirmed gone within KILL_GRACE_MS. Output
 * streams then end, so readers never hang.
 */
export function spawnCommand(conn: SshConnection, command: string): ChildHandle {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const log = conn.log.child({ command })
  let channel: ClientChannel | undefined
  let killed = false
  let settled = false
  let resolveExited: (exit: Exit) => void = () => {}
  const exited = new Promise<Exit>((resolve) => {
    resolveExited = resolve
  })
  // `abandon` is for a command we stop waiting for (lost, unconfirmed kill, never started): its
  // output streams are cut off and ended. A command that exited drains its output normally.
  const settle = (exit: Exit, abandon = false): void => {
    if (settled) return
    settled = true
    unwatch()
    detach(stdin, stdout, stderr, channel, abandon)
    resolveExited(exit)
  }
  const gone = { exitCode: null, signal: null }
  const unwatch = conn.watch((err) => {
    log.warn({ err }, 'connection lost under a running command')
    settle(gone, true)
  })
  conn.exec(command).then(
    (opened) => {
      channel = opened
      opened.on('error', (err: unknown) => log.debug({ err }, 'channel error'))
      if (killed || settled) return stopChannel(opened)
      attach(opened, stdin, stdout, stderr, settle)
    },
    (err: unknown) => {
      log.warn({ err }, 'could not start command')
      settle(gone, true)
    },
  )
  const kill = (): void => {
    if (killed || settled) return
    killed = true
    if (channel !== undefined) stopChannel(channel)
    setTimeout(() => {
      if (!settled) log.warn('command did not end after kill(); it may still be running on the host')
      settle(gone, true)
    }, KILL_GRACE_MS).unref()
  }
  return { stdin, stdout, stderr, exited, kill }
}

function attach(
  channel: ClientChannel,
  stdin: PassThrough,
  stdout: PassThrough,
  stderr: PassThrough,
  settle: (exit: Exit, abandon?: boolean) => void,
): void {
  stdin.pipe(channel)
  channel.pipe(stdout)
  channel.stderr.pipe(stderr)
  // 'exit' comes with the status as soon as the command is gone; 'close' covers servers that never
  // send one (and a kill), when the arguments are undefined.
  channel.on('exit', (code: number | null | undefined, signal: string | undefined) =>
    settle({ exitCode: code ?? null, signal: signal ?? null }),
  )
  channel.on('close', (code: number | null | undefined, signal: string | undefined) =>
    settle({ exitCode: code ?? null, signal: signal ?? null }),
  )
}

/**
 * Cuts stdin loose from the channel: later writes are accepted and discarded, because erroring stdin
 * would crash a caller without an 'error' listener, and `exited` has already said the command is gone.
 * When abandoning, output is cut off too and ended so readers finish.
 */
function detach(
  stdin: PassThrough,
  stdout: PassThrough,
  stderr: PassThrough,
  channel: ClientChannel | undefined,
  abandon: boolean,
): void {
  if (channel !== undefined) stdin.unpipe(channel)
  stdin.resume()
  if (!abandon) return
  channel?.unpipe(stdout)
  channel?.stderr.unpipe(stderr)
  for (const out of [stdout, stderr]) if (!out.writableEnded) out.end()
}
