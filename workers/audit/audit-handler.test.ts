import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateDb } from "../../shared/db/migrate.ts";
import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import { createEnvelope } from "../../shared/events/envelope.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";
import { auditHandler } from "./audit-handler.ts";

function consumed(offset: number, key: string, data: unknown, id?: string): ConsumedEvent {
  const env = createEnvelope({ type: "booking.requested", key, data, source: "test", id });
  return { ...env, record: { topic: "bookings", partition: 2, offset, key, headers: {}, timestamp: Date.now() } };
}

describe("audit handler", () => {
  let db: Db;
  beforeAll(async () => {
    db = await openLibsql({ url: `file:${join(mkdtempSync(join(tmpdir(), "fleet-audit-")), "history.db")}` });
    await migrateDb(db);
  });
  afterAll(() => db.close());

  test("records each event with its envelope and log position; a redelivery adds nothing", async () => {
    const events = [consumed(10, "b-1", { fare: 12.5 }), consumed(11, "b-2", { note: "ünïcode" }), consumed(12, "b-1", { step: 2 })];
    await auditHandler(events, { db });
    await auditHandler([events[1]!, events[2]!], { db });
    const rows = (
      await db.client.execute(
        "SELECT event_id, type, key, topic, partition, offset, data, correlation_id FROM audit_events ORDER BY offset",
      )
    ).rows;
    expect(rows.length).toBe(3);
    expect(rows.map((r) => r.event_id)).toEqual(events.map((e) => e.id));
    expect(rows[1]).toMatchObject({
      type: "booking.requested",
      key: "b-2",
      topic: "bookings",
      partition: 2,
      offset: 11,
      correlation_id: events[1]!.correlationId,
    });
    expect(JSON.parse(String(rows[1]!.data))).toEqual({ note: "ünïcode" });
  });
});
