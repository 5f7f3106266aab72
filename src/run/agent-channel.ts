import { EventEmitter } from 'node:events'
import { createInterface } from 'node:readline'
import type { Logger } from 'pino'
import { FanoutError, stderrTail } from '../../shared/errors.js'
import { type AgentCommand, type AgentReport, encodeMessage } from '../../shared/messages.js'
import type { ChildHandle } from '../exec/executor.js'

type ReportOf<T extends AgentReport['type']> = Extract<AgentReport, { type: T }>

const STDERR_KEPT = 4096
/** Well inside any agent idle timeout, so only a dead channel makes an agent give up. */
const PING_EVERY_MS = 5_000

/**
 * The orchestrator's end of one agent's JSON-lines channel. Reports arrive as 'report' events;
 * `next(type)` waits for one kind and turns an agent's error report or exit into a FanoutError that
 * names the host, so callers never have to interpret a dead channel themselves.
 */
export class AgentChannel extends EventEmitter<{ report: [AgentReport] }> {
  private stderr = ''
  private exit: { exitCode: number | null; signal: string | null } | undefined
  private saidCleanedUp = false

  constructor(
    readonly host: string,
    private readonly child: ChildHandle,
    private readonly log: Logger,
  ) {
    super()
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line))
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_KEPT)
      log.debug({ host, agentLog: chunk.toString('utf8').trimEnd() }, 'agent stderr')
    })
    const pinger = setInterval(() => this.send({ type: 'ping' }), PING_EVERY_MS)
    pinger.unref()
    child.exited.then((exit) => {
      clearInterval(pinger)
      this.exit = exit
      this.emit('report', { type: 'error', code: 'AGENT_FAILED', message: this.exitMessage() })
    })
  }

  /** The agent reported that it closed its firewall holes and removed its own files. */
  get cleanedUp(): boolean {
    return this.saidCleanedUp
  }

  send(command: AgentCommand): void {
    if (this.exit === undefined && !this.child.stdin.writableEnded)
      this.child.stdin.write(encodeMessage(command))
  }

  /** Resolves with the next report of `type`; rejects on an error report, exit or abort. */
  next<T extends AgentReport['type']>(type: T, signal?: AbortSignal): Promise<ReportOf<T>> {
    return new Promise((resolve, reject) => {
      const onAbort = () =>
        finish(() => reject(new FanoutError('ABORTED', 'interrupted', { host: this.host })))
      const onReport = (report: AgentReport) => {
        if (report.type === type) finish(() => resolve(report as ReportOf<T>))
        else if (report.type === 'error') {
          finish(() => reject(new FanoutError(report.code, report.message, this.context())))
        }
      }
      const finish = (settle: () => void) => {
        this.off('report', onReport)
        signal?.removeEventListener('abort', onAbort)
        settle()
      }
      if (signal?.aborted) return onAbort()
      if (this.exit !== undefined)
        return onReport({ type: 'error', code: 'AGENT_FAILED', message: this.exitMessage() })
      this.on('report', onReport)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Rejects when the agent reports an error or exits; never resolves. */
  failure(signal?: AbortSignal): Promise<never> {
    return this.next('never' as AgentReport['type'], signal) as Promise<never>
  }

  /** Asks the agent to leave and waits for it; a stuck one is killed after `graceMs`. */
  async close(graceMs = 10_000): Promise<void> {
    if (this.exit !== undefined) return
    this.send({ type: 'stop' })
    this.child.stdin.end()
    const timer = setTimeout(() => this.child.kill(), graceMs)
    await this.child.exited
    clearTimeout(timer)
  }

  private onLine(line: string): void {
    let report: AgentReport
    try {
      report = JSON.parse(line) as AgentReport
    } catch {
      this.log.warn({ host: this.host, line: line.slice(0, 200) }, 'agent printed a non-protocol line')
      return
    }
    if (report.type === 'cleanedUp') this.saidCleanedUp = true
    this.emit('report', report)
  }

  private exitMessage(): string {
    const how = this.exit?.signal
      ? `was killed by ${this.exit.signal}`
      : `exited with status ${this.exit?.exitCode}`
    // The agent's own log lines (JSON, at --verbose) say what it did, not why it died: a crash's
    // message and stack are plain text.
    const plain = this.stderr
      .split('\n')
      .filter((line) => !line.startsWith('{"level":'))
      .join('\n')
    const tail = stderrTail(plain, 200)
    return `agent ${how}${tail ? `: ${tail}` : ''}`
  }

  private context() {
    return { host: this.host, stderr: stderrTail(this.stderr) }
  }
}
