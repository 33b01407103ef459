import { type Client, createClient } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { guardedClient } from "./guarded-client.ts";
import { ensurePrivateDatabaseFile } from "./private-file.ts";
import * as schema from "./schema.ts";

export type Orm = LibSQLDatabase<typeof schema>;

/** One libSQL database: the guarded client (see guarded-client.ts) and drizzle over it. */
export interface Db {
  readonly client: Client;
  readonly orm: Orm;
  readonly url: string;
  close(): void;
}

export interface LibsqlOptions {
  /** `file:path` (embedded; one writer process per file, docs/architecture.md, storage rules), `libsql://`, `http(s)://`, `ws(s)://`. */
  url: string;
  authToken?: string;
  /** How long a `file:` write waits for another process's lock. At least 5000 ms (docs/architecture.md, storage rules). */
  busyTimeoutMs?: number;
}

export const MIN_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a database per the storage rules: busy timeout ≥ 5 s on every connection
 * (the client's `timeout` option, which libSQL applies as busy_timeout to each
 * connection it opens), WAL journal for files (readers never block the writer), and
 * SQLITE_BUSY fatal for the client; a file is its owner's only (0600, private-file.ts).
 * Migrations are separate: see migrate.ts.
 */
export async function openLibsql(opts: LibsqlOptions): Promise<Db> {
  const busyTimeoutMs = opts.busyTimeoutMs ?? MIN_BUSY_TIMEOUT_MS;
  if (busyTimeoutMs < MIN_BUSY_TIMEOUT_MS) throw new Error(`busyTimeoutMs must be at least ${MIN_BUSY_TIMEOUT_MS} (got ${busyTimeoutMs})`);
  const file = opts.url.startsWith("file:");
  const memory = opts.url.includes(":memory:");
  ensurePrivateDatabaseFile(opts.url);

  // A file database needs one connection: the guarded client runs its operations one at a time.
  const create = () =>
    createClient({ url: opts.url, authToken: opts.authToken, timeout: busyTimeoutMs, concurrency: file ? 1 : undefined });
  const client = guardedClient(create, { serialize: file });
  try {
    if (file && !memory) {
      const rs = await client.execute("PRAGMA journal_mode = WAL");
      const mode = String(rs.rows[0]?.[0]);
      if (mode !== "wal") throw new Error(`could not switch ${opts.url} to WAL (journal_mode is ${mode})`);
    }
  } catch (err) {
    client.close();
    throw err;
  }
  return { client, orm: drizzle({ client, schema }), url: opts.url, close: () => client.close() };
}
