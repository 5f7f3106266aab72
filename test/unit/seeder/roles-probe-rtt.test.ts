import { once } from 'node:events'
import { createServer, type Server } from 'node:net'
import { expect, onTestFinished, test } from 'vitest'
import { probeRtt } from '../../../seeder/roles/probe-rtt.js'

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as { port: number }).port
}

const close = (server: Server) => new Promise<void>((done) => server.close(() => done()))

test('reports the smallest of several TCP handshake times', async () => {
  const server = createServer((socket) => socket.destroy())
  const port = await listen(server)
  onTestFinished(() => close(server))
  const report = await probeRtt({ type: 'probe', address: '127.0.0.1', port, samples: 3 })
  expect(report.type).toBe('rtt')
  expect(report.ms).toBeGreaterThanOrEqual(0)
  expect(report.ms).toBeLessThan(1000)
})

test('a port nobody listens on gives ms null and the reason, not an exception', async () => {
  // A port whose listener has just closed refuses connections.
  const closed = createServer()
  const port = await listen(closed)
  await close(closed)
  const report = await probeRtt({ type: 'probe', address: '127.0.0.1', port, samples: 3 })
  expect(report).toMatchObject({ type: 'rtt', ms: null })
  expect(report.reason).toMatch(/ECONNREFUSED/)
})
