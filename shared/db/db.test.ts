import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { count, eq } from "drizzle-orm";
import { RetryableError } from "../errors/errors.ts";
import { insertRows } from "./insert-rows.ts";
import { MIGRATIONS_FOLDER, migrateDb } from "./migrate.ts";
import { type Db, openLibsql } from "./open-libsql.ts";
import { processedEvents } from "./schema.ts";
import { writeTransaction } from "./write-transaction.ts";

const dir = mkdtempSync(join(tmpdir(), "fleet-db-"));
const opened: Db[] = [];
let n = 0;
async function freshDb(url = `file:${join(dir, `t${n++}`, "history.db")}`): Promise<Db> {
  const db = await openLibsql({ url });
  opened.push(db);
  await migrateDb(db);
  return db;
}
afterAll(() => {
  for (const db of opened) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const row = (group: string, id: string, offset = 0) => [group, id, "t", 0, offset, Date.now()];
const COLUMNS = ["consumer_group", "event_id", "topic", "partition", "offset", "processed_at"];

describe("openLibsql + migrateDb", () => {
  test("a file database is in WAL mode with a busy timeout of at least 5 s, and migrations create the schema", async () => {
    const db = await freshDb();
    expect((await db.client.execute("PRAGMA journal_mode")).rows[0]?.[0]).toBe("wal");
    expect(Number((await db.client.execute("PRAGMA busy_timeout")).rows[0]?.[0])).toBeGreaterThanOrEqual(5000);
    const cols = (await db.client.execute("PRAGMA table_info(processed_events)")).rows.map((r) => [r.name, r.pk]);
    expect(cols).toEqual([
      ["consumer_group", 1],
      ["event_id", 2],
      ["topic", 0],
      ["partition", 0],
      ["offset", 0],
      ["processed_at", 0],
    ]);
    await migrateDb(db);
    const applied = await db.client.execute("SELECT count(*) AS n FROM __drizzle_migrations");
    const journal = (await Bun.file(`${MIGRATIONS_FOLDER}/meta/_journal.json`).json()) as { entries: unknown[] };
    expect(Number(applied.rows[0]?.n)).toBe(journal.entries.length);
  });

  test("a busy timeout under 5 s is refused", async () => {
    await expect(openLibsql({ url: `file:${join(dir, "short.db")}`, busyTimeoutMs: 100 })).rejects.toThrow(/at least 5000/);
  });

  test("concurrent write transactions in one process queue instead of deadlocking on the write lock", async () => {
    const db = await freshDb();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        writeTransaction(db, async (tx) => {
          await tx.execute("INSERT INTO processed_events VALUES (?, ?, 't', 0, ?, 0)", ["g", `e${i}`, i]);
          await Bun.sleep(2);
          await tx.execute("INSERT INTO processed_events VALUES (?, ?, 't', 0, ?, 0)", ["g", `f${i}`, i]);
        }),
      ),
    );
    expect(performance.now() - started).toBeLessThan(2000);
    const [total] = await db.orm.select({ n: count() }).from(processedEvents);
    expect(total?.n).toBe(40);
  });

  test("a throwing effect rolls back everything it wrote, raw and drizzle alike", async () => {
    const db = await freshDb();
    const boom = writeTransaction(db, async (tx) => {
      await tx.execute("INSERT INTO processed_events VALUES ('g', 'a', 't', 0, 0, 0)");
      await tx.orm
        .insert(processedEvents)
        .values({ consumerGroup: "g", eventId: "b", topic: "t", partition: 0, offset: 1, processedAt: 0 });
      throw new Error("effect failed");
    });
    await expect(boom).rejects.toThrow("effect failed");
    expect(await db.orm.select().from(processedEvents)).toEqual([]);
    await writeTransaction(db, (tx) =>
      tx.orm.insert(processedEvents).values({ consumerGroup: "g", eventId: "c", topic: "t", partition: 0, offset: 2, processedAt: 0 }),
    );
    expect((await db.orm.select().from(processedEvents).where(eq(processedEvents.eventId, "c"))).length).toBe(1);
  });

  test("insertRows writes many rows in chunked multi-row INSERTs and can skip existing keys", async () => {
    const db = await freshDb();
    const rows = Array.from({ length: 1234 }, (_, i) => row("g", `id-${i}`, i));
    await writeTransaction(db, (tx) => insertRows(tx, { table: "processed_events", columns: COLUMNS, rows }));
    await insertRows(db.client, { table: "processed_events", columns: COLUMNS, rows: rows.slice(0, 600), onConflict: "ignore" });
    const [total] = await db.orm.select({ n: count() }).from(processedEvents);
    expect(total?.n).toBe(1234);
    await expect(insertRows(db.client, { table: "processed_events", columns: COLUMNS, rows: [row("g", "id-1")] })).rejects.toThrow(
      /UNIQUE/,
    );
  });

  test("SQLITE_BUSY is retryable and replaces the client; the retried write is durable and nothing is lost", async () => {
    const url = `file:${join(dir, "busy", "history.db")}`;
    const holder = await freshDb(url); // plays another writer process on the same file
    const victim = await freshDb(url);
    const held = await holder.client.transaction("write");
    await held.execute("INSERT INTO processed_events VALUES ('g', 'held', 't', 0, 0, 0)");

    const started = performance.now();
    const err = await victim.client.execute("INSERT INTO processed_events VALUES ('g', 'first', 't', 0, 1, 0)").catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(err).toBeInstanceOf(RetryableError);
    expect(((err as Error).cause as { code?: string }).code).toBe("SQLITE_BUSY");
    expect(waited).toBeGreaterThanOrEqual(4900);

    await held.commit();
    await victim.client.execute("INSERT INTO processed_events VALUES ('g', 'first', 't', 0, 1, 0)");
    await writeTransaction(victim, (tx) => tx.execute("INSERT INTO processed_events VALUES ('g', 'second', 't', 0, 2, 0)"));
    victim.close();
    holder.close();

    const reader = await freshDb(url);
    const ids = (await reader.orm.select({ id: processedEvents.eventId }).from(processedEvents)).map((r) => r.id).sort();
    expect(ids).toEqual(["first", "held", "second"]);
  }, 20_000);

  test("an unreachable libSQL server is a RetryableError, not a failure of the record", async () => {
    const db = await openLibsql({ url: "http://127.0.0.1:1" });
    opened.push(db);
    await expect(db.client.execute("SELECT 1")).rejects.toBeInstanceOf(RetryableError);
  });
});
