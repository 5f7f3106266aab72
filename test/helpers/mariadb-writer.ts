import type { MariaDb } from './mariadb.js'
import { insertRowsSql, WRITER_FIRST_ID } from './mariadb-tables.js'

/** Writes that go on in the background, from the test process, until stopped. */
export interface Writer {
  /** Rows inserted (committed) so far. */
  readonly rows: number
  /**
   * Lets the transaction in flight finish, then resolves with the rows inserted in all; rejects
   * with the error that ended the writes early. Idempotent.
   */
  stop(): Promise<{ rows: number }>
}

/** Options for {@link startWriter}. */
export interface WriterOptions {
  /** The writer stops by itself after this long, so a forgotten one cannot outlive a test; default 120 s. */
  maxMs?: number
  /** Rows inserted per transaction; default 5. */
  batch?: number
}

/**
 * Keeps writing to `table` (made by seedTables): each transaction inserts `batch` new rows, with
 * ids from WRITER_FIRST_ID on, and updates one seeded row. One client process per transaction,
 * which here is some 30 transactions a second: enough to be inside any backup's copy phase.
 */
export function startWriter(db: MariaDb, table: string, opts: WriterOptions = {}): Writer {
  const { maxMs = 120_000, batch = 5 } = opts
  const deadline = Date.now() + maxMs
  let stopping = false
  let rows = 0
  const loop = async (): Promise<void> => {
    for (let i = 0; !stopping && Date.now() < deadline; i++) {
      const update = `UPDATE ${table} SET counter = counter + 1 WHERE id = ${1 + (i % 1000)};`
      await db.sql(`BEGIN; ${insertRowsSql(table, WRITER_FIRST_ID + rows, batch)} ${update} COMMIT;`)
      rows += batch
    }
  }
  // Settled into a value at once, so that a failure is kept for stop() instead of going unhandled.
  const ended = loop().then(
    () => undefined,
    (err: unknown) => err,
  )
  return {
    get rows() {
      return rows
    },
    async stop() {
      stopping = true
      const err = await ended
      if (err !== undefined)
        throw new Error(`the writer on ${db.host} failed after ${rows} rows`, { cause: err })
      return { rows }
    },
  }
}
