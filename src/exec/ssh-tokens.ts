/** The values OpenSSH substitutes for `%` tokens in paths such as IdentityFile. */
export interface TokenValues {
  homeDir: string
  localUser: string
  /** The host as written on the command line (`%n`). */
  alias: string
  /** The resolved HostName (`%h`). */
  hostName: string
  /** The remote user (`%r`). */
  user: string
  port: number
}

/**
 * Expands a leading `~` and the `%` tokens OpenSSH documents for file paths (`%d %h %n %p %r %u %%`).
 * Unknown tokens are left as written rather than guessed at, so a path we cannot honour shows up in the
 * "identity file not found" log line instead of silently pointing elsewhere.
 */
export function expandPath(path: string, values: TokenValues): string {
  const tilde = path === '~' || path.startsWith('~/') ? values.homeDir + path.slice(1) : path
  return tilde.replace(/%(.)/g, (token: string, letter: string) => {
    switch (letter) {
      case '%':
        return '%'
      case 'd':
        return values.homeDir
      case 'h':
        return values.hostName
      case 'n':
        return values.alias
      case 'p':
        return String(values.port)
      case 'r':
        return values.user
      case 'u':
        return values.localUser
      default:
        return token
    }
  })
}
