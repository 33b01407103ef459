import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateDb } from "../../shared/db/migrate.ts";
import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import { withDedupe } from "./dedupe.ts";
import type { ConsumedEvent } from "./handler.ts";
import { toConsumedEvent } from "./parse.ts";
import { eventRecord } from "./testing.ts";

const dir = mkdtempSync(join(tmpdir(), "fleet-dedupe-"));
let db: Db;
let n = 0;
beforeEach(async () => {
  db = await openLibsql({ url: `file:${join(dir, `db${n++}.db`)}` });
  await migrateDb(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const events = (from: number, to: number): ConsumedEvent[] =>
  Array.from({ length: to - from }, (_, k) =>
    toConsumedEvent(eventRecord(from + k, { i: from + k }, { id: `0190a7b4-0000-7000-8000-${String(from + k).padStart(12, "0")}` })),
  );
const iOf = (e: ConsumedEvent) => (e.data as { i: number }).i;

/** A naturally idempotent effect: keep the newest value per key (like a Redis write conditional on time). */
function latestWins() {
  const state = new Map<string, number>();
  const calls: number[][] = [];
  const handler = async (batch: ConsumedEvent[], deps: { state: Map<string, number> }) => {
    calls.push(batch.map(iOf));
    for (const e of batch) deps.state.set(e.key, Math.max(deps.state.get(e.key) ?? -1, iOf(e)));
  };
  return { state, calls, handler };
}

describe("withDedupe", () => {
  test("drops already-processed events before the handler and marks new ones after it succeeded", async () => {
    const { state, calls, handler } = latestWins();
    const h = withDedupe<{ state: Map<string, number> }>(db, "g")(handler);
    await h(events(0, 4), { state });
    await h(events(2, 6), { state });
    await h(events(0, 6), { state });
    expect(calls).toEqual([
      [0, 1, 2, 3],
      [4, 5],
    ]);
    expect(state.get("k-1")).toBe(5);
  });

  test("a failing handler marks nothing, so the events come back", async () => {
    const { state, calls, handler } = latestWins();
    let fail = true;
    const h = withDedupe<{ state: Map<string, number> }>(
      db,
      "g",
    )(async (batch, deps) => {
      if (fail) throw new Error("redis down");
      await handler(batch, deps);
    });
    await expect(h(events(0, 3), { state })).rejects.toThrow("redis down");
    fail = false;
    await h(events(0, 3), { state });
    expect(calls).toEqual([[0, 1, 2]]);
  });

  test("duplicates inside one batch reach the handler once", async () => {
    const { state, calls, handler } = latestWins();
    await withDedupe<{ state: Map<string, number> }>(db, "g")(handler)([...events(0, 2), ...events(0, 2)], { state });
    expect(calls).toEqual([[0, 1]]);
  });
});
