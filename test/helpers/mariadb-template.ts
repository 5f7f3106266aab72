import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ownerIsAlive, writeOwner } from './cluster-owner.js'
import { runOrThrow } from './run-command.js'

/**
 * InnoDB options that must agree between the datadir mariadb-install-db writes and every server
 * started on a copy of it. A 16 MiB redo log instead of the default 96 MiB keeps a host's datadir
 * near 30 MiB, so a few servers and their backups fit the hosts' size-limited /srv.
 */
export const INNODB_OPTIONS: readonly string[] = ['--innodb-log-file-size=16M']

const PREFIX = 'fanout-mariadb-template-'
let template: Promise<string> | undefined
let templateRoot: string | undefined

/**
 * The path of a freshly initialised MariaDB datadir, made once per process (mariadb-install-db takes
 * about 2 s) in a temporary directory outside any cluster; hosts get a `cp -a` of it. Its root
 * account logs in through the unix socket as the system root, with no password.
 */
export function mariadbTemplate(): Promise<string> {
  template ??= initialise().catch((err: unknown) => {
    template = undefined
    throw err
  })
  return template
}

/** Removes the template datadir, if one was made; the next {@link mariadbTemplate} makes a new one. */
export async function removeMariadbTemplate(): Promise<void> {
  const root = templateRoot
  template = undefined
  templateRoot = undefined
  if (root !== undefined) await rm(root, { recursive: true, force: true })
}

async function initialise(): Promise<string> {
  await removeStaleTemplates()
  const root = await mkdtemp(join(tmpdir(), PREFIX))
  templateRoot = root
  await writeOwner(root)
  const datadir = join(root, 'data')
  await runOrThrow(
    [
      'mariadb-install-db',
      // Only options given here count: /etc/mysql would point the bootstrap at /var/lib/mysql.
      '--no-defaults',
      '--user=root',
      `--datadir=${datadir}`,
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
      ...INNODB_OPTIONS,
    ],
    { timeoutMs: 120_000 },
  )
  return datadir
}

/**
 * Removes the templates of test processes that are gone: a crashed worker never reaches its
 * afterAll. The owner record (pid and start time) is the clusters' own, so a parallel run keeps its
 * template.
 */
async function removeStaleTemplates(): Promise<void> {
  const names = (await readdir(tmpdir())).filter((name) => name.startsWith(PREFIX))
  for (const name of names) {
    const dir = join(tmpdir(), name)
    if ((await ownerIsAlive(dir)) === false) await rm(dir, { recursive: true, force: true })
  }
}
