import { describe, expect, test } from "bun:test";
import { NonRetriableError } from "../../shared/errors/errors.ts";
import { createEnvelope } from "../../shared/events/envelope.ts";
import type { DeliveredRecord, RecordBatch } from "../../shared/log/event-log.ts";
import type { ConsumedEvent } from "./handler.ts";
import { parseEvents } from "./parse.ts";

function record(offset: number, value: string): DeliveredRecord {
  return {
    topic: "bookings",
    partition: 2,
    offset,
    key: "b-1",
    value,
    headers: { type: "booking.requested" },
    timestamp: 1_700_000_000_000 + offset,
  };
}
function batch(records: DeliveredRecord[]): RecordBatch {
  return { topic: "bookings", partition: 2, records, isActive: () => true, heartbeat: async () => {} };
}
const good = (n: number) => JSON.stringify(createEnvelope({ type: "booking.requested", key: "b-1", source: "test", data: { n } }));

describe("parseEvents", () => {
  test("hands the handler envelopes with their record position, in log order, and the deps", async () => {
    const seen: ConsumedEvent[][] = [];
    const deps = { name: "deps" };
    let gotDeps: unknown;
    const handler = parseEvents(async (events, d) => {
      seen.push(events);
      gotDeps = d;
    }, deps);
    await handler(batch([record(7, good(1)), record(8, good(2))]));
    expect(gotDeps).toBe(deps);
    expect(seen.length).toBe(1);
    expect(seen[0]!.map((e) => [e.type, (e.data as { n: number }).n, e.record.offset, e.record.partition, e.record.key])).toEqual([
      ["booking.requested", 1, 7, 2, "b-1"],
      ["booking.requested", 2, 8, 2, "b-1"],
    ]);
    expect(seen[0]![0]!.record.headers).toEqual({ type: "booking.requested" });
  });

  test("a malformed record is a NonRetriableError naming its position and the bad field", async () => {
    let calls = 0;
    const handler = parseEvents(async () => void calls++, {});
    const notJson = handler(batch([record(3, "{oops")]));
    await expect(notJson).rejects.toBeInstanceOf(NonRetriableError);
    await expect(notJson).rejects.toThrow("bookings/2@3");
    const badField = JSON.parse(good(1));
    badField.id = "not-a-uuid";
    await expect(handler(batch([record(4, JSON.stringify(badField))]))).rejects.toThrow(/bookings\/2@4: id: /);
    expect(calls).toBe(0);
  });

  test("an empty batch does not call the handler", async () => {
    let calls = 0;
    await parseEvents(async () => void calls++, {})(batch([]));
    expect(calls).toBe(0);
  });
});
