import { once } from 'node:events'
import { createServer, type Server } from 'node:net'
import { PassThrough } from 'node:stream'
import pino from 'pino'
import { describe, expect, onTestFinished, test } from 'vitest'
import { createReporter } from '../../../seeder/control/report.js'
import { runAgent } from '../../../seeder/control/run-agent.js'
import { planTransfer } from '../../../src/core/plan.js'
import { singleSite } from '../../../src/core/sites.js'
import { AgentChannel } from '../../../src/run/agent-channel.js'
import { decideSites } from '../../../src/run/decide-sites.js'
import { type TargetRun, targetRuns } from '../../../src/run/target-run.js'
import { TransferState } from '../../../src/run/transfer-state.js'

const log = pino({ level: 'silent' })
const TARGETS = ['h1:/srv', 'h2:/srv', 'h3:/srv']
const plan = planTransfer({ source: 'h0:/srv/data', targets: TARGETS, cwd: '/', transferId: 'id' })

/** The real agent loop, in this process, behind an AgentChannel: what the orchestrator talks to. */
function inProcessAgent(host: string): AgentChannel {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  const exited = runAgent({ input: stdin, report: createReporter(stdout), log, idleTimeoutMs: 60_000 }).then(
    () => ({ exitCode: 0, signal: null }),
  )
  const channel = new AgentChannel(
    host,
    { stdin, stdout, stderr: new PassThrough(), exited, kill: () => stdin.end() },
    log,
  )
  onTestFinished(() => channel.close())
  return channel
}

async function tracker(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((socket) => socket.destroy())
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  const close = () => new Promise<void>((done) => server.close(() => done()))
  return { url: `http://127.0.0.1:${port}/announce`, close }
}

/** The plan's targets, each with the agent given at its position (undefined: it did not start). */
function withAgents(channels: (AgentChannel | undefined)[]): TargetRun[] {
  return targetRuns(plan.targets).map((target, index) => {
    const channel = channels[index]
    return channel === undefined ? target : { ...target, channel }
  })
}

function deps(inferSites: boolean) {
  const state = new TransferState(
    TARGETS,
    0,
    () => 0,
    () => {},
  )
  return { state, log, signal: new AbortController().signal, sites: singleSite(TARGETS.length), inferSites }
}

describe('decideSites', () => {
  test('measures each started target and ranks only the targets that started', async () => {
    const source = await tracker()
    onTestFinished(source.close)
    const started = withAgents([inProcessAgent('h1'), undefined, inProcessAgent('h3')])
    const d = deps(true)
    const layout = await decideSites(started, source.url, d)
    expect(layout.from).toBe('inferred')
    expect(layout.targets).toEqual([0, 0, 0])
    expect(layout.rttMs?.[0]).toBeGreaterThanOrEqual(0)
    expect(layout.rttMs?.[1]).toBeNull()
    expect(started.map((t) => t.placement)).toEqual([
      { site: 0, rank: 0, siteSize: 2 },
      undefined,
      { site: 0, rank: 1, siteSize: 2 },
    ])
    expect(d.state.warnings).toEqual([])
  })

  test('targets that cannot reach the source are named in one warning and put in its site', async () => {
    const gone = await tracker()
    await gone.close()
    const d = deps(true)
    const layout = await decideSites(withAgents(TARGETS.map((t) => inProcessAgent(t))), gone.url, d)
    expect(layout).toMatchObject({
      from: 'inferred',
      labels: ['dc1'],
      targets: [0, 0, 0],
      rttMs: [null, null, null],
    })
    expect(d.state.warnings).toHaveLength(1)
    expect(d.state.warnings[0]).toMatch(
      /^could not measure the round-trip time to the source from h1:\/srv, h2:\/srv, h3:\/srv \(.*ECONNREFUSED.*\); counted in the source's site$/,
    )
  })

  test('without inference (or without a payload) the layout given is kept and nothing is probed', async () => {
    const given = { from: 'topology' as const, labels: ['east', 'west'], targets: [1, 0, 1], file: 'dcs.txt' }
    const d = { ...deps(false), sites: given }
    const none = withAgents([undefined, undefined, undefined])
    const layout = await decideSites(none, null, d)
    expect(layout).toBe(given)
    expect(none.map((t) => t.placement)).toEqual([undefined, undefined, undefined])
    const started = withAgents(TARGETS.map((t) => inProcessAgent(t)))
    expect(await decideSites(started, null, { ...d, inferSites: true })).toBe(given)
    expect(started.map((t) => t.placement)).toEqual([
      { site: 1, rank: 0, siteSize: 2 },
      { site: 0, rank: 0, siteSize: 1 },
      { site: 1, rank: 1, siteSize: 2 },
    ])
  })
})
