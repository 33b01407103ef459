import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { insertRows } from "./insert-rows.ts";
import { migrateDb } from "./migrate.ts";
import { type Db, openLibsql } from "./open-libsql.ts";
import { bookingEvents, bookings } from "./schema.ts";
import { fromRow, insertValues, layoutOf, selectList } from "./table-rows.ts";

const dir = mkdtempSync(join(tmpdir(), "fleet-table-rows-"));
let db: Db;
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A booking with only the required columns: surge, round and dropped drivers take their defaults. */
const booking = (bookingId: string): typeof bookings.$inferInsert => ({
  bookingId,
  customerId: "cust-1",
  vehicleType: "sedan",
  pickupLat: 12.97,
  pickupLng: 77.59,
  dropoffLat: 12.93,
  dropoffLng: 77.62,
  fareAmount: 180.5,
  fareCurrency: "INR",
  status: "requested",
  wave: 0,
  version: 0,
  correlationId: "corr-1",
  requestedAt: "2026-12-04T10:00:00.000Z",
  updatedAt: "2026-12-04T10:00:00.000Z",
});

const rawInsert = <T extends Parameters<typeof layoutOf>[0]>(table: T, rows: T["$inferInsert"][]) =>
  insertRows(db.client, {
    table: layoutOf(table).name,
    columns: layoutOf(table).columns.map((c) => c.name),
    rows: rows.map((r) => insertValues(table, r)),
  });

describe("table rows (raw statements over a drizzle table's columns)", () => {
  test("a row written with insertValues reads back, through drizzle and through fromRow, as drizzle's own insert of it", async () => {
    db = await openLibsql({ url: `file:${join(dir, "history.db")}` });
    await migrateDb(db);
    await db.orm.insert(bookings).values(booking("b-drizzle"));
    await rawInsert(bookings, [booking("b-raw")]);

    const [viaDrizzle] = await db.orm.select().from(bookings).where(eq(bookings.bookingId, "b-drizzle"));
    const [rawViaDrizzle] = await db.orm.select().from(bookings).where(eq(bookings.bookingId, "b-raw"));
    expect(rawViaDrizzle).toEqual({ ...viaDrizzle!, bookingId: "b-raw" });
    expect(rawViaDrizzle).toMatchObject({ surgeMultiplier: 1, round: 0, droppedDriverIds: "[]", orderId: null });

    const { rows } = await db.client.execute({ sql: `SELECT ${selectList(bookings)} FROM bookings WHERE booking_id = ?`, args: ["b-raw"] });
    expect(fromRow(bookings, rows[0]!)).toEqual(rawViaDrizzle!);
  });

  test("column modes map both ways as drizzle maps them (a boolean column stored as 0/1, an autoincrement key left to the database)", async () => {
    const event = {
      eventId: "e-1",
      bookingId: "b-raw",
      type: "t",
      occurredAt: "x",
      applied: false,
      reason: null,
      data: "{}",
      recordedAt: 5,
    };
    await rawInsert(bookingEvents, [event, { ...event, eventId: "e-2", applied: true }]);
    const stored = await db.client.execute("SELECT event_id, applied, seq FROM booking_events ORDER BY seq");
    expect(stored.rows.map((r) => [r[0], r[1]])).toEqual([
      ["e-1", 0],
      ["e-2", 1],
    ]);
    const { rows } = await db.client.execute(`SELECT ${selectList(bookingEvents)} FROM booking_events ORDER BY seq`);
    expect(rows.map((r) => fromRow(bookingEvents, r))).toEqual(await db.orm.select().from(bookingEvents).orderBy(bookingEvents.seq));
    expect(rows.map((r) => fromRow(bookingEvents, r).applied)).toEqual([false, true]);
  });

  test("a missing value whose default is an SQL expression is refused, not bound as text", () => {
    const stamped = sqliteTable("stamped", { id: text("id").primaryKey(), at: text("at").default(sql`CURRENT_TIMESTAMP`) });
    expect(() => insertValues(stamped, { id: "1" })).toThrow("stamped.at: an SQL default cannot be bound as a value");
    expect(insertValues(stamped, { id: "1", at: "now" })).toEqual(["1", "now"]);
  });
});
