import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/libsql/migrator";
import { RetryableError } from "../errors/errors.ts";
import type { Db } from "./open-libsql.ts";

/** The SQL drizzle-kit generated from schema.ts (`bunx drizzle-kit generate`). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));

/** How long start-up keeps retrying a migration that lost a race or found the file locked. */
const MIGRATE_DEADLINE_MS = 60_000;

/**
 * Applies pending migrations; run by each writer process at start-up, so any number of
 * processes may run it at once on one database.
 *
 * drizzle reads which migrations were applied, then applies the rest in one transaction
 * (all or nothing). Two processes starting together both read "none applied"; the first
 * commits, and the second's transaction fails on a table that now exists, or on the
 * file's lock (SQLITE_BUSY, after the busy timeout on a loaded machine). Neither failure
 * left anything half-applied, so both are retried: after "already exists" only when the
 * record of applied migrations grew meanwhile (another process did the work; otherwise
 * the migration itself is broken and the error stands), after a busy file until the deadline.
 */
export async function migrateDb(db: Db, deadlineMs = MIGRATE_DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    const before = await appliedCount(db).catch(() => -1);
    try {
      await migrate(db.orm, { migrationsFolder: MIGRATIONS_FOLDER });
      return;
    } catch (err) {
      const busy = isBusy(err);
      const lostRace = !busy && /already exists|duplicate column/i.test(messages(err)) && (await appliedCount(db).catch(() => -1)) > before;
      if (!(busy || lostRace) || Date.now() > deadline) throw err;
      // Jittered, so processes that collided do not collide again in step.
      await Bun.sleep(Math.min(500, 20 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}

/** Rows in drizzle's record of applied migrations; 0 before it exists. */
async function appliedCount(db: Db): Promise<number> {
  const exists = await db.client.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'");
  if (exists.rows.length === 0) return 0;
  return Number((await db.client.execute("SELECT count(*) FROM __drizzle_migrations")).rows[0]![0]);
}

function messages(err: unknown): string {
  const out: string[] = [];
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) out.push(e.message);
  return out.join(" / ");
}

/** SQLITE_BUSY anywhere in the cause chain (the guarded client turns it into RetryableError). */
function isBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof RetryableError || (e as { code?: unknown }).code === "SQLITE_BUSY") return true;
  }
  return /SQLITE_BUSY|database is locked/.test(messages(err));
}
