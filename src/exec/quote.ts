import { FanoutError } from '../../shared/errors.js'

/**
 * Words made only of these characters mean the same thing quoted or not in every POSIX shell, so they
 * stay bare and logged commands stay readable. `=` and `~` are missing on purpose: a bare `a=b` as the
 * first word is an assignment and a leading `~` expands to a home directory.
 */
const SAFE_WORD = /^[A-Za-z0-9_./,:@+-]+$/

/**
 * Quotes one word for a POSIX shell (sh, dash, bash, zsh). Inside single quotes nothing is special
 * except the quote itself, which we close, escape and reopen: `'` becomes `'\''`.
 */
function quoteWord(word: string): string {
  if (SAFE_WORD.test(word)) return word
  return `'${word.replaceAll("'", "'\\''")}'`
}

/**
 * Joins argv into one command line that a remote POSIX shell splits back into exactly these words.
 * SSH has no argv, only a string handed to the login shell, so every word is quoted; spaces, quotes,
 * `$`, `&`, backticks, newlines and non-ASCII text all arrive intact. csh and fish are not supported.
 *
 * @throws FanoutError('USAGE') for an empty argv or a word containing a NUL byte, which no shell or
 * exec(2) can carry.
 */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new FanoutError('USAGE', 'cannot run an empty command')
  for (const word of argv) {
    if (word.includes('\0')) {
      throw new FanoutError('USAGE', 'a command word contains a NUL byte, which cannot be sent to a shell', {
        command: argv.join(' ').replaceAll('\0', '\\0'),
      })
    }
  }
  return argv.map(quoteWord).join(' ')
}
