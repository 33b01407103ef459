import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { insertRows } from "../../shared/db/insert-rows.ts";
import { migrateDb } from "../../shared/db/migrate.ts";
import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import { applyOnce } from "./apply-once.ts";
import type { ConsumedEvent } from "./handler.ts";
import { toConsumedEvent } from "./parse.ts";
import { eventRecord } from "./testing.ts";

const dir = mkdtempSync(join(tmpdir(), "fleet-apply-once-"));
let db: Db;
let n = 0;
beforeEach(async () => {
  db = await openLibsql({ url: `file:${join(dir, `db${n++}.db`)}` });
  await migrateDb(db);
  await db.client.execute("CREATE TABLE rides_effects (event_id TEXT NOT NULL, i INTEGER NOT NULL)");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const events = (from: number, to: number): ConsumedEvent[] =>
  Array.from({ length: to - from }, (_, k) =>
    toConsumedEvent(eventRecord(from + k, { i: from + k }, { id: `0190a7b4-0000-7000-8000-${String(from + k).padStart(12, "0")}` })),
  );

/** A real effect: one row per event, raw multi-row INSERT inside the transaction. */
const writeEffects = (tx: Parameters<Parameters<typeof applyOnce>[3]>[0], fresh: ConsumedEvent[]) =>
  insertRows(tx, { table: "rides_effects", columns: ["event_id", "i"], rows: fresh.map((e) => [e.id, (e.data as { i: number }).i]) });

async function effectRows(): Promise<{ total: number; distinct: number }> {
  const rs = await db.client.execute("SELECT count(*) AS total, count(DISTINCT event_id) AS distinct_ids FROM rides_effects");
  return { total: Number(rs.rows[0]!.total), distinct: Number(rs.rows[0]!.distinct_ids) };
}

describe("applyOnce", () => {
  test("applies each event once across redeliveries; the effect only sees fresh events", async () => {
    const seen: number[][] = [];
    const effect = async (tx: Parameters<typeof writeEffects>[0], fresh: ConsumedEvent[]) => {
      seen.push(fresh.map((e) => (e.data as { i: number }).i));
      await writeEffects(tx, fresh);
    };
    expect(await applyOnce(db, "g", events(0, 5), effect)).toEqual({ applied: 5, skipped: 0 });
    expect(await applyOnce(db, "g", events(0, 5), effect)).toEqual({ applied: 0, skipped: 5 });
    expect(await applyOnce(db, "g", events(3, 8), effect)).toEqual({ applied: 3, skipped: 2 });
    expect(seen).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7],
    ]);
    expect(await effectRows()).toEqual({ total: 8, distinct: 8 });
  });

  test("the same id twice in one batch applies once", async () => {
    const batch = [...events(0, 3), ...events(1, 2)];
    expect(await applyOnce(db, "g", batch, writeEffects)).toEqual({ applied: 3, skipped: 1 });
    expect(await effectRows()).toEqual({ total: 3, distinct: 3 });
  });

  test("a failing effect records neither effects nor ids, so the retry applies them", async () => {
    const failing = applyOnce(db, "g", events(0, 4), async (tx, fresh) => {
      await writeEffects(tx, fresh);
      throw new Error("downstream rejected");
    });
    await expect(failing).rejects.toThrow("downstream rejected");
    expect(await effectRows()).toEqual({ total: 0, distinct: 0 });
    expect(await applyOnce(db, "g", events(0, 4), writeEffects)).toEqual({ applied: 4, skipped: 0 });
  });

  test("groups are independent", async () => {
    await applyOnce(db, "g1", events(0, 3), writeEffects);
    expect(await applyOnce(db, "g2", events(0, 3), writeEffects)).toEqual({ applied: 3, skipped: 0 });
  });

  test("concurrent calls with overlapping events (partitions in parallel, a redelivery racing) still apply each once", async () => {
    const results = await Promise.all([0, 1, 2, 3].map((k) => applyOnce(db, "g", events(k * 50, k * 50 + 100), writeEffects)));
    expect(results.reduce((s, r) => s + r.applied, 0)).toBe(250);
    expect(await effectRows()).toEqual({ total: 250, distinct: 250 });
  });

  test("throughput: 20,000 events in batches of 500", async () => {
    const all = events(0, 20_000);
    const started = performance.now();
    for (let i = 0; i < all.length; i += 500) await applyOnce(db, "g", all.slice(i, i + 500), writeEffects);
    const ms = performance.now() - started;
    console.log(
      `applyOnce: 20000 events in ${ms.toFixed(0)} ms (${Math.round(20_000 / (ms / 1000))} events/s, batches of 500, effect = one row each)`,
    );
    expect(await effectRows()).toEqual({ total: 20_000, distinct: 20_000 });
  }, 60_000);
});
