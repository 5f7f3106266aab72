import { describe, expect, test } from 'vitest'
import { type CopyState, checkLinkName, linkTempName, linkVerdicts } from '../../../src/core/link-verdicts.js'
import { usageMessage } from '../../helpers/usage-message.js'

const SWITCH = { act: 'switch' }
const WAIT = { act: 'wait' }
const OWN = { act: 'keep', because: 'own-copy' }
const OTHERS = { act: 'keep', because: 'others' }

describe('linkVerdicts', () => {
  test.each<[string, 'each' | 'all', CopyState[], object[]]>([
    [
      'each: a landed copy switches at once, whatever the others',
      'each',
      ['landed', 'pending'],
      [SWITCH, WAIT],
    ],
    [
      'each: a failed copy keeps its link, the others switch',
      'each',
      ['landed', 'failed', 'landed'],
      [SWITCH, OWN, SWITCH],
    ],
    ['each: every copy failed', 'each', ['failed', 'failed'], [OWN, OWN]],
    ['all: landed copies wait for the others', 'all', ['landed', 'pending', 'landed'], [WAIT, WAIT, WAIT]],
    [
      'all: every copy landed, every target switches',
      'all',
      ['landed', 'landed', 'landed'],
      [SWITCH, SWITCH, SWITCH],
    ],
    ['all: one failed copy keeps every link', 'all', ['landed', 'failed', 'landed'], [OTHERS, OWN, OTHERS]],
    // Known at once: nobody waits for the rest to finish to learn that nothing will switch.
    [
      'all: a failure is final while others still fetch',
      'all',
      ['landed', 'failed', 'pending'],
      [OTHERS, OWN, WAIT],
    ],
    ['all: one target alone', 'all', ['landed'], [SWITCH]],
    ['no targets', 'all', [], []],
  ])('%s', (_why, when, copies, expected) => {
    expect(linkVerdicts(when, copies)).toEqual(expected)
  })
})

describe('linkTempName', () => {
  test('hidden, says fanout and the run, and matches what fanout cleanup removes', () => {
    const name = linkTempName('3f2a9c1e-5b7d-4a6b-9c1e-5b7d4a6b9c1e')
    expect(name).toBe('.fanout-3f2a9c1e-5b7d-4a.link')
    expect(name).toMatch(/^\.fanout-[0-9a-f-]{16}\.link$/)
  })
})

describe('checkLinkName', () => {
  test('a link of another name, or none, is fine', () => {
    expect(() => checkLinkName('current', 'release-43')).not.toThrow()
    expect(() => checkLinkName(undefined, 'release-43')).not.toThrow()
  })

  test('the copy’s own name is a usage error on one line', () => {
    expect(usageMessage(() => checkLinkName('release-43', 'release-43'))).toBe(
      '--link release-43: that is the name of the copy itself; the link needs a name of its own (e.g. current)',
    )
  })
})
