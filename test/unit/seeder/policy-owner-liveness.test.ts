import { describe, expect, test } from 'vitest'
import { OwnerLiveness } from '../../../seeder/policy/owner-liveness.js'

const STALL_MS = 10_000

describe('OwnerLiveness', () => {
  test.each<[string, (owners: OwnerLiveness) => void, number, boolean]>([
    ['a rank never heard from, within the stall time of the start', () => {}, 9_000, false],
    ['a rank never heard from, past the stall time of the start', () => {}, 10_001, true],
    ['a rank that gained recently', (o) => o.heard(3, 1, 5_000), 14_000, false],
    ['a rank silent for longer than the stall time', (o) => o.heard(3, 1, 1_000), 11_001, true],
    [
      // Two connections to one peer: the duplicate is registered and closed at once while the
      // surviving one keeps gaining pieces. The owner is alive.
      'a duplicate connection that closes does not freeze its rank',
      (o) => {
        o.heard(3, 5, 1_000) // the surviving connection
        o.heard(3, 5, 1_001) // the duplicate, closed right after
        for (let t = 2_000; t <= 20_000; t += 1_000) o.heard(3, t / 100, t) // the survivor's pieces
      },
      25_000,
      false,
    ],
    [
      'a late report of an earlier time does not make a rank look older',
      (o) => {
        o.heard(3, 2, 9_000)
        o.heard(3, 3, 2_000)
      },
      15_000,
      false,
    ],
    ['other ranks are independent', (o) => o.heard(4, 1, 14_000), 15_000, true],
    [
      // A peer that others refuse (dropped for bad data) reconnects again and again with nothing new.
      'reconnecting without holding more is no sign of life',
      (o) => {
        o.heard(3, 7, 1_000)
        for (let t = 2_000; t <= 20_000; t += 500) o.heard(3, 7, t)
        o.heard(3, 0, 20_500) // a fresh connection, before its bitfield
      },
      21_000,
      true,
    ],
  ])('%s', (_name, history, now, stalled) => {
    const owners = new OwnerLiveness(0, STALL_MS)
    history(owners)
    expect(owners.stalled(3, now)).toBe(stalled)
  })
})
