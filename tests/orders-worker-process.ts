/**
 * The order worker as a real process for tests/orders-sigkill.test.ts: consumes
 * ORDERS_TOPIC as GROUP from Kafka into the libSQL file at LIBSQL_URL and publishes
 * the trucks' bookings to BOOKINGS_TOPIC. PUBLISH_DELAY_MS publishes them one record
 * at a time with that pause, so a kill lands mid-expansion. Runs the booking loop too,
 * as workers/main.ts does for the order worker.
 */
import * as v from "valibot";
import { migrateDb } from "../shared/db/migrate.ts";
import { openLibsql } from "../shared/db/open-libsql.ts";
import { TOPICS } from "../shared/events/topics.ts";
import type { Publisher } from "../shared/log/event-log.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { createLogger } from "../shared/logging/logger.ts";
import { createRegistry } from "../shared/metrics/registry.ts";
import { startBookingLoop } from "../workers/booking/booking-loop.ts";
import { createBookingOutbox } from "../workers/booking/outbox.ts";
import { createOrderHandler } from "../workers/order/order-handler.ts";
import { runProcess } from "../workers/runtime/run-process.ts";
import { runWorker } from "../workers/runtime/run-worker.ts";

const Env = v.object({
  KAFKA_BROKERS: v.pipe(v.string(), v.minLength(1)),
  ORDERS_TOPIC: v.pipe(v.string(), v.minLength(1)),
  BOOKINGS_TOPIC: v.pipe(v.string(), v.minLength(1)),
  GROUP: v.pipe(v.string(), v.minLength(1)),
  LIBSQL_URL: v.pipe(v.string(), v.startsWith("file:")),
  PUBLISH_DELAY_MS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(0)), "0"),
});
const env = v.parse(Env, process.env);

const logger = createLogger({ level: "warn", base: { process: "order-worker", pid: process.pid } });
const db = await openLibsql({ url: env.LIBSQL_URL });
await migrateDb(db);
const log = await createKafkaLog({
  brokers: env.KAFKA_BROKERS.split(","),
  clientId: "order-worker-test",
  sessionTimeoutMs: 6000,
  logger: (level, msg, extra) => logger[level](msg, extra),
});

const kafka = log.publisher();
const publisher: Publisher = {
  async publish(records) {
    const out = records.map((r) => ({ ...r, topic: r.topic === TOPICS.bookings ? env.BOOKINGS_TOPIC : r.topic }));
    if (env.PUBLISH_DELAY_MS === 0) return kafka.publish(out);
    for (const r of out) {
      await kafka.publish([r]);
      await Bun.sleep(env.PUBLISH_DELAY_MS);
    }
  },
  close: () => kafka.close(),
};

const outbox = createBookingOutbox(db, publisher);
const worker = await runWorker({
  log,
  group: env.GROUP,
  topics: [env.ORDERS_TOPIC],
  handler: createOrderHandler(),
  deps: { db, outbox },
  registry: createRegistry(),
  logger,
  maxBatchSize: 20,
});
const loop = startBookingLoop({ db, publisher, outbox, logger, intervalMs: 100 });
await runProcess([worker], {
  logger,
  cleanup: async () => {
    await loop.stop();
    await log.close();
    db.close();
  },
});
