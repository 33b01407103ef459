/**
 * The booking worker as a real process for tests/trip-timer-sigkill.test.ts: consumes
 * BOOKINGS_TOPIC as GROUP from Kafka into the libSQL file at LIBSQL_URL, matches on the
 * Redis geo index under REDIS_PREFIX, publishes to BOOKINGS_TOPIC / NOTIFICATIONS_TOPIC,
 * and runs the booking loop (timers, outbox) as workers/main.ts does. ARRIVAL_GRACE_MS is
 * the trip's arrival grace. HOLD makes the process stall, for the test to SIGKILL it:
 * - "apply": once a batch holds a `booking.arrival-due` (the timer fired), before applying it;
 * - "publish": when the outbox publishes a `booking.reassigning` (the drop is committed), before it leaves.
 */
import * as v from "valibot";
import { DEFAULT_TRIP } from "../shared/booking/trip-settings.ts";
import { migrateDb } from "../shared/db/migrate.ts";
import { openLibsql } from "../shared/db/open-libsql.ts";
import { createStraightLineEta } from "../shared/eta/straight-line-eta.ts";
import { TOPICS } from "../shared/events/topics.ts";
import { createRedisGeoIndex } from "../shared/geo/redis/redis-geo.ts";
import type { Publisher } from "../shared/log/event-log.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { createLogger } from "../shared/logging/logger.ts";
import { createRegistry } from "../shared/metrics/registry.ts";
import { createEmbeddedSurgeStore } from "../shared/surge/embedded/embedded-surge-store.ts";
import { createBookingHandler } from "../workers/booking/booking-handler.ts";
import { startBookingLoop } from "../workers/booking/booking-loop.ts";
import { runProcess } from "../workers/runtime/run-process.ts";
import { runWorker } from "../workers/runtime/run-worker.ts";

const Env = v.object({
  KAFKA_BROKERS: v.pipe(v.string(), v.minLength(1)),
  BOOKINGS_TOPIC: v.pipe(v.string(), v.minLength(1)),
  NOTIFICATIONS_TOPIC: v.pipe(v.string(), v.minLength(1)),
  GROUP: v.pipe(v.string(), v.minLength(1)),
  LIBSQL_URL: v.pipe(v.string(), v.startsWith("file:")),
  REDIS_URL: v.pipe(v.string(), v.startsWith("redis://")),
  REDIS_PREFIX: v.pipe(v.string(), v.minLength(1)),
  ARRIVAL_GRACE_MS: v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(0)),
  HOLD: v.optional(v.picklist(["apply", "publish", "none"]), "none"),
});
const env = v.parse(Env, process.env);
const forever = () => new Promise<never>(() => {});

const logger = createLogger({ level: "warn", base: { process: "trip-worker", pid: process.pid } });
const db = await openLibsql({ url: env.LIBSQL_URL });
await migrateDb(db);
const geo = await createRedisGeoIndex({ url: env.REDIS_URL, prefix: env.REDIS_PREFIX });
const log = await createKafkaLog({
  brokers: env.KAFKA_BROKERS.split(","),
  clientId: "trip-worker-test",
  sessionTimeoutMs: 6000,
  logger: (level, msg, extra) => logger[level](msg, extra),
});

const kafka = log.publisher();
const topicOf: Record<string, string> = { [TOPICS.bookings]: env.BOOKINGS_TOPIC, [TOPICS.notifications]: env.NOTIFICATIONS_TOPIC };
const publisher: Publisher = {
  async publish(records) {
    if (env.HOLD === "publish" && records.some((r) => r.headers?.type === "booking.reassigning")) return forever();
    return kafka.publish(records.map((r) => ({ ...r, topic: topicOf[r.topic] ?? r.topic })));
  },
  close: () => kafka.close(),
};

const handler = createBookingHandler({ trip: { ...DEFAULT_TRIP, arrivalGraceMs: env.ARRIVAL_GRACE_MS } });
const worker = await runWorker({
  log,
  group: env.GROUP,
  topics: [env.BOOKINGS_TOPIC],
  handler: async (events, deps) => {
    if (env.HOLD === "apply" && events.some((e) => e.type === "booking.arrival-due")) return forever();
    return handler(events, deps);
  },
  deps: { db, geo, publisher, eta: createStraightLineEta(), surge: createEmbeddedSurgeStore() },
  registry: createRegistry(),
  logger,
  maxBatchSize: 100,
});
const loop = startBookingLoop({ db, publisher, logger, intervalMs: 100 });
await runProcess([worker], {
  logger,
  cleanup: async () => {
    await loop.stop();
    await log.close();
    await geo.close();
    db.close();
  },
});
