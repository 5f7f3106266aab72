/**
 * fanout's typed API: the CLI is a thin layer over `transfer`.
 * @packageDocumentation
 */

export { type FanoutCode, FanoutError, isFanoutError } from '../shared/errors.js'
export { type TransferOptions, TransferRun, transfer } from './api/transfer.js'
export type { Config, TransferType } from './config/defaults.js'
export type { Problem } from './core/checks.js'
export type { ProgressSnapshot, TargetProgress, TargetState, TransferPhase } from './core/progress.js'
export type { TargetResult, TransferResult } from './run/run-transfer.js'
export type { AgentUsage } from './run/transfer-state.js'
