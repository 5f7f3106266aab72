import { connect } from 'node:net'
import type { AgentCommand, AgentReport } from '../../shared/messages.js'

type ProbeCommand = Extract<AgentCommand, { type: 'probe' }>

/** One handshake that takes longer than this counts as a failed probe: the source is not reachable. */
const CONNECT_TIMEOUT_MS = 3_000

/**
 * Measures the round-trip time to the source as the time a TCP handshake with its tracker takes:
 * one SYN and one SYN-ACK, answered by the kernel, so the source's load barely shows. The smallest of
 * several handshakes is kept, which drops scheduling noise and the first one's ARP lookup. Never
 * throws: a failure is reported as `ms: null` with the reason.
 */
export async function probeRtt(command: ProbeCommand): Promise<Extract<AgentReport, { type: 'rtt' }>> {
  let best = Number.POSITIVE_INFINITY
  try {
    for (let i = 0; i < Math.max(1, command.samples); i++)
      best = Math.min(best, await handshakeMs(command.address, command.port))
    // Microseconds are as fine as a handshake time means anything.
    return { type: 'rtt', ms: Math.round(best * 1000) / 1000 }
  } catch (err) {
    return { type: 'rtt', ms: null, reason: (err as Error).message }
  }
}

function handshakeMs(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const socket = connect({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer from ${host}:${port} within ${CONNECT_TIMEOUT_MS} ms`))
    }, CONNECT_TIMEOUT_MS)
    socket.once('connect', () => {
      const ms = performance.now() - started
      clearTimeout(timer)
      socket.destroy()
      resolve(ms)
    })
    socket.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}
