import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import fetch from '../../../seeder/swarm/http-fetch.js'

let server: Server
let base: string
const seenAgents: (string | undefined)[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAgents.push(req.headers['user-agent'])
    if (req.url?.startsWith('/announce')) res.end(Buffer.from('d8:intervali5ee'))
    else if (req.url === '/slow') setTimeout(() => res.end('late'), 5_000).unref()
    else if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': '100' })
      res.write('d8:interval', () => res.destroy())
    } else {
      res.statusCode = 404
      res.end('no')
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

describe('the agent’s fetch (what bittorrent-tracker’s HTTP announce needs)', () => {
  test('a GET gives the status and the body’s bytes, with the headers asked for', async () => {
    const res = await fetch(`${base}/announce?info_hash=%01%02`, { headers: { 'user-agent': 'fanout-test' } })
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('d8:intervali5ee')
    expect(seenAgents.at(-1)).toBe('fanout-test')
  })

  test('another status is passed on, not thrown', async () => {
    const res = await fetch(`${base}/missing`)
    expect(res.status).toBe(404)
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('no')
  })

  test('a connection cut mid-body rejects the body instead of leaving it pending', async () => {
    const res = await fetch(`${base}/cut`)
    expect(res.status).toBe(200)
    await expect(res.arrayBuffer()).rejects.toThrow()
  })

  test('an abort rejects the request', async () => {
    await expect(fetch(`${base}/slow`, { signal: AbortSignal.timeout(50) })).rejects.toThrow()
  })

  test('a closed port rejects, and only http: is fetched', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as AddressInfo).port
    closed.close()
    await expect(fetch(`http://127.0.0.1:${port}/announce`)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    await expect(fetch('https://127.0.0.1/announce')).rejects.toThrow(/only http: URLs/)
  })
})
