/** What a fanout run's `--verbose` log tells about its load on the tracker and the orchestrator. */
export interface RunLogFacts {
  /** From the source agent's 'tracker closed' line; undefined if the log has none. */
  tracker: { port: number; announces: number; peakPeers: number } | undefined
  /** Seconds from the CLI's first log line to its first and last 'ssh connected' (one per host). */
  ssh: { connections: number; firstSeconds: number; lastSeconds: number } | undefined
}

interface LogLine {
  time?: number
  msg?: string
  host?: string
  agentLog?: string
  port?: number
  announces?: number
  peakPeers?: number
}

/**
 * Reads the CLI's JSON log lines, and inside them the agents' own lines (forwarded as `agentLog`
 * chunks of each host's stderr, joined per host before they are split into lines again).
 */
export function readRunLog(stderr: string): RunLogFacts {
  const lines = stderr.split('\n').flatMap((text) => parsed(text) ?? [])
  const agentText = new Map<string, string>()
  for (const line of lines)
    if (line.msg === 'agent stderr' && line.agentLog !== undefined)
      agentText.set(line.host ?? '', `${agentText.get(line.host ?? '') ?? ''}${line.agentLog}\n`)
  const agentLines = [...agentText.values()].flatMap((text) =>
    text.split('\n').flatMap((t) => parsed(t) ?? []),
  )
  const closed = agentLines.find((l) => l.msg === 'tracker closed')
  return {
    tracker:
      closed === undefined
        ? undefined
        : { port: closed.port ?? 0, announces: closed.announces ?? 0, peakPeers: closed.peakPeers ?? 0 },
    ssh: sshFacts(lines),
  }
}

function sshFacts(lines: readonly LogLine[]): RunLogFacts['ssh'] {
  const start = lines.find((l) => l.time !== undefined)?.time
  const connected = lines.filter((l) => l.msg === 'ssh connected' && l.time !== undefined)
  if (start === undefined || connected.length === 0) return undefined
  const times = connected.map((l) => ((l.time ?? start) - start) / 1000)
  return { connections: times.length, firstSeconds: Math.min(...times), lastSeconds: Math.max(...times) }
}

function parsed(text: string): LogLine | undefined {
  if (!text.startsWith('{')) return undefined
  try {
    return JSON.parse(text) as LogLine
  } catch {
    return undefined
  }
}
