import { expect } from 'vitest'
import { FanoutError } from '../../shared/errors.js'

/** The message of the usage error `run` throws; fails the test if it throws anything else or nothing. */
export function usageMessage(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(FanoutError)
    expect((err as FanoutError).code).toBe('USAGE')
    return (err as FanoutError).message
  }
  throw new Error('no error')
}
