import { spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import type { AgentReport } from '../../shared/messages.js'

const DIST = fileURLToPath(new URL('../../dist', import.meta.url))

/** Starts a built agent, sends it `commands` after its hello, and returns its reports until it exits. */
async function converse(bundle: string, commands: object[]): Promise<AgentReport[]> {
  const agent = spawn(process.execPath, [join(DIST, bundle), '--idle-timeout-ms', '10000'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  })
  const reports: AgentReport[] = []
  const lines = createInterface({ input: agent.stdout })
  const exited = new Promise<void>((resolve) => agent.on('close', () => resolve()))
  for await (const line of lines) {
    const report = JSON.parse(line) as AgentReport
    reports.push(report)
    if (report.type === 'hello') {
      for (const command of commands) agent.stdin.write(`${JSON.stringify(command)}\n`)
      agent.stdin.end()
    }
  }
  await exited
  return reports
}

test("the stream's agent is a fraction of the swarm's and says so when asked for a swarm role", async () => {
  const lean = statSync(join(DIST, 'agent-stream.mjs')).size
  const whole = statSync(join(DIST, 'agent.mjs')).size
  expect(lean).toBeLessThan(whole / 3)
  const reports = await converse('agent-stream.mjs', [{ type: 'seed', sourcePath: '/nonexistent' }])
  expect(reports[0]).toMatchObject({ type: 'hello' })
  expect(reports).toContainEqual({
    type: 'error',
    code: 'AGENT_FAILED',
    message: 'this is the stream agent: it has no swarm roles',
  })
}, 20_000)

test("the stream's agent scans a source as the whole one does", async () => {
  const source = fileURLToPath(new URL('../../package.json', import.meta.url))
  for (const bundle of ['agent-stream.mjs', 'agent.mjs']) {
    const reports = await converse(bundle, [{ type: 'scan', sourcePath: source }])
    expect(
      reports.find((r) => r.type === 'manifest'),
      bundle,
    ).toMatchObject({
      manifest: { name: 'package.json', rootKind: 'file' },
    })
  }
}, 20_000)
