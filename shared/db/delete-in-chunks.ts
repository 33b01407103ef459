import { inArray, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./open-libsql.ts";

/**
 * Deletes the rows of `table` matching `where`, `chunk` rows per statement; resolves
 * with how many. Separate statements so that writers of the same database wait for
 * one chunk at a time, never for a whole day's delete (one writer per file).
 */
export async function deleteInChunks(db: Db, table: SQLiteTable, where: SQL, chunk = 10_000): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = db.orm.select({ id: sql`rowid` }).from(table).where(where).limit(chunk);
    const rs = await db.orm.delete(table).where(inArray(sql`rowid`, batch));
    deleted += rs.rowsAffected;
    if (rs.rowsAffected < chunk) return deleted;
  }
}
