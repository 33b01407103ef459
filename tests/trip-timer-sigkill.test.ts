import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { estimateFare } from "../shared/booking/fare.ts";
import { requestedEventId } from "../shared/booking/ids.ts";
import { migrateDb } from "../shared/db/migrate.ts";
import { openLibsql } from "../shared/db/open-libsql.ts";
import { BOOKING_ACCEPTED, BOOKING_REQUESTED, type BookingRequested } from "../shared/events/booking.ts";
import { createEnvelope, envelopeHeaders, parseEnvelope } from "../shared/events/envelope.ts";
import { dlqTopicOf, type TopicSpec } from "../shared/events/topics.ts";
import { createRedisGeoIndex } from "../shared/geo/redis/redis-geo.ts";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../shared/geo/redis/redis-test-env.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { brokersFromEnv, uniqueName } from "../shared/log/kafka/kafka-test-env.ts";
import { north, until } from "./bookings-env.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; three worker lifetimes and two session expiries take a while.
setDefaultTimeout(180_000);

const WORKER = join(import.meta.dir, "trip-worker-process.ts");
const dir = mkdtempSync(join(tmpdir(), "fleet-trip-sigkill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a booking worker SIGKILLed after the arrival deadline fired (before applying it, then before publishing the reassignment) still reassigns exactly once", async () => {
  const brokers = brokersFromEnv();
  const redisUrl = redisUrlFromEnv();
  const prefix = uniquePrefix("trip-sigkill");
  const topics = { bookings: uniqueName("bookings-trip-sigkill"), notifications: uniqueName("notifications-trip-sigkill") };
  const group = uniqueName("fleet-booking-trip-sigkill");
  const url = `file:${join(dir, "history.db")}`;
  const log = await createKafkaLog({ brokers, clientId: uniqueName("trip-sigkill"), logger: () => {} });
  const spec = (name: string): TopicSpec[] =>
    [name, dlqTopicOf(name)].map((n) => ({
      name: n,
      partitions: 3,
      retentionMs: 3_600_000,
      cleanupPolicy: "delete",
      keyField: "id",
      description: "trip sigkill",
    }));
  await log.admin().ensureTopics([...spec(topics.bookings), ...spec(topics.notifications)]);

  // The slow driver waits at the pickup (ETA 0: the deadline is the grace alone); the other is 300 m off.
  const pickup = { lat: 12.9716, lng: 77.5946 };
  const [slow, other] = ["slow-driver", "other-driver"];
  const geo = await createRedisGeoIndex({ url: redisUrl, prefix });
  const now = Date.now();
  await geo.setStatus([slow, other].map((driverId) => ({ driverId, status: "available", vehicleType: "sedan", changedAt: now - 60_000 })));
  await geo.upsertPositions([
    { driverId: slow, ...pickup, recordedAt: now },
    { driverId: other, ...north(pickup, 300), recordedAt: now },
  ]);

  const seen: { type: string; id: string }[] = [];
  const probe = await log.subscriber().subscribe({
    group: uniqueName("trip-sigkill-probe"),
    topics: [topics.bookings],
    handler: async (b) => void seen.push(...b.records.map((r) => parseEnvelope(r.value))),
  });
  const idsOf = (type: string) => new Set(seen.filter((e) => e.type === type).map((e) => e.id));
  const publish = async (type: string, key: string, data: unknown, id?: string) => {
    const e = createEnvelope({ id, type, key, data, source: "trip-sigkill-test" });
    await log.publisher().publish([{ topic: topics.bookings, key, value: JSON.stringify(e), headers: envelopeHeaders(e) }]);
  };
  const spawn = (hold: "apply" | "publish" | "none") =>
    Bun.spawn([process.execPath, WORKER], {
      env: {
        ...process.env,
        KAFKA_BROKERS: brokers.join(","),
        BOOKINGS_TOPIC: topics.bookings,
        NOTIFICATIONS_TOPIC: topics.notifications,
        GROUP: group,
        LIBSQL_URL: url,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        ARRIVAL_GRACE_MS: "1500",
        HOLD: hold,
      },
      stdout: "inherit",
      stderr: "inherit",
    });

  // Migrated here first, so this reader can poll from the start; the workers' own migration then finds nothing to do.
  const reader = await openLibsql({ url });
  await migrateDb(reader);
  let worker = spawn("apply");
  const row = async (bookingId: string) =>
    (await reader.client.execute({ sql: "SELECT status, driver_id, round FROM bookings WHERE booking_id = ?", args: [bookingId] })).rows[0];
  try {
    const bookingId = crypto.randomUUID();
    const body = { customerId: "cust-sigkill", pickup, dropoff: north(pickup, 3_000), vehicleType: "sedan" as const };
    const requested: BookingRequested = { bookingId, ...body, fareEstimate: estimateFare(body) };
    await publish(BOOKING_REQUESTED, bookingId, requested, requestedEventId(bookingId));
    await until(
      async () => (await row(bookingId))?.status,
      (s) => s === "offered",
      "the booking to be offered",
      60_000,
    );
    await publish(BOOKING_ACCEPTED, bookingId, { bookingId, driverId: slow });

    // Kill 1: the arrival deadline fired (its event is on the log) and the worker holds it unapplied.
    await until(
      () => idsOf("booking.arrival-due").size,
      (n) => n === 1,
      "the arrival deadline to fire",
      60_000,
    );
    expect((await row(bookingId))?.status).toBe("accepted");
    worker.kill("SIGKILL");
    expect(await worker.exited).not.toBe(0);
    expect((await row(bookingId))?.status).toBe("accepted");

    // Kill 2: the next process applies the drop (committed), and holds the reassignment it must publish.
    worker = spawn("publish");
    await until(
      async () => row(bookingId),
      (r) => r?.status === "requested" && Number(r.round) === 1,
      "the driver to be dropped",
      90_000,
    );
    expect(idsOf("booking.reassigning").size).toBe(0);
    worker.kill("SIGKILL");
    expect(await worker.exited).not.toBe(0);

    // A third process publishes what the outbox kept and searches again, once.
    worker = spawn("none");
    const offers = async () =>
      (
        await reader.client.execute({ sql: "SELECT driver_id FROM booking_offers WHERE booking_id = ? AND round = 1", args: [bookingId] })
      ).rows.map((r) => String(r.driver_id));
    expect(await until(offers, (ids) => ids.length > 0, "the booking to be offered again", 90_000)).toEqual([other]);
    await until(
      async () => (await row(bookingId))?.status,
      (s) => s === "offered",
      "round 1 to be applied",
    );
    await Bun.sleep(1_000); // room for any duplicate to land and be judged

    const applied = await reader.client.execute({
      sql: "SELECT type, count(*) AS n FROM booking_events WHERE booking_id = ? AND applied = 1 GROUP BY type",
      args: [bookingId],
    });
    const count = Object.fromEntries(applied.rows.map((r) => [String(r.type), Number(r.n)]));
    expect(count).toMatchObject({ "booking.arrival-due": 1, "booking.reassigning": 1, "booking.offered": 2 });
    expect(idsOf("booking.reassigning").size).toBe(1);
    expect(idsOf("booking.arrival-due").size).toBe(1);
    const counters = await reader.client.execute({ sql: "SELECT no_shows FROM driver_counters WHERE driver_id = ?", args: [slow] });
    expect(Number(counters.rows[0]!.no_shows)).toBe(1);
    console.log(
      `trip sigkill: 2 kills (timer fired, unapplied; drop committed, unpublished); arrival-due records ${seen.filter((e) => e.type === "booking.arrival-due").length} (1 id), reassigning records ${seen.filter((e) => e.type === "booking.reassigning").length} (1 id), applied once each`,
    );
    worker.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  } finally {
    worker.kill("SIGKILL");
    await probe.stop();
    reader.close();
    await geo.close();
    await log.close();
    await deletePrefixes(redisUrl, [prefix]);
  }
});
