import type { MariaDb } from '../../test/helpers/mariadb.js'
import { seedTables } from '../../test/helpers/mariadb-tables.js'
import { say } from '../lib/copy-run.js'

/** The table the writer inserts into during every hot backup (made by seedTables, its shape). */
export const WRITER_TABLE = 'fx.t1'

// A row is a key and 768 bytes of payload: 512 random bytes, then 256 hex digits derived from the
// key. gzip -1 takes such a table to about 40%: like real rows, not a stream of zeros.
const ROW_SQL = 'seq, CONCAT(RANDOM_BYTES(512), REPEAT(MD5(seq), 8))'
// What one row takes in its .ibd file, measured: 60,000 rows make a 60 MiB file.
const ROW_BYTES = 1049

/** What seeding made: the datadir's size and the bulk tables in it. */
export interface SeededDatadir {
  bytes: number
  tables: string[]
}

/**
 * Fills the server's datadir to at least `mib` MiB: the writer's small table, then InnoDB tables
 * `bulk.c1 …` of one INSERT … SELECT from the sequence engine each, until `du` says it is big
 * enough. Seeding skips the binlog (sql_log_bin = 0): only the writer's transactions go there, so
 * the host's /srv holds the datadir and not a second copy of it.
 */
export async function seedDatadir(db: MariaDb, mib: number): Promise<SeededDatadir> {
  await seedTables(db, { tables: 1, megabytes: 1 })
  const chunkMib = Math.min(64, Math.max(8, Math.ceil(mib / 8)))
  const rows = Math.round((chunkMib * 2 ** 20) / ROW_BYTES)
  const tables: string[] = []
  await db.sql('CREATE DATABASE bulk')
  // Bounded: each table adds chunkMib, so this many always pass `mib`, whatever the datadir started at.
  const most = Math.ceil(mib / chunkMib) + 2
  let bytes = await datadirBytes(db)
  while (bytes < mib * 2 ** 20 && tables.length < most) {
    const name = `bulk.c${tables.length + 1}`
    await db.sql(
      `SET SESSION sql_log_bin = 0; CREATE TABLE ${name} (id BIGINT UNSIGNED PRIMARY KEY, ` +
        `pad VARBINARY(800) NOT NULL) ENGINE=InnoDB; INSERT INTO ${name} SELECT ${ROW_SQL} FROM bulk.seq_1_to_${rows};`,
    )
    tables.push(name)
    bytes = await datadirBytes(db)
  }
  say(`seeded ${tables.length} tables of ${chunkMib} MiB: datadir ${(bytes / 2 ** 20).toFixed(0)} MiB`)
  return { bytes, tables }
}

/** `du -sb` of the server's datadir. */
export async function datadirBytes(db: MariaDb): Promise<number> {
  const result = await db.cluster.exec(db.host, ['du', '-sb', db.datadir])
  const bytes = Number(result.stdout.split('\t')[0])
  if (result.exitCode !== 0 || !(bytes > 0)) throw new Error(`du of ${db.datadir} failed: ${result.stderr}`)
  return bytes
}

/**
 * How far `gzip -1` shrinks the first bulk table's file (its size over the compressed size): what
 * the stream's compression could gain on this data. Read while the server runs, which gzip,
 * unlike tar, does not mind.
 */
export async function gzipRatio(db: MariaDb, table: string): Promise<number> {
  const file = `${db.datadir}/${table.replace('.', '/')}.ibd`
  const script = 'stat -c %s "$1" && gzip -1 -c "$1" | wc -c'
  const result = await db.cluster.exec(db.host, ['bash', '-o', 'pipefail', '-c', script, 'ratio', file])
  const [plain = 0, packed = 0] = result.stdout.trim().split('\n').map(Number)
  if (result.exitCode !== 0 || !(plain > 0 && packed > 0))
    throw new Error(`gzip of ${file} failed: ${result.stderr}`)
  return plain / packed
}
