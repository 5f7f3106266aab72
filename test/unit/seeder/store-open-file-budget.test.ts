import { describe, expect, test } from 'vitest'
import { openFileBudget } from '../../../seeder/store/open-file-budget.js'

function limits(soft: string, hard = soft): string {
  return [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max processes             95603                95603                processes ',
    `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
    'Max locked memory         8388608              8388608              bytes     ',
  ].join('\n')
}

describe('openFileBudget', () => {
  test.each<[string, string, number]>([
    ['half the soft limit', limits('20000', '20000'), 10_000],
    ['the soft limit, not the hard one', limits('4096', '1048576'), 2048],
    ['at least 384 under a small limit', limits('512'), 384],
    ['at most 65,536 under a huge limit', limits('1048576'), 65_536],
    ['at most 65,536 when unlimited', limits('unlimited'), 65_536],
    ['384 when the limit cannot be read', '', 384],
  ])('%s', (_why, text, budget) => {
    expect(openFileBudget(text)).toBe(budget)
  })
})
