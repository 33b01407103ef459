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
import type { Periodic } from "../shared/async/periodic.ts";
import { type BookingDetails, readBooking } from "../shared/booking/booking-query.ts";
import type { TripSettings } from "../shared/booking/trip-settings.ts";
import type { WaveSettings } from "../shared/booking/waves.ts";
import type { Db } from "../shared/db/open-libsql.ts";
import { createStraightLineEta } from "../shared/eta/straight-line-eta.ts";
import { type Envelope, parseEnvelope } from "../shared/events/envelope.ts";
import type { NotificationRequested } from "../shared/events/notification.ts";
import { TOPICS } from "../shared/events/topics.ts";
import { createEmbeddedGeoIndex } from "../shared/geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../shared/geo/geo-index.ts";
import { createBunRedisRunner } from "../shared/geo/redis/bun-redis-runner.ts";
import { connectRedis } from "../shared/geo/redis/connect-redis.ts";
import { createRedisGeoIndex } from "../shared/geo/redis/redis-geo.ts";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../shared/geo/redis/redis-test-env.ts";
import { M_PER_DEG_LAT, openTempHistory } from "../shared/history/testing.ts";
import { createEmbeddedLog } from "../shared/log/embedded/embedded-log.ts";
import type { EventLog, Subscription } from "../shared/log/event-log.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { brokersFromEnv, uniqueName } from "../shared/log/kafka/kafka-test-env.ts";
import { silentLogger } from "../shared/logging/logger.ts";
import { createEmbeddedSurgeStore } from "../shared/surge/embedded/embedded-surge-store.ts";
import { createRedisSurgeStore } from "../shared/surge/redis/redis-surge-store.ts";
import type { SurgeSettings } from "../shared/surge/surge-formula.ts";
import type { SurgeStore } from "../shared/surge/surge-store.ts";
import { createEmbeddedTripStream } from "../shared/trip-stream/embedded/embedded-trip-stream.ts";
import { createRedisTripStream } from "../shared/trip-stream/redis/redis-trip-stream.ts";
import type { TripStream } from "../shared/trip-stream/trip-stream.ts";
import { BOOKING_GROUP, createBookingHandler } from "../workers/booking/booking-handler.ts";
import { type BookingLoop, startBookingLoop } from "../workers/booking/booking-loop.ts";
import { createBookingOutbox } from "../workers/booking/outbox.ts";
import { createLocationHandler } from "../workers/location/location-handler.ts";
import { type RunningWorker, runWorker } from "../workers/runtime/run-worker.ts";
import { createSurgeHandler, SURGE_GROUP } from "../workers/surge/surge-handler.ts";
import { startSurgeLoop } from "../workers/surge/surge-loop.ts";
import { renamed, withDeadLetters } from "./support/test-topics.ts";

/*
 * The booking flow end to end for tests/bookings*.test.ts and tests/trip-*.test.ts: the
 * real gateway app (in process), the booking worker under the real runtime with its
 * timer loop (and, when asked, the location worker and the surge worker with its loop),
 * a real log, geo index and surge store, and libSQL files for the history and the
 * gateway's own database. Not a test file.
 *
 * On Kafka + Redis (shared with others) every topic, group and key prefix is this
 * env's own: the gateway and the worker publish through a publisher that maps the
 * catalogue's topic names to unique ones, so production code keeps its names.
 */

export type Mode = "embedded log + embedded geo" | "Kafka + Redis";

export interface BookingEnv {
  app: Hono;
  /** Another gateway over the same history and stream store (its own connections): a second gateway process. */
  secondGateway(): Promise<Hono>;
  /** The workers' connection to the bookings' live streams. */
  tripStream: TripStream;
  geo: GeoIndex;
  surge: SurgeStore;
  history: Db;
  log: EventLog;
  topics: Plumbing["topics"];
  /** Starts the booking worker and its timer loop (again, after stopWorker: a new process, the same databases and log). */
  startWorker(): Promise<void>;
  /** Stops the timer loop and the worker, as SIGTERM would. */
  stopWorker(): Promise<void>;
  /** Every notification published so far. */
  notifications(): (NotificationRequested & { eventId: string })[];
  booking(bookingId: string): Promise<BookingDetails | null>;
  close(): Promise<void>;
}

interface Plumbing {
  log: EventLog;
  geo: GeoIndex;
  surge: SurgeStore;
  topics: { bookings: string; notifications: string; locations: string };
  group: (name: string) => string;
  /** A connection to the env's trip streams; each call is a new one (another process), over the same store. */
  tripStream(): Promise<TripStream>;
  dispose(): Promise<void>;
}

async function embedded(dir: string): Promise<Plumbing> {
  const log = await createEmbeddedLog({ url: `file:${join(dir, "log.db")}`, logger: { warn: () => {}, error: console.error } });
  const topics = { bookings: TOPICS.bookings, notifications: TOPICS.notifications, locations: TOPICS.driverLocations };
  // In process: every "process" of the env shares the one store, as in `bun run dev`.
  const stream = createEmbeddedTripStream();
  return {
    log,
    geo: createEmbeddedGeoIndex(),
    surge: createEmbeddedSurgeStore(),
    topics,
    group: (g) => g,
    tripStream: async () => stream,
    dispose: () => stream.close(),
  };
}

async function kafkaAndRedis(): Promise<Plumbing> {
  const brokers = brokersFromEnv();
  const url = redisUrlFromEnv();
  const log = await createKafkaLog({ brokers, clientId: uniqueName("bookings-e2e"), logger: () => {} });
  const prefix = uniquePrefix("bookings-e2e");
  const topics = { bookings: uniqueName("bookings"), notifications: uniqueName("notifications"), locations: uniqueName("locations") };
  const streams: TripStream[] = [];
  return {
    log,
    geo: await createRedisGeoIndex({ url, prefix }),
    surge: createRedisSurgeStore(createBunRedisRunner(await connectRedis(url)), { prefix }),
    topics,
    group: (g) => uniqueName(g),
    async tripStream() {
      const s = await createRedisTripStream({ url, prefix });
      streams.push(s);
      return s;
    },
    async dispose() {
      await Promise.allSettled(streams.map((s) => s.close()));
      await deletePrefixes(url, [prefix]);
    },
  };
}

/** The catalogue's names → this env's topics. */
function topicNames(topics: Plumbing["topics"]): Record<string, string> {
  return { [TOPICS.bookings]: topics.bookings, [TOPICS.notifications]: topics.notifications, [TOPICS.driverLocations]: topics.locations };
}

export interface BookingEnvOptions {
  trip?: TripSettings;
  /** Also run the location worker (fixes posted to the gateway reach the geo index, the trail and the pickup geofence). */
  location?: { arrivalRadiusM?: number; maxSpeedKmh?: number };
  /** Also run the surge worker and its loop, with these settings. */
  surge?: { settings: SurgeSettings; tickMs: number };
  /** The gateway asks `start` for the customer's pickup code. */
  pickupCodeRequired?: boolean;
}

export async function openBookingEnv(mode: Mode, waves: WaveSettings, opts: BookingEnvOptions = {}): Promise<BookingEnv> {
  const dir = mkdtempSync(join(tmpdir(), "fleet-bookings-e2e-"));
  let p: Plumbing;
  try {
    p = mode === "Kafka + Redis" ? await kafkaAndRedis() : await embedded(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const spec = (name: string) => withDeadLetters(name, { keyField: "bookingId", description: "bookings e2e" });
  await p.log.admin().ensureTopics([...spec(p.topics.bookings), ...spec(p.topics.notifications), ...spec(p.topics.locations)]);
  const history = await openTempHistory("fleet-bookings-e2e-history-");
  const idempotency = await openIdempotencyStore({ url: `file:${join(dir, "gateway.db")}` });
  const publisher = renamed(p.log.publisher(), topicNames(p.topics));
  const logger = silentLogger();

  const booking = (bookingId: string) => readBooking(history.db, bookingId);
  const eta = createStraightLineEta();
  const gateway = (tripStream: TripStream) =>
    createApp({
      publisher,
      registry: new Registry(),
      logger,
      readiness: {},
      limits: {
        maxFixAgeMs: 3_600_000,
        staleAfterMs: 60_000,
        publishTimeoutMs: DEFAULT_PUBLISH_TIMEOUT_MS,
        follow: { heartbeatMs: 1_000 },
      },
      geo: p.geo,
      ...historyReads(history.db),
      idempotency,
      assets: fileAssets(),
      operator: testOperatorViews(p.log).operator,
      tripStream,
      eta,
      ...testSecurity(),
      trips: tripDeps(history.db, p.surge, {
        PICKUP_CODE_REQUIRED: opts.pickupCodeRequired,
        SURGE_FLOOR: opts.surge?.settings.floor,
        SURGE_WINDOW_S: opts.surge && opts.surge.settings.windowMs / 1000,
      }),
    });
  const workerStream = await p.tripStream();
  const app = gateway(await p.tripStream());

  const seen: (NotificationRequested & { eventId: string })[] = [];
  const probe: Subscription = await p.log.subscriber().subscribe({
    group: uniqueName("bookings-e2e-probe"),
    topics: [p.topics.notifications],
    handler: async (b) => {
      for (const r of b.records) {
        const e = parseEnvelope(r.value) as Envelope<NotificationRequested>;
        seen.push({ ...e.data, eventId: e.id });
      }
    },
  });

  let workers: RunningWorker[] = [];
  let loops: (BookingLoop | Periodic)[] = [];
  const groups = { booking: p.group(BOOKING_GROUP), location: p.group("fleet-location"), surge: p.group(SURGE_GROUP) };
  const env: BookingEnv = {
    app,
    secondGateway: async () => gateway(await p.tripStream()),
    tripStream: workerStream,
    geo: p.geo,
    surge: p.surge,
    history: history.db,
    log: p.log,
    topics: p.topics,
    booking,
    notifications: () => [...seen],
    async startWorker() {
      const outbox = createBookingOutbox(history.db, publisher);
      const deps = { db: history.db, geo: p.geo, publisher, eta, surge: p.surge, tripStream: workerStream, outbox };
      const common = { log: p.log, deps, registry: new Registry(), logger };
      workers.push(
        await runWorker({
          ...common,
          group: groups.booking,
          topics: [p.topics.bookings],
          handler: createBookingHandler({ waves, trip: opts.trip }),
          maxBatchSize: 100,
        }),
      );
      loops.push(startBookingLoop({ db: history.db, publisher, outbox, logger, intervalMs: 50 }));
      if (opts.location)
        workers.push(
          await runWorker({
            ...common,
            group: groups.location,
            topics: [p.topics.locations],
            handler: createLocationHandler(deps, opts.location),
            maxBatchSize: 1000,
          }),
        );
      if (opts.surge) {
        const settings = { surge: opts.surge.settings, staleAfterMs: 60_000 };
        workers.push(
          await runWorker({
            ...common,
            group: groups.surge,
            topics: [p.topics.bookings],
            handler: createSurgeHandler(settings),
            maxBatchSize: 500,
          }),
        );
        loops.push(startSurgeLoop({ deps, settings, logger, intervalMs: opts.surge.tickMs }));
      }
    },
    async stopWorker() {
      await Promise.all(loops.map((l) => l.stop()));
      await Promise.all(workers.map((w) => w.stop()));
      loops = [];
      workers = [];
    },
    async close() {
      await env.stopWorker();
      await probe.stop();
      await p.log.close();
      await p.geo.close();
      await p.surge.close();
      await p.dispose();
      idempotency.close();
      history.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await env.startWorker();
  return env;
}

/** A place `north` metres north of `origin`. */
export const north = (origin: { lat: number; lng: number }, m: number) => ({ lat: origin.lat + m / M_PER_DEG_LAT, lng: origin.lng });

/** Available drivers of a type at these places, seen just now. */
export async function seedDrivers(
  geo: GeoIndex,
  drivers: { id: string; at: { lat: number; lng: number } }[],
  vehicleType: "sedan" | "tipper" = "sedan",
): Promise<void> {
  const now = Date.now();
  await geo.setStatus(drivers.map((d) => ({ driverId: d.id, status: "available", vehicleType, changedAt: now - 60_000 })));
  await geo.upsertPositions(drivers.map((d) => ({ driverId: d.id, ...d.at, recordedAt: now })));
}

export { until } from "./support/until.ts";
