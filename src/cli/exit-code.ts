import type { TransferResult } from '../run/run-transfer.js'

/**
 * Exit statuses, kept compatible with transfer.py where it had one: 0 every target verified, 1 a
 * target failed during the transfer, 2 bad usage, 3 a copy failed verification, 255 a check failed
 * before any data moved (transfer.py's -1), 130 interrupted.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, verify: 3, interrupted: 130, preflight: 255 } as const

export function exitCodeFor(result: TransferResult): number {
  switch (result.outcome) {
    case 'ok':
      return EXIT.ok
    case 'preflight-failed':
      return EXIT.preflight
    case 'aborted':
      return EXIT.interrupted
    case 'failed':
      return result.targets.some((t) => t.error?.code === 'VERIFY_FAILED') ? EXIT.verify : EXIT.failed
  }
}
