import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Db } from "../db/open-libsql.ts";
import { driverTrail } from "../db/schema.ts";
import { ValidationError } from "../errors/errors.ts";
import { openTempHistory } from "./testing.ts";
import { queryTrail, type TrailEntry } from "./trail-query.ts";

const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);
/** Every 60 s a point flagged as the trail writer stores flags (trail-flags.ts). */
const row = (driverId: string, s: number) => ({
  driverId,
  recordedAt: T0 + s * 1000,
  lat: 12.97 + s / 1e4,
  lng: 77.59,
  speed: s % 2 ? 7.5 : null,
  heading: null,
  accuracy: 5,
  flags: s % 60 ? null : "speed,outside-area",
});
const secondsOf = (points: TrailEntry[]) => points.map((p) => (p.recordedAt - T0) / 1000);

describe("queryTrail", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let db: Db;
  beforeAll(async () => {
    history = await openTempHistory("fleet-trail-query-");
    db = history.db;
    // 25 points of q-1 inserted out of order, and another driver's points between them.
    const seconds = Array.from({ length: 25 }, (_, i) => i * 30).sort((a, b) => ((a * 7919) % 25) - ((b * 7919) % 25));
    await db.orm.insert(driverTrail).values([...seconds.map((s) => row("q-1", s)), ...seconds.slice(0, 10).map((s) => row("q-2", s + 1))]);
  });
  afterAll(() => history.remove());

  test("returns one driver's points oldest first, with every field, within inclusive bounds", async () => {
    const all = await queryTrail(db, { driverId: "q-1" });
    expect(secondsOf(all.points)).toEqual(Array.from({ length: 25 }, (_, i) => i * 30));
    expect(all.nextCursor).toBeNull();
    expect(all.points[1]).toEqual({ recordedAt: T0 + 30_000, lat: 12.973, lng: 77.59, speed: null, heading: null, accuracy: 5, flags: [] });
    expect(all.points[2]).toMatchObject({ recordedAt: T0 + 60_000, flags: ["speed", "outside-area"] });
    const window = await queryTrail(db, { driverId: "q-1", from: T0 + 60_000, to: T0 + 150_000 });
    expect(secondsOf(window.points)).toEqual([60, 90, 120, 150]);
  });

  test("pages through with the cursor: no repeats, no gaps, null at the end", async () => {
    const seen: number[] = [];
    const cursors: (string | null)[] = [];
    let cursor: string | null = null;
    do {
      const page = await queryTrail(db, { driverId: "q-1", from: T0 + 30_000, limit: 10, cursor });
      seen.push(...secondsOf(page.points));
      cursors.push((cursor = page.nextCursor));
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 24 }, (_, i) => (i + 1) * 30));
    expect(cursors.map((c) => c === null)).toEqual([false, false, true]);
  });

  test("a page that ends exactly at the last point says so", async () => {
    const page = await queryTrail(db, { driverId: "q-2", limit: 10 });
    expect(page.points.length).toBe(10);
    expect(page.nextCursor).toBeNull();
  });

  test("a cursor from another driver's trail, a damaged one, or a bad limit is a ValidationError naming the field", async () => {
    const { nextCursor } = await queryTrail(db, { driverId: "q-1", limit: 5 });
    const err = await queryTrail(db, { driverId: "q-2", cursor: nextCursor }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.field).toBe("cursor");
    await expect(queryTrail(db, { driverId: "q-1", cursor: "not-a-cursor" })).rejects.toBeInstanceOf(ValidationError);
    await expect(queryTrail(db, { driverId: "q-1", limit: 0 })).rejects.toThrow("limit");
  });
});
