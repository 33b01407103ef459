import { createClient, type InValue, LibsqlError, type Row } from "@libsql/client";
import { ensurePrivateDatabaseFile } from "../../db/private-file.ts";
import { SCHEMA } from "./schema.ts";

/** libSQL's default busy timeout is 0, which turns a brief lock wait into an error. */
const BUSY_TIMEOUT_MS = 5_000;

export interface Statement {
  sql: string;
  args: InValue[];
}

/**
 * The embedded log's only access to its file.
 *
 * There is deliberately no interactive transaction: libSQL's `file:` mode runs every
 * statement synchronously on the JS thread, so a transaction held open across an
 * `await` would make any other connection to the file busy-wait for a lock whose
 * holder cannot run. `write` runs BEGIN IMMEDIATE … COMMIT without yielding.
 */
export interface LogDb {
  query(sql: string, args?: InValue[]): Promise<Row[]>;
  /** One write transaction; resolves with the rows changed by each statement, once committed. */
  write(statements: Statement[]): Promise<number[]>;
  close(): void;
}

export async function openLogDb(url: string): Promise<LogDb> {
  ensurePrivateDatabaseFile(url);
  // One connection: pragmas like `synchronous` are per connection, and a pool would
  // open extra connections (without them) whenever two calls overlap.
  const client = createClient({ url, timeout: BUSY_TIMEOUT_MS, concurrency: 1 });
  let broken: Error | undefined;

  // libsql-client-ts#352 (docs/architecture.md, storage rules): after SQLITE_BUSY a connection can stay inside a
  // transaction and later writes "succeed" without ever committing. The only safe
  // answer is to stop using this client for good.
  async function guard<T>(op: () => Promise<T>): Promise<T> {
    if (broken) throw broken;
    try {
      return await op();
    } catch (err) {
      if (err instanceof LibsqlError && err.code.startsWith("SQLITE_BUSY")) {
        broken = new Error(
          `embedded log ${url}: database busy for ${BUSY_TIMEOUT_MS} ms (another process writing the file?); ` +
            "this client is closed and must be recreated — the embedded log supports one writer process per file",
          { cause: err },
        );
        client.close();
        throw broken;
      }
      throw err;
    }
  }

  try {
    await client.execute("PRAGMA journal_mode = WAL");
    // WAL + NORMAL: a commit survives a process crash (SIGKILL); the last commits can be
    // lost on power failure, comparable to a single Kafka broker relying on page cache.
    await client.execute("PRAGMA synchronous = NORMAL");
    await client.batch([...SCHEMA], "write");
  } catch (err) {
    client.close();
    throw err;
  }

  return {
    query: (sql, args = []) => guard(async () => (await client.execute({ sql, args })).rows),
    write: (statements) => guard(async () => (await client.batch(statements, "write")).map((r) => r.rowsAffected)),
    close: () => client.close(),
  };
}
