import { FanoutError, isFanoutError } from '../../shared/errors.js'
import { type Endpoint, pathOn } from '../core/endpoint.js'
import {
  type CopyState,
  type LinkKept,
  type LinkOutcome,
  type LinkVerdict,
  linkTempName,
  linkVerdicts,
} from '../core/link-verdicts.js'
import type { TransferPlan } from '../core/plan.js'
import type { AgentChannel } from './agent-channel.js'
import type { SessionDeps } from './session-deps.js'

type LinkDeps = Pick<SessionDeps, 'config' | 'state' | 'signal' | 'cleanup' | 'pool'>

// Removes the temporary link only if it is still a link: a killed agent's, never anything else.
const REMOVE_TEMP_LINK = '[ ! -L "$1" ] || rm -f -- "$1"'

/**
 * `--link NAME`: which targets switch their link to the new copy, and when (core/link-verdicts.ts
 * decides; the target's agent renames, seeder/place/switch-link.ts). The sessions report each copy
 * that landed, with its agent; the run settles once every target is done or failed. A switch that
 * fails fails its target, whose link stays as it was.
 */
export class LinkSwitch {
  private readonly channels = new Map<number, AgentChannel>()
  private readonly outcomes = new Map<number, LinkOutcome>()
  private readonly started = new Set<number>()

  constructor(
    private readonly plan: TransferPlan,
    private readonly deps: LinkDeps,
  ) {}

  /** `--link-when all`: a landed target's agent must stay until the run settles, to switch then. */
  get holdsAgents(): boolean {
    return this.deps.config.link !== undefined && this.deps.config.linkWhen === 'all'
  }

  /** The target's copy is in place and its agent still up: switches now if the verdict says so. */
  async landed(index: number, channel: AgentChannel): Promise<void> {
    if (this.deps.config.link === undefined) return
    this.channels.set(index, channel)
    await this.act(this.verdicts(false))
  }

  /** Every target is done or failed: a `--link-when all` run switches now, or never. */
  async settle(): Promise<void> {
    if (this.deps.config.link !== undefined) await this.act(this.verdicts(true))
  }

  /** Per target, how its link went; undefined for every target without `--link`. */
  results(): (LinkOutcome | undefined)[] {
    const name = this.deps.config.link
    const verdicts = this.verdicts(true)
    return this.plan.targets.map((_, index) => {
      if (name === undefined) return undefined
      const outcome = this.outcomes.get(index)
      if (outcome !== undefined) return outcome
      return { name, to: this.plan.name, switched: false, reason: this.whyKept(index, verdicts[index]) }
    })
  }

  private verdicts(settled: boolean): LinkVerdict[] {
    const copies = this.deps.state.targets.map((target, index): CopyState => {
      if (this.channels.has(index)) return 'landed'
      const over = settled || target.state === 'failed' || target.state === 'aborted'
      return over ? 'failed' : 'pending'
    })
    return linkVerdicts(this.deps.config.linkWhen, copies)
  }

  private async act(verdicts: readonly LinkVerdict[]): Promise<void> {
    if (this.deps.signal.aborted) return
    const due = verdicts.flatMap((v, index) =>
      v.act === 'switch' && !this.started.has(index) ? [index] : [],
    )
    for (const index of due) this.started.add(index)
    await Promise.all(due.map((index) => this.switchOn(index)))
  }

  private async switchOn(index: number): Promise<void> {
    const channel = this.channels.get(index)
    const endpoint = this.plan.targets[index]
    const name = this.deps.config.link
    if (channel === undefined || endpoint === undefined || name === undefined) return
    const to = this.plan.name
    const tempName = linkTempName(this.plan.transferId)
    channel.send({ type: 'link', dir: endpoint.path, name, to, tempName })
    try {
      const { previous } = await channel.next('linked', this.deps.signal)
      this.outcomes.set(index, { name, to, switched: true, previous })
    } catch (err) {
      if (!isFanoutError(err)) throw err
      const interrupted = err.code === 'ABORTED'
      this.outcomes.set(index, {
        name,
        to,
        switched: false,
        reason: interrupted ? 'interrupted' : 'switch-failed',
      })
      // The agent did not answer: it may have died between making the temporary link and renaming it.
      if (err.code !== 'LINK_FAILED') this.removeTempLink(endpoint, tempName)
      this.deps.state.fail(
        index,
        interrupted || err.code === 'LINK_FAILED' ? err : this.failure(endpoint, err),
      )
    }
  }

  private failure(endpoint: Endpoint, err: FanoutError): FanoutError {
    const path = pathOn(endpoint, inDir(endpoint, this.deps.config.link ?? ''))
    return new FanoutError('LINK_FAILED', `could not switch ${path}: ${err.message}`, err.context, {
      cause: err,
    })
  }

  private removeTempLink(endpoint: Endpoint, tempName: string): void {
    const temp = inDir(endpoint, tempName)
    this.deps.cleanup.defer(`remove ${pathOn(endpoint, temp)}`, async () => {
      const exec = await this.deps.pool.get(endpoint)
      const removed = await exec.run(['sh', '-c', REMOVE_TEMP_LINK, 'sh', temp])
      if (removed.exitCode !== 0) throw new Error(removed.stderr.trim())
    })
  }

  private whyKept(index: number, verdict: LinkVerdict | undefined): LinkKept {
    const target = this.deps.state.targets[index]
    if (this.deps.signal.aborted || target?.state === 'aborted') return 'interrupted'
    if (verdict?.act === 'keep' && verdict.because === 'others') return 'another-copy-failed'
    return target?.state === 'checking' ? 'not-started' : 'copy-failed'
  }
}

function inDir(endpoint: Endpoint, name: string): string {
  return `${endpoint.path === '/' ? '' : endpoint.path}/${name}`
}
