import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { count } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { driverTrail } from "../db/schema.ts";
import { createLogger } from "../logging/logger.ts";
import { openTempHistory } from "./testing.ts";
import { pruneTrail, startTrailPruning } from "./trail-prune.ts";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 8, 12, 0, 0);

describe("trail pruning by age", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let db: Db;
  beforeAll(async () => {
    history = await openTempHistory("fleet-trail-prune-");
    db = history.db;
  });
  afterAll(() => history.remove());

  /** One point per driver per hour over the last `hours`. */
  async function fill(hours: number, drivers = 3) {
    await db.orm.delete(driverTrail);
    const rows = Array.from({ length: hours * drivers }, (_, i) => ({
      driverId: `p-${i % drivers}`,
      recordedAt: NOW - Math.floor(i / drivers) * HOUR,
      lat: 1,
      lng: 2,
    }));
    for (let i = 0; i < rows.length; i += 500) await db.orm.insert(driverTrail).values(rows.slice(i, i + 500));
  }
  const remaining = async () => (await db.orm.select({ n: count() }).from(driverTrail))[0]?.n;

  test("deletes exactly the points recorded before the cutoff, in chunks", async () => {
    await fill(10 * 24);
    const deleted = await pruneTrail(db, NOW - 7 * 24 * HOUR, 50);
    expect(deleted).toBe(3 * (10 * 24 - (7 * 24 + 1)));
    expect(await remaining()).toBe(3 * (7 * 24 + 1));
    expect(await pruneTrail(db, NOW - 7 * 24 * HOUR, 50)).toBe(0);
  });

  test("startTrailPruning keeps the default 7 days, runs again each interval, and stop() waits for a run", async () => {
    await fill(10 * 24);
    const lines: string[] = [];
    let now = NOW;
    const pruning = startTrailPruning({
      db,
      logger: createLogger({ level: "info", write: (l) => lines.push(l) }),
      intervalMs: 20,
      now: () => now,
    });
    const until = async (n: number) => {
      for (let i = 0; i < 200 && (await remaining()) !== n; i++) await Bun.sleep(10);
      return remaining();
    };
    expect(await until(3 * (7 * 24 + 1))).toBe(3 * (7 * 24 + 1));
    now += 24 * HOUR;
    expect(await until(3 * (6 * 24 + 1))).toBe(3 * (6 * 24 + 1));
    await pruning.stop();
    now += 24 * HOUR;
    await Bun.sleep(60);
    expect(await remaining()).toBe(3 * (6 * 24 + 1));
    expect(lines.some((l) => JSON.parse(l).msg === "trail pruned")).toBe(true);
  });
});
