import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pollUntil } from '../../test/helpers/poll-until.js'
import { type HostProcess, maxUsage, spawnMeasured, totalCpu } from '../lib/host-process.js'
import { waitForListener } from '../lib/listening.js'
import { summarizeProgress } from '../lib/progress.js'
import { startSampler } from '../lib/sampler.js'
import { TSX_NODE } from '../lib/tsx-node.js'
import type { CopyJob, Measurement, TargetTime } from './measurement.js'

const REPO = join(import.meta.dirname, '..', '..')
const TRACKER_PORT = 6969
const PEER_PORT = 6881

// A standard engine as users run it, minus every way of finding peers but our tracker.
const COMMON = [
  ...['--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false'],
  ...['--seed-ratio=0', `--listen-port=${PEER_PORT}`, '--disable-ipv6=true'],
  ...['--console-log-level=warn', '--summary-interval=0', '--download-result=hide'],
]

/**
 * aria2c as a standard BitTorrent engine: our tracker and an aria2c seeder on the source, every
 * target leeching at once. Leechers keep seeding after they finish (an exiting leecher would stop
 * uploading to the others and make aria2c look worse than it is); each reports completion through
 * `--on-bt-download-complete` (which, unlike --on-download-complete, runs before seeding), and once all have, every aria2c is stopped by pid. The time includes
 * making the torrent (hashing S on the source), as fanout's includes its own hashing.
 */
export async function runAria2(job: CopyJob): Promise<Measurement> {
  const work = await mkdtemp(join(tmpdir(), 'fanout-bench-aria2-'))
  const started: HostProcess[] = []
  try {
    return await swarm(job, work, started)
  } finally {
    // The tracker (started first) goes last, so the aria2c processes can say goodbye to it quickly.
    const [tracker, ...peers] = started
    await Promise.all(peers.map((p) => p.stop(2_000)))
    await tracker?.stop(2_000)
    await rm(work, { recursive: true, force: true })
  }
}

async function swarm(job: CopyJob, work: string, started: HostProcess[]): Promise<Measurement> {
  const { cluster } = job
  const address = cluster.hosts.find((h) => h.name === job.source)?.address ?? ''
  const onSource = (argv: readonly string[]) => cluster.hostArgv(job.source, argv)
  const spawn = (enter: typeof onSource, argv: readonly string[]) => {
    const p = spawnMeasured(enter, argv, { timed: true, timeoutMs: job.timeoutMs, cwd: REPO })
    started.push(p)
    return p
  }
  const torrent = join(work, 'payload.torrent')
  const announce = `http://${address}:${TRACKER_PORT}/announce`
  // The tracker is infrastructure a user of aria2c already has, so it starts before the clock does.
  const tracker = spawn(onSource, [
    ...TSX_NODE,
    ...[join(REPO, 'bench/host/tracker.ts'), address, String(TRACKER_PORT), work],
  ])
  await waitForListener(tracker.pid, TRACKER_PORT, 30_000)
  const sampler = await startSampler(cluster, [job.source, ...job.targets])
  const t0 = performance.now()
  // The completion hooks stamp wall-clock time, so the same instant on that clock is kept.
  const t0Epoch = Date.now()
  const made = await spawnMeasured(
    onSource,
    [...TSX_NODE, join(REPO, 'bench/host/make-torrent.ts'), `${job.dir}/${job.name}`, torrent, announce],
    { timed: true, timeoutMs: job.timeoutMs, cwd: REPO },
  ).done
  if (made.exitCode !== 0) throw new Error(`making the torrent failed: ${made.stderr}`)
  const prepSeconds = (performance.now() - t0) / 1000
  const seeder = spawn(onSource, [
    'aria2c',
    ...COMMON,
    ...[`--dir=${job.dir}`, '--bt-seed-unverified=true', '--check-integrity=false', torrent],
  ])
  // As a user would, the seeder is up and known to the tracker before the leechers start; aria2c
  // leechers that find no seeder in their first announce wait seconds for a re-announce.
  await pollUntil(
    'the aria2c seeder to announce',
    async () => ((await readdir(work)).includes(`announced-${address}`) ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 20 },
  )
  const leechers = await Promise.all(job.targets.map((t) => startLeecher(job, t, torrent, work, spawn)))
  await waitForAll(job, work, [seeder, ...leechers])
  const seconds = (performance.now() - t0) / 1000
  const perTarget = await completionTimes(job, work, t0Epoch)
  const samples = await sampler.stop()
  const [seeded, ...leeched] = await Promise.all([seeder, ...leechers].map((p) => p.stop(2_000)))
  return {
    method: 'aria2c',
    targets: job.targets.length,
    seconds,
    perTarget,
    prepSeconds,
    source: seeded?.usage,
    targetMax: maxUsage(leeched.map((l) => l.usage)),
    targetCpuTotal: totalCpu(leeched.map((l) => l.usage)),
    progress: summarizeProgress(samples, job.source, job.targets, job.bytes, job.linkBytesPerSecond),
    notes: [`torrent creation ${prepSeconds.toFixed(1)} s (included)`],
  }
}

async function startLeecher(
  job: CopyJob,
  target: string,
  torrent: string,
  work: string,
  spawn: (enter: (argv: readonly string[]) => string[], argv: readonly string[]) => HostProcess,
): Promise<HostProcess> {
  // aria2c runs the hook with (gid, file count, path); ours records when this target was done. The
  // marker appears by a rename, so whoever sees it can read the time in it.
  const hook = join(work, `done-hook-${target}.sh`)
  const marker = join(work, `done-${target}`)
  await writeFile(hook, `#!/bin/sh\ndate +%s.%N > ${marker}.tmp && mv ${marker}.tmp ${marker}\n`)
  await chmod(hook, 0o755)
  return spawn(
    (argv) => job.cluster.hostArgv(target, argv),
    ['aria2c', ...COMMON, `--dir=${job.targetDir}`, `--on-bt-download-complete=${hook}`, torrent],
  )
}

/** Polls for every target's completion marker; an aria2c that exits before is a failure. */
async function waitForAll(job: CopyJob, work: string, processes: readonly HostProcess[]): Promise<void> {
  const wanted = job.targets.map((t) => `done-${t}`)
  // pollUntil retries a probe that throws, so an early exit is returned, then thrown here.
  const gone = await pollUntil(
    'every aria2c leecher to complete',
    async () => {
      const exited = processes.find((p) => p.exited)
      if (exited !== undefined) return exited
      const present = new Set(await readdir(work))
      return wanted.every((w) => present.has(w)) ? null : undefined
    },
    { timeoutMs: job.timeoutMs, intervalMs: 100 },
  )
  if (gone !== null) {
    const end = await gone.done
    throw new Error(
      `an aria2c exited early (${end.exitCode}): ${end.stderr.slice(-800)}${end.stdout.slice(-800)}`,
    )
  }
}

/** Each target's completion, from the epoch seconds its hook wrote, relative to `t0Epoch` (ms). */
async function completionTimes(job: CopyJob, work: string, t0Epoch: number): Promise<TargetTime[]> {
  return Promise.all(
    job.targets.map(async (target) => {
      const stamp = Number((await readFile(join(work, `done-${target}`), 'utf8')).trim())
      if (!Number.isFinite(stamp)) throw new Error(`${target}'s completion hook wrote no time`)
      return { target, seconds: stamp - t0Epoch / 1000 }
    }),
  )
}
