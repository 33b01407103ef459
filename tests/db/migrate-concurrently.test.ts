import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS_FOLDER } from "../../shared/db/migrate.ts";
import { openLibsql } from "../../shared/db/open-libsql.ts";

/*
 * Issue 10, item 3: worker processes started together on a fresh database race on its
 * migrations ("table processed_events already exists", SQLITE_BUSY). Several real
 * processes start at the same moment on one fresh libSQL file, a few rounds over; every
 * one must exit 0 and the schema must be applied exactly once.
 */

setDefaultTimeout(180_000);

const PROCESSES = 5;
const ROUNDS = 3;
const fixture = join(import.meta.dir, "open-history-process.ts");
const root = mkdtempSync(join(tmpdir(), "fleet-migrate-race-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const migrationCount = readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith(".sql")).length;

test(`${PROCESSES} processes migrating one fresh database at once all start, ${ROUNDS} rounds`, async () => {
  for (let round = 1; round <= ROUNDS; round++) {
    const dir = join(root, `round-${round}`);
    const procs = Array.from({ length: PROCESSES }, () =>
      Bun.spawn(["bun", fixture], { env: { ...process.env, DATA_DIR: dir }, stdout: "ignore", stderr: "pipe" }),
    );
    const results = await Promise.all(
      procs.map(async (p) => ({ code: await p.exited, stderr: (await new Response(p.stderr).text()).trim().split("\n")[0] })),
    );
    expect(results.map((r) => (r.code === 0 ? "ok" : `exit ${r.code}: ${r.stderr}`))).toEqual(Array(PROCESSES).fill("ok"));

    const db = await openLibsql({ url: `file:${join(dir, "history.db")}` });
    try {
      const applied = await db.client.execute("SELECT count(*) AS n, count(DISTINCT hash) AS d FROM __drizzle_migrations");
      expect({ round, applied: Number(applied.rows[0]!.n), distinct: Number(applied.rows[0]!.d) }).toEqual({
        round,
        applied: migrationCount,
        distinct: migrationCount,
      });
      const tables = await db.client.execute("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'processed_events'");
      expect(Number(tables.rows[0]!.n)).toBe(1);
    } finally {
      db.close();
    }
  }
});
