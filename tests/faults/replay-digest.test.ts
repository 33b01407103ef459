import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { prepareReplay } from "../../cli/replay-command.ts";
import { type RedisService, startRedis } from "../../redpanda/launcher/redis.ts";
import { createStraightLineEta } from "../../shared/eta/straight-line-eta.ts";
import { DRIVER_LOCATION_REPORTED, DRIVER_STATUS_CHANGED } from "../../shared/events/driver.ts";
import { createEnvelope, envelopeHeaders } from "../../shared/events/envelope.ts";
import { TOPIC_CATALOGUE, TOPICS } from "../../shared/events/topics.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { createRedisGeoIndex } from "../../shared/geo/redis/redis-geo.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import type { EventLog, OutgoingRecord } from "../../shared/log/event-log.ts";
import { createKafkaLog } from "../../shared/log/kafka/kafka-log.ts";
import { silentLogger } from "../../shared/logging/logger.ts";
import { createRegistry } from "../../shared/metrics/registry.ts";
import { createLogNotifier } from "../../shared/notify/log/log-notifier.ts";
import { createEmbeddedSurgeStore } from "../../shared/surge/embedded/embedded-surge-store.ts";
import { createEmbeddedTripStream } from "../../shared/trip-stream/embedded/embedded-trip-stream.ts";
import { selectWorkers, WORKERS } from "../../workers/catalogue.ts";
import type { RunningWorker } from "../../workers/runtime/run-worker.ts";
import { startWorkers } from "../../workers/start-workers.ts";
import { until } from "../support/until.ts";
import { diff, libsqlDigest, redisDigest } from "./support/digest.ts";
import { lagOf, publishAll } from "./support/effects.ts";
import { startOwnKafka } from "./support/own-kafka.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout.
setDefaultTimeout(150_000);

const DRIVERS = 300;
const FIXES_PER_DRIVER = 15;
const SPECS = selectWorkers(["location", "status", "audit"]);
const TABLES = ["audit_events", "driver_trail", "processed_events"];

let kafka: Awaited<ReturnType<typeof startOwnKafka>>;
let redis: RedisService;
let log: EventLog;
let geo: GeoIndex;
let history: Awaited<ReturnType<typeof openTempHistory>>;

beforeAll(async () => {
  [kafka, redis] = await Promise.all([startOwnKafka(), startRedis()]);
  log = await createKafkaLog({ brokers: [kafka.brokers], clientId: "faults-replay", logger: () => {} });
  await log.admin().ensureTopics(TOPIC_CATALOGUE);
  geo = await createRedisGeoIndex({ url: redis.url, prefix: "faults" });
  history = await openTempHistory("fleet-faults-replay-");
});
afterAll(async () => {
  await geo?.close();
  await log?.close();
  await redis?.stop();
  await kafka?.dispose();
  history?.remove();
});

/** Drivers going available, moving along a meridian, half of them going busy at the end; every event a unique id. */
function traffic(t0: number): OutgoingRecord[] {
  const record = (topic: string, type: string, key: string, data: unknown): OutgoingRecord => {
    const e = createEnvelope({ type, key, data, source: "faults" });
    return { topic, key, value: JSON.stringify(e), headers: envelopeHeaders(e) };
  };
  const out: OutgoingRecord[] = [];
  for (let d = 0; d < DRIVERS; d++) {
    const driverId = `drv-${d}`;
    const vehicleType = d % 3 === 0 ? "sedan" : d % 3 === 1 ? "tipper" : "bike";
    out.push(
      record(TOPICS.driverStatus, DRIVER_STATUS_CHANGED, driverId, {
        driverId,
        status: "available",
        vehicleType,
        changedAt: new Date(t0).toISOString(),
      }),
    );
    for (let f = 0; f < FIXES_PER_DRIVER; f++) {
      // ~33 m and 5 s apart: the trail keeps about every other fix (≥ 50 m or ≥ 30 s), so the replay goes through its downsampling too.
      const fixes = [0, 1].map((k) => ({
        lat: 12.9 + d * 0.001 + (f * 2 + k) * 0.0003,
        lng: 77.5 + (d % 17) * 0.01,
        recordedAt: new Date(t0 + (f * 2 + k) * 5_000).toISOString(),
      }));
      out.push(record(TOPICS.driverLocations, DRIVER_LOCATION_REPORTED, driverId, { driverId, fixes }));
    }
    if (d % 2 === 0)
      out.push(
        record(TOPICS.driverStatus, DRIVER_STATUS_CHANGED, driverId, {
          driverId,
          status: "busy",
          vehicleType,
          changedAt: new Date(t0 + 200_000).toISOString(),
        }),
      );
  }
  return out;
}

async function runUntilCaughtUp(): Promise<number> {
  const started = performance.now();
  const running: RunningWorker[] = await startWorkers(SPECS, {
    log,
    deps: {
      db: history.db,
      geo,
      publisher: log.publisher(),
      logger: silentLogger(),
      notifier: createLogNotifier(silentLogger()),
      eta: createStraightLineEta(),
      surge: createEmbeddedSurgeStore(),
      tripStream: createEmbeddedTripStream(),
    },
    registry: createRegistry(),
    logger: silentLogger(),
  });
  try {
    const lag = async () => (await Promise.all(SPECS.map((s) => lagOf(log, s.group, s.topics)))).reduce((a, b) => a + b, 0);
    await until(lag, (n) => n === 0, "every group caught up", 90_000);
  } finally {
    await Promise.all(running.map((w) => w.stop()));
  }
  return performance.now() - started;
}

test("i. groups reset to earliest with the CLI's replay and run again: Redis and libSQL digests identical to before", async () => {
  const started = performance.now();
  // Recent device times: the geo index ignores fixes older than its staleness window.
  const records = traffic(Date.now() - 120_000);
  const acked = await publishAll(log, records, { chunk: 500 });
  const firstMs = await runUntilCaughtUp();
  const before = { redis: await redisDigest(redis.url), db: await libsqlDigest(history.db, TABLES) };

  // The geo index is rebuilt from the log: an empty Redis (a restart without persistence) is part of the replay.
  await redis.kill();
  await redis.restart();
  const out: string[] = [];
  for (const spec of SPECS)
    await prepareReplay([spec.name, "--to", "earliest"])({
      log,
      out: (l) => out.push(l),
      catalogue: { topics: TOPIC_CATALOGUE, groups: WORKERS },
    });
  const rewound = (await Promise.all(SPECS.map((s) => lagOf(log, s.group, s.topics)))).reduce((a, b) => a + b, 0);
  const emptied = (await redisDigest(redis.url)).keys;
  const replayMs = await runUntilCaughtUp();
  const after = { redis: await redisDigest(redis.url), db: await libsqlDigest(history.db, TABLES) };

  console.log(
    `[faults i] acked ${acked} events (${DRIVERS} drivers); first run ${Math.round(firstMs)} ms; replay: ${rewound} records rewound over ${SPECS.length} groups, Redis emptied to ${emptied} keys, rerun ${Math.round(replayMs)} ms; ` +
      `Redis ${before.redis.keys} keys ${before.redis.hash.slice(0, 12)} → ${after.redis.keys} keys ${after.redis.hash.slice(0, 12)}; libSQL ${JSON.stringify(before.db.rows)} ${before.db.hash.slice(0, 12)} → ${JSON.stringify(after.db.rows)} ${after.db.hash.slice(0, 12)}; total ${Math.round(performance.now() - started)} ms`,
  );
  expect(out.some((l) => l.includes("moved"))).toBe(true);
  expect(rewound).toBeGreaterThanOrEqual(acked);
  expect(emptied).toBe(0);
  expect(before.redis.keys).toBeGreaterThan(0);
  expect(before.db.rows.audit_events).toBe(DRIVERS * 1.5);
  expect(before.db.rows.driver_trail).toBeGreaterThan(DRIVERS);
  expect(diff(before.redis.dump, after.redis.dump)).toEqual([]);
  expect(diff(before.db.dump, after.db.dump)).toEqual([]);
  expect(after.redis.hash).toBe(before.redis.hash);
  expect(after.db.hash).toBe(before.db.hash);
});
