import { existsSync } from 'node:fs'
import { execa } from 'execa'
import { describe, expect, test } from 'vitest'
import { FanoutError } from '../../../shared/errors.js'
import { quoteArgv } from '../../../src/exec/quote.js'

// Each case is a list of words that must reach the remote command exactly as written.
const cases: [string, string[]][] = [
  ['plain words', ['a', 'b', '/tmp/x.txt']],
  ['spaces', ['hello world', '  leading', 'trailing  ']],
  ['single quotes', ["it's", "'", "''", "a'b'c"]],
  ['double quotes', ['"x"', 'say "hi"']],
  ['dollar expansions', ['$HOME', '${PATH}', '$(id)', '$1', '$@']],
  ['backticks', ['`id`', 'a`b']],
  ['operators', ['a&b', 'a;b', 'a|b', '<x>', '&&', '(sub)', '{a,b}']],
  ['newlines and tabs', ['line1\nline2', '\n', 'tab\there']],
  ['non-ASCII', ['héllo', '日本語', 'emoji 🎉']],
  ['globs and tildes', ['*', '?', '[a]', '~', '~root', '~/x']],
  ['backslashes', ['\\', 'a\\nb', '\\$HOME']],
  ['empty word', ['', 'x', '']],
  ['option-like words', ['-n', '--', '-e', '--flag=value']],
  ['assignment-like and bang', ['a=b', '!', '!!', '#not-a-comment', '%s']],
]

const shells = ['/bin/sh', 'bash', 'dash', 'zsh'].filter((s) => s === 'bash' || existsOnPath(s))

function existsOnPath(shell: string): boolean {
  return shell.startsWith('/')
    ? existsSync(shell)
    : ['/bin', '/usr/bin'].some((d) => existsSync(`${d}/${shell}`))
}

/** Runs the quoted command through a real shell and returns the words printf received. */
async function roundTrip(shell: string, words: string[]): Promise<string[]> {
  const command = quoteArgv(['printf', '%s\\0', ...words])
  const { stdout } = await execa(shell, ['-c', command], { stripFinalNewline: false, encoding: 'utf8' })
  return stdout.split('\0').slice(0, -1)
}

describe('quoteArgv', () => {
  describe.each(shells)('through %s -c', (shell) => {
    test.each(cases)('%s arrive intact', async (_name, words) => {
      expect(await roundTrip(shell, words)).toEqual(words)
    })
  })

  test.each([
    [['ls', '-la', '/tmp'], 'ls -la /tmp'],
    [['echo', 'a b'], "echo 'a b'"],
    [['echo', "it's"], "echo 'it'\\''s'"],
    [['a=b'], "'a=b'"],
    [['~'], "'~'"],
    [[''], "''"],
  ])('quotes %j as %s', (argv, expected) => {
    expect(quoteArgv(argv)).toBe(expected)
  })

  test.each([[['a\0b']], [['ok', '\0']], [[]]])('rejects %j with USAGE', (argv) => {
    expect(() => quoteArgv(argv)).toThrowError(FanoutError)
    try {
      quoteArgv(argv)
    } catch (err) {
      expect((err as FanoutError).code).toBe('USAGE')
    }
  })
})
