import { readFile } from 'node:fs/promises'
import type { Cluster } from '../../test/helpers/cluster.js'
import { runOrThrow } from '../../test/helpers/run-command.js'

/** Bytes through one interface since it was created. */
export interface Counters {
  rx: number
  tx: number
}

/**
 * A pid that lives in the namespace as long as the cluster does: the host's `sleep infinity`
 * anchor. Reading /proc/<pid>/net/dev then costs no process per sample.
 */
export async function residentPid(namespace: string): Promise<number> {
  const pids = (await runOrThrow(['ip', 'netns', 'pids', namespace])).split('\n').filter(Boolean).map(Number)
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmdline === 'sleep\0infinity\0') return pid
  }
  const any = pids[0]
  if (any === undefined) throw new Error(`no process lives in namespace ${namespace}`)
  return any
}

/** {@link residentPid} of each host, by name. */
export async function residentPids(cluster: Cluster, hosts: readonly string[]): Promise<Map<string, number>> {
  const namespaceOf = (name: string) => cluster.hosts.find((h) => h.name === name)?.namespace ?? ''
  return new Map(
    await Promise.all(hosts.map(async (name) => [name, await residentPid(namespaceOf(name))] as const)),
  )
}

/** The counters of `device` in the network namespace of `pid`. */
export async function readCounters(pid: number, device: string): Promise<Counters> {
  const text = await readFile(`/proc/${pid}/net/dev`, 'utf8')
  for (const line of text.split('\n')) {
    const [name, rest] = line.split(':')
    if (name?.trim() !== device || rest === undefined) continue
    const fields = rest.trim().split(/\s+/).map(Number)
    // Receive bytes is the first field, transmit bytes the ninth.
    return { rx: fields[0] ?? 0, tx: fields[8] ?? 0 }
  }
  throw new Error(`no device ${device} in the namespace of pid ${pid}`)
}

/**
 * TCP segments the namespace of `pid` has retransmitted since it was created. Link counters count a
 * segment every time it is sent, so this tells resent data (drops at a receiver's shaper) apart from
 * data sent twice on purpose.
 */
export async function readRetransmittedSegments(pid: number): Promise<number> {
  const lines = (await readFile(`/proc/${pid}/net/snmp`, 'utf8'))
    .split('\n')
    .filter((l) => l.startsWith('Tcp:'))
  const [names, values] = lines.map((l) => l.split(/\s+/))
  const at = names?.indexOf('RetransSegs') ?? -1
  return at < 0 ? 0 : Number(values?.[at] ?? 0)
}

/** Counters of a device in a named namespace, through `ip -s` (for namespaces without a resident process). */
export async function namespaceCounters(namespace: string, device: string): Promise<Counters> {
  const json = await runOrThrow(['ip', '-n', namespace, '-s', '-j', 'link', 'show', 'dev', device])
  const [link] = JSON.parse(json) as { stats64: { rx: { bytes: number }; tx: { bytes: number } } }[]
  if (link === undefined) throw new Error(`no device ${device} in ${namespace}`)
  return { rx: link.stats64.rx.bytes, tx: link.stats64.tx.bytes }
}
