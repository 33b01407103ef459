import { join } from "node:path";
import { migrateDb } from "../db/migrate.ts";
import { type Db, openLibsql } from "../db/open-libsql.ts";

export interface HistorySettings {
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  DATA_DIR: string;
}

/** The workers' history database (LIBSQL_URL, or a file in DATA_DIR), migrated to the current schema. */
export async function openHistory(s: HistorySettings): Promise<Db> {
  const db = await openLibsql({ url: s.LIBSQL_URL ?? `file:${join(s.DATA_DIR, "history.db")}`, authToken: s.LIBSQL_AUTH_TOKEN });
  await migrateDb(db);
  return db;
}
