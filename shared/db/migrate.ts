import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/libsql/migrator";
import type { Db } from "./open-libsql.ts";

/** The SQL drizzle-kit generated from schema.ts (`bunx drizzle-kit generate`). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));

/** Applies pending migrations in one transaction; run by each writer process at start-up. */
export async function migrateDb(db: Db): Promise<void> {
  await migrate(db.orm, { migrationsFolder: MIGRATIONS_FOLDER });
}
