import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { Registry } from "prom-client";
import { createApp } from "../gateway/app.ts";
import { testSecurity } from "../gateway/auth/testing-auth.ts";
import { tripDeps } from "../gateway/build-deps.ts";
import { DEFAULT_PUBLISH_TIMEOUT_MS } from "../gateway/events/publish-event.ts";
import { historyReads } from "../gateway/history-reads.ts";
import { openIdempotencyStore } from "../gateway/idempotency/libsql-idempotency-store.ts";
import { fileAssets } from "../gateway/static/file-assets.ts";
import { testOperatorViews } from "../gateway/testing.ts";
import type { WaveSettings } from "../shared/booking/waves.ts";
import type { Db } from "../shared/db/open-libsql.ts";
import { createStraightLineEta } from "../shared/eta/straight-line-eta.ts";
import { type Envelope, parseEnvelope } from "../shared/events/envelope.ts";
import { TOPICS } from "../shared/events/topics.ts";
import { createEmbeddedGeoIndex } from "../shared/geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../shared/geo/geo-index.ts";
import { createRedisGeoIndex } from "../shared/geo/redis/redis-geo.ts";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../shared/geo/redis/redis-test-env.ts";
import { openTempHistory } from "../shared/history/testing.ts";
import { createEmbeddedLog } from "../shared/log/embedded/embedded-log.ts";
import type { EventLog, Subscription } from "../shared/log/event-log.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { brokersFromEnv, uniqueName } from "../shared/log/kafka/kafka-test-env.ts";
import { silentLogger } from "../shared/logging/logger.ts";
import { createEmbeddedSurgeStore } from "../shared/surge/embedded/embedded-surge-store.ts";
import { BOOKING_GROUP, createBookingHandler } from "../workers/booking/booking-handler.ts";
import { type BookingLoop, startBookingLoop } from "../workers/booking/booking-loop.ts";
import { createBookingOutbox } from "../workers/booking/outbox.ts";
import { createOrderHandler, ORDER_GROUP } from "../workers/order/order-handler.ts";
import { type RunningWorker, runWorker } from "../workers/runtime/run-worker.ts";
import { renamed, withDeadLetters } from "./support/test-topics.ts";

/*
 * The order flow end to end for tests/orders*.test.ts: the real gateway app (in
 * process), the order and booking workers under the real runtime with the booking
 * loop, a real log and geo index, libSQL files for the history and the gateway's own
 * database. On Kafka + Redis every topic, group and key prefix is this env's own, as
 * in tests/bookings-env.ts. Not a test file.
 */

export type Mode = "embedded log + embedded geo" | "Kafka + Redis";

type Topics = { bookings: string; orders: string; notifications: string };

export interface OrderEnv {
  app: Hono;
  geo: GeoIndex;
  history: Db;
  log: EventLog;
  topics: Topics;
  groups: { order: string; booking: string };
  startWorkers(): Promise<void>;
  /** Stops the loop and both workers, as SIGTERM would. */
  stopWorkers(): Promise<void>;
  /** Every event published on the orders topic so far. */
  orderEvents(): Envelope[];
  /** How many records the topic holds (all partitions). */
  recordsIn(topic: string): Promise<number>;
  close(): Promise<void>;
}

/** The catalogue's names → this env's topics. */
function topicNames(topics: Topics): Record<string, string> {
  return { [TOPICS.bookings]: topics.bookings, [TOPICS.orders]: topics.orders, [TOPICS.notifications]: topics.notifications };
}

export async function openOrderEnv(mode: Mode, waves: WaveSettings): Promise<OrderEnv> {
  const dir = mkdtempSync(join(tmpdir(), "fleet-orders-e2e-"));
  const kafka = mode === "Kafka + Redis";
  const redisUrl = kafka ? redisUrlFromEnv() : "";
  const prefix = uniquePrefix("orders-e2e");
  const log = kafka
    ? await createKafkaLog({ brokers: brokersFromEnv(), clientId: uniqueName("orders-e2e"), logger: () => {} })
    : await createEmbeddedLog({ url: `file:${join(dir, "log.db")}`, logger: { warn: () => {}, error: console.error } });
  const geo = kafka ? await createRedisGeoIndex({ url: redisUrl, prefix }) : createEmbeddedGeoIndex();
  const topics: Topics = kafka
    ? { bookings: uniqueName("bookings"), orders: uniqueName("orders"), notifications: uniqueName("notifications") }
    : { bookings: TOPICS.bookings, orders: TOPICS.orders, notifications: TOPICS.notifications };
  const groups = kafka
    ? { order: uniqueName(ORDER_GROUP), booking: uniqueName(BOOKING_GROUP) }
    : { order: ORDER_GROUP, booking: BOOKING_GROUP };
  const spec = (name: string) => withDeadLetters(name, { keyField: "id", description: "orders e2e" });
  await log.admin().ensureTopics(Object.values(topics).flatMap(spec));

  const history = await openTempHistory("fleet-orders-e2e-history-");
  const idempotency = await openIdempotencyStore({ url: `file:${join(dir, "gateway.db")}` });
  const publisher = renamed(log.publisher(), topicNames(topics));
  const logger = silentLogger();
  const app = createApp({
    publisher,
    registry: new Registry(),
    logger,
    readiness: {},
    limits: { maxFixAgeMs: 3_600_000, staleAfterMs: 60_000, publishTimeoutMs: DEFAULT_PUBLISH_TIMEOUT_MS },
    geo,
    ...historyReads(history.db),
    idempotency,
    eta: createStraightLineEta(),
    assets: fileAssets(),
    operator: testOperatorViews(log).operator,
    ...testSecurity(),
    trips: tripDeps(history.db, createEmbeddedSurgeStore()),
  });

  const seen: Envelope[] = [];
  const probe: Subscription = await log.subscriber().subscribe({
    group: uniqueName("orders-e2e-probe"),
    topics: [topics.orders],
    handler: async (b) => void seen.push(...b.records.map((r) => parseEnvelope(r.value))),
  });

  let workers: RunningWorker[] = [];
  let loop: BookingLoop | undefined;
  const env: OrderEnv = {
    app,
    geo,
    history: history.db,
    log,
    topics,
    groups,
    orderEvents: () => [...seen],
    async recordsIn(topic) {
      return (await log.admin().lag(uniqueName("orders-e2e-count"), [topic])).reduce((n, p) => n + p.end, 0);
    },
    async startWorkers() {
      const outbox = createBookingOutbox(history.db, publisher);
      const deps = { db: history.db, geo, publisher, eta: createStraightLineEta(), outbox };
      const common = { log, deps, registry: new Registry(), logger };
      workers = [
        await runWorker({ ...common, group: groups.order, topics: [topics.orders], handler: createOrderHandler(), maxBatchSize: 20 }),
        await runWorker({
          ...common,
          group: groups.booking,
          topics: [topics.bookings],
          handler: createBookingHandler({ waves }),
          maxBatchSize: 100,
        }),
      ];
      loop = startBookingLoop({ db: history.db, publisher, outbox, logger, intervalMs: 50 });
    },
    async stopWorkers() {
      await loop?.stop();
      await Promise.all(workers.map((w) => w.stop()));
      loop = undefined;
      workers = [];
    },
    async close() {
      await env.stopWorkers();
      await probe.stop();
      await log.close();
      await geo.close();
      if (kafka) await deletePrefixes(redisUrl, [prefix]);
      idempotency.close();
      history.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await env.startWorkers();
  return env;
}
