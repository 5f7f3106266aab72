import type { Duplex } from 'node:stream'
import type { Client, ConnectConfig } from 'ssh2'
import { FanoutError } from '../../shared/errors.js'
import type { Ssh2Error } from './ssh-errors.js'

/**
 * Starts the SSH handshake and settles once: on 'ready', on the first error (through `mapError`), on
 * a close before ready, or on abort. On failure the stream (a TCP socket, or a channel through a
 * jump host) is destroyed so nothing lingers.
 */
export function handshake(
  host: string,
  client: Client,
  socket: Duplex,
  config: ConnectConfig,
  signal: AbortSignal | undefined,
  mapError: (err: Ssh2Error) => FanoutError,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: FanoutError): void => {
      client.off('ready', onReady).off('error', onError).off('close', onClose)
      signal?.removeEventListener('abort', onAbort)
      if (err === undefined) {
        resolve()
        return
      }
      socket.destroy()
      reject(err)
    }
    const onReady = (): void => settle()
    const onError = (err: Ssh2Error): void => settle(mapError(err))
    const onClose = (): void => settle(mapError(new Error('connection closed during the SSH handshake')))
    const onAbort = (): void => settle(new FanoutError('ABORTED', `${host}: SSH connect aborted`, { host }))
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    client.on('ready', onReady).on('error', onError).on('close', onClose)
    client.connect(config)
  })
}
