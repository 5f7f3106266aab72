import type { FanoutCode } from '../../../shared/errors.js'

/** One fault the soak can inject into a running transfer. */
export type FaultKind =
  | 'agent-kill'
  | 'agent-stop'
  | 'ssh-cut'
  | 'link-down'
  | 'disk-full'
  | 'source-kill'
  | 'source-cut'
  | 'orchestrator-sigint'
  | 'orchestrator-kill'

/** What a fault kind does and what the README promises after it. */
export interface FaultKindInfo {
  /** Whom the fault hits: one target, the source host, or the CLI itself. */
  victim: 'target' | 'source' | 'orchestrator'
  /** What is done, as the report says it. */
  action: string
  /** Codes a target victim may fail with (README "When a target fails"); empty for other victims. */
  codes: readonly FanoutCode[]
  /**
   * Why an agent may outlive the CLI by design, so hosts are judged once they have settled rather
   * than at the CLI's exit; undefined when the run itself must leave every host clean.
   */
  cleansLater?: string
}

/** Every kind, in the order the report lists them. */
export const FAULT_KINDS: Readonly<Record<FaultKind, FaultKindInfo>> = {
  'agent-kill': {
    victim: 'target',
    action: "kill -9 of the target's agent",
    codes: ['AGENT_FAILED'],
  },
  'agent-stop': {
    victim: 'target',
    action: "SIGSTOP of the target's agent",
    codes: ['STALLED'],
  },
  'ssh-cut': {
    victim: 'target',
    action: "kill -9 of the target's sshd session processes: its SSH connection ends, its network stays",
    codes: ['AGENT_FAILED', 'SSH_CONNECT', 'SSH_TIMEOUT'],
    cleansLater: 'its agent cleans up by itself once its channel closes, which the CLI does not wait for',
  },
  'link-down': {
    victim: 'target',
    action: "the target's switch port down: every packet to and from it dropped",
    codes: ['STALLED', 'AGENT_FAILED', 'SSH_TIMEOUT', 'SSH_CONNECT', 'HOST_UNREACHABLE'],
    cleansLater: 'its agent, cut off, stops after its idle timeout',
  },
  'disk-full': {
    victim: 'target',
    action: "a file takes all but 1 MiB of the target's free space",
    codes: ['NO_SPACE'],
  },
  'source-kill': {
    victim: 'source',
    action: "kill -9 of the source's agent once a target has landed (the swarm holds every piece)",
    codes: [],
  },
  'source-cut': {
    victim: 'source',
    action: "the source host's switch port down once a target has landed",
    codes: [],
    cleansLater: "the source's agent, cut off, stops after its idle timeout",
  },
  'orchestrator-sigint': {
    victim: 'orchestrator',
    action: 'SIGINT to the CLI',
    codes: [],
  },
  'orchestrator-kill': {
    victim: 'orchestrator',
    action: 'kill -9 of the CLI',
    codes: [],
    cleansLater: 'every agent stops and cleans up when its channel closes',
  },
}

/** The kinds as a list, in the report's order. */
export const ALL_FAULT_KINDS = Object.keys(FAULT_KINDS) as FaultKind[]
