import type { MariaDb } from './mariadb.js'

/** Options for {@link seedTables}. */
export interface SeedOptions {
  /** Default 3. */
  tables?: number
  /** Approximate size of each table's rows; default 3. */
  megabytes?: number
  /** Default `fx`. */
  database?: string
}

/** A table's row count and its `CHECKSUM TABLE` value: equal fingerprints mean equal contents. */
export interface TableFingerprint {
  rows: number
  checksum: string
}

// A row is a bigint key, 192 bytes of payload and a counter: about 256 bytes in InnoDB.
const ROWS_PER_MEGABYTE = 4096
/** Rows that {@link seedTables} numbers from 1; a writer's rows start far above them. */
export const WRITER_FIRST_ID = 1_000_000_000

/**
 * Creates `tables` InnoDB tables `<database>.t1 …` with a primary key and payload, each about
 * `megabytes` MB, filled in one INSERT … SELECT from the sequence engine. Returns their qualified
 * names, for {@link tableFingerprint} and writers.
 */
export async function seedTables(db: MariaDb, opts: SeedOptions = {}): Promise<string[]> {
  const { tables = 3, megabytes = 3, database = 'fx' } = opts
  const names = Array.from({ length: tables }, (_, i) => `${database}.t${i + 1}`)
  const rows = Math.round(megabytes * ROWS_PER_MEGABYTE)
  const statements = names.map(
    (name) =>
      `CREATE TABLE ${name} (id BIGINT UNSIGNED PRIMARY KEY, payload VARCHAR(255) NOT NULL, ` +
      `counter BIGINT NOT NULL) ENGINE=InnoDB; ` +
      `INSERT INTO ${name} SELECT seq, ${payloadSql('seq')}, seq % 1000 FROM ${database}.seq_1_to_${rows};`,
  )
  await db.sql(`CREATE DATABASE ${database}; ${statements.join(' ')}`)
  return names
}

/** SQL for one row's payload, derived from its id so that a row can be checked on sight. */
function payloadSql(id: string): string {
  return `REPEAT(MD5(${id}), 6)`
}

/** An INSERT of `count` rows with ids from `firstId`, in the shape {@link seedTables} made. */
export function insertRowsSql(table: string, firstId: number, count: number): string {
  const values = Array.from({ length: count }, (_, i) => {
    const id = firstId + i
    return `(${id}, ${payloadSql(String(id))}, 0)`
  })
  return `INSERT INTO ${table} (id, payload, counter) VALUES ${values.join(', ')};`
}

/** Row counts and checksums of the tables, keyed by qualified name. */
export async function tableFingerprint(
  db: MariaDb,
  tables: readonly string[],
): Promise<Record<string, TableFingerprint>> {
  const counts = await db.sql(tables.map((t) => `SELECT '${t}', COUNT(*) FROM ${t};`).join(' '))
  const sums = await db.sql(`CHECKSUM TABLE ${tables.join(', ')}`)
  const checksums = new Map(sums.trim().split('\n').map(splitPair))
  return Object.fromEntries(
    counts
      .trim()
      .split('\n')
      .map(splitPair)
      .map(([table, rows]) => [table, { rows: Number(rows), checksum: checksums.get(table) ?? 'missing' }]),
  )
}

function splitPair(line: string): [string, string] {
  const [key = '', value = ''] = line.split('\t')
  return [key, value]
}
