import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { waveDueEventId } from "../../shared/booking/ids.ts";
import { bookingOutbox, bookingTimers } from "../../shared/db/schema.ts";
import { flushDeferred, writeTransaction } from "../../shared/db/write-transaction.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { silentLogger } from "../../shared/logging/logger.ts";
import { startBookingLoop } from "./booking-loop.ts";
import { drainOutbox, enqueueRecords } from "./outbox.ts";
import { recordingPublisher } from "./testing.ts";
import { fireDueTimers } from "./timers.ts";

describe("booking timers and outbox", () => {
  let history: Awaited<ReturnType<typeof openTempHistory>>;
  let publisher: ReturnType<typeof recordingPublisher>;
  beforeEach(async () => {
    history = await openTempHistory("fleet-booking-loop-");
    publisher = recordingPublisher();
  });
  afterEach(() => history.remove());

  const bookingId = "5b0c8d8e-4f3a-4f7c-9a39-1c8e4a9b2f10";
  const schedule = (wave: number, dueAt: number) =>
    history.db.orm.insert(bookingTimers).values({
      eventId: waveDueEventId(bookingId, wave),
      bookingId,
      type: "booking.wave-due",
      wave,
      dueAt,
      correlationId: "req-1",
      firedAt: null,
    });

  test("a due timer is published as its event (deterministic id, occurredAt = due time), then marked fired; one not due waits", async () => {
    const t0 = Date.UTC(2026, 10, 1, 8, 0, 0);
    await schedule(1, t0);
    await schedule(2, t0 + 15_000);
    expect(await fireDueTimers(history.db, publisher, t0 + 10)).toBe(1);
    expect(publisher.records.length).toBe(1);
    const r = publisher.records[0]!;
    expect([r.topic, r.key, r.headers?.type]).toEqual([TOPICS.bookings, bookingId, "booking.wave-due"]);
    expect(parseEnvelope(r.value)).toMatchObject({
      id: waveDueEventId(bookingId, 1),
      type: "booking.wave-due",
      key: bookingId,
      occurredAt: new Date(t0).toISOString(),
      correlationId: "req-1",
      data: { bookingId, wave: 1 },
    });
    expect(await fireDueTimers(history.db, publisher, t0 + 20)).toBe(0);
    expect(
      (await history.db.orm.select({ wave: bookingTimers.wave, firedAt: bookingTimers.firedAt }).from(bookingTimers)).sort(
        (a, b) => a.wave - b.wave,
      ),
    ).toEqual([
      { wave: 1, firedAt: t0 + 10 },
      { wave: 2, firedAt: null },
    ]);
  });

  test("a timer whose publish failed is not marked fired, and fires with the same event on the next try", async () => {
    await schedule(1, 1_000);
    publisher.failing = true;
    await expect(fireDueTimers(history.db, publisher, 2_000)).rejects.toThrow(/broker unavailable/);
    publisher.failing = false;
    expect(await fireDueTimers(history.db, publisher, 3_000)).toBe(1);
    expect(parseEnvelope(publisher.records[0]!.value).occurredAt).toBe(new Date(1_000).toISOString());
  });

  test("the loop fires timers a stopped process left pending, and publishes outbox records only once past the grace period", async () => {
    await schedule(1, Date.now() - 5_000);
    const record = { topic: TOPICS.notifications, key: "d-1", value: '{"n":1}', headers: { type: "notification.requested" } };
    await writeTransaction(history.db, (tx) => enqueueRecords(tx, [record], Date.now() - 10_000));
    await writeTransaction(history.db, (tx) => enqueueRecords(tx, [{ ...record, value: '{"n":2}' }], Date.now() + 60_000));
    const loop = startBookingLoop({ db: history.db, publisher, logger: silentLogger(), intervalMs: 10, outboxGraceMs: 2_000 });
    try {
      const deadline = Date.now() + 5_000;
      while (publisher.records.length < 2 && Date.now() < deadline) await Bun.sleep(10);
    } finally {
      await loop.stop();
    }
    expect(publisher.records.map((r) => [r.topic, r.headers?.type])).toEqual([
      [TOPICS.bookings, "booking.wave-due"],
      [TOPICS.notifications, "notification.requested"],
    ]);
    expect(publisher.records[1]!.value).toBe('{"n":1}');
    // Deletes of acked records wait for the next write transaction (deferred-writes.ts).
    await flushDeferred(history.db);
    expect((await history.db.orm.select({ value: bookingOutbox.value }).from(bookingOutbox)).map((r) => r.value)).toEqual(['{"n":2}']);
    expect(await drainOutbox(history.db, publisher)).toBe(1);
    expect(await drainOutbox(history.db, publisher)).toBe(0);
    expect((await history.db.orm.select({ value: bookingOutbox.value }).from(bookingOutbox)).map((r) => r.value)).toEqual(['{"n":2}']);
    await writeTransaction(history.db, async () => {});
    expect(await history.db.orm.select().from(bookingOutbox)).toEqual([]);
  });
});
