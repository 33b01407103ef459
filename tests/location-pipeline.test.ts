import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { driverTrail } from "../shared/db/schema.ts";
import { createStraightLineEta } from "../shared/eta/straight-line-eta.ts";
import { DRIVER_LOCATION_REPORTED, DRIVER_STATUS_CHANGED, type DriverStatus } from "../shared/events/driver.ts";
import { createEnvelope, envelopeHeaders } from "../shared/events/envelope.ts";
import { dlqTopicOf, TOPIC_CATALOGUE } from "../shared/events/topics.ts";
import { createEmbeddedGeoIndex } from "../shared/geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../shared/geo/geo-index.ts";
import { haversineM } from "../shared/geo/haversine.ts";
import { createRedisGeoIndex } from "../shared/geo/redis/redis-geo.ts";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../shared/geo/redis/redis-test-env.ts";
import { M_PER_DEG_LAT, openTempHistory } from "../shared/history/testing.ts";
import { createEmbeddedLog } from "../shared/log/embedded/embedded-log.ts";
import type { EventLog } from "../shared/log/event-log.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { brokersFromEnv, uniqueName } from "../shared/log/kafka/kafka-test-env.ts";
import { silentLogger } from "../shared/logging/logger.ts";
import { createRegistry } from "../shared/metrics/registry.ts";
import { createLogNotifier } from "../shared/notify/log/log-notifier.ts";
import { createEmbeddedSurgeStore } from "../shared/surge/embedded/embedded-surge-store.ts";
import { createEmbeddedTripStream } from "../shared/trip-stream/embedded/embedded-trip-stream.ts";
import { selectWorkers, type WorkerSpec } from "../workers/catalogue.ts";
import { startWorkers } from "../workers/start-workers.ts";
import { until } from "./support/until.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for real consumers.
setDefaultTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "fleet-location-pipeline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What one run of the pipeline needs: a log holding the topics the specs name, and a geo index. */
interface PipelineEnv {
  log: EventLog;
  geo: GeoIndex;
  /** The catalogue's location and status workers, renamed where the broker is shared. */
  specs: WorkerSpec[];
  /** Cleans up what the env created besides log and geo (Redis keys). */
  dispose?: () => Promise<void>;
}

const HOME = { lat: 12.9716, lng: 77.5946 };
/** The point `north` and `east` metres from HOME. */
const offset = (north: number, east: number) => ({
  lat: HOME.lat + north / M_PER_DEG_LAT,
  lng: HOME.lng + east / (M_PER_DEG_LAT * Math.cos((HOME.lat * Math.PI) / 180)),
});

function runPipeline(name: string, open: () => Promise<PipelineEnv>): void {
  test(`${name}: fixes and statuses published as the gateway does make available drivers visible nearby, nearest first`, async () => {
    const env = await open();
    const history = await openTempHistory("fleet-pipeline-history-");
    const workers = await startWorkers(env.specs, {
      log: env.log,
      deps: {
        db: history.db,
        geo: env.geo,
        publisher: env.log.publisher(),
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
      const topicOf = (worker: string) => env.specs.find((s) => s.name === worker)!.topics[0]!;
      const publish = async (topic: string, type: string, key: string, data: unknown) => {
        const e = createEnvelope({ type, key, data, source: "gateway" });
        await env.log.publisher().publish([{ topic, key, value: JSON.stringify(e), headers: envelopeHeaders(e) }]);
      };
      const setStatus = (driverId: string, status: DriverStatus) =>
        publish(topicOf("status"), DRIVER_STATUS_CHANGED, driverId, {
          driverId,
          status,
          vehicleType: "sedan",
          changedAt: new Date().toISOString(),
        });

      const run = crypto.randomUUID().slice(0, 6);
      // Each drives 11 m/s towards where it stops, for 15 s, a fix a second, flushed 5 at a time.
      const drivers = [
        { id: `near-${run}`, status: "available", at: { north: 300, east: 0 } },
        { id: `mid-${run}`, status: "available", at: { north: 0, east: 800 } },
        { id: `far-${run}`, status: "available", at: { north: -1000, east: -1100 } },
        { id: `busy-${run}`, status: "busy", at: { north: 100, east: 0 } },
      ] as const;
      const t0 = Date.now() - 20_000;
      for (const d of drivers) {
        await setStatus(d.id, d.status);
        const fixes = Array.from({ length: 15 }, (_, s) => {
          const back = (14 - s) * 11;
          return { ...offset(d.at.north + back, d.at.east), recordedAt: new Date(t0 + s * 1000).toISOString(), speed: 11 };
        });
        for (let i = 0; i < 15; i += 5)
          await publish(topicOf("location"), DRIVER_LOCATION_REPORTED, d.id, { driverId: d.id, fixes: fixes.slice(i, i + 5) });
      }

      const search = () =>
        env.geo.nearby({ ...HOME, radiusM: 5_000, vehicleType: "sedan", limit: 10, now: Date.now(), staleAfterMs: 60_000 });
      // Each driver's three records may land in separate batches: wait for the last fix of each.
      const found = await until(
        search,
        (r) => r.length >= 3 && r.every((d) => d.lastSeenAt === t0 + 14_000),
        "three drivers nearby at their last fix",
      );
      expect(found.map((d) => d.driverId)).toEqual([drivers[0].id, drivers[1].id, drivers[2].id]);
      for (const [i, d] of found.entries()) {
        const at = offset(drivers[i]!.at.north, drivers[i]!.at.east);
        // Within a metre: Redis keeps positions to its 52-bit geohash (≈ 0.6 m).
        expect(Math.abs(d.distanceM - haversineM(HOME.lat, HOME.lng, at.lat, at.lng))).toBeLessThan(1);
        expect(d.lastSeenAt).toBe(t0 + 14_000);
      }
      const busy = await until(
        () => env.geo.get(drivers[3].id),
        (s) => s?.position?.recordedAt === t0 + 14_000,
        "the busy driver's last fix",
      );
      expect(busy?.status).toBe("busy");
      expect((await search()).map((d) => d.driverId)).not.toContain(drivers[3].id);

      // 11 m/s stores a point every 5 s (the first fix 50 m on): 0, 5 and 10 s of each drive.
      for (const d of drivers) {
        const trail = await until(
          () =>
            history.db.orm
              .select({ t: driverTrail.recordedAt })
              .from(driverTrail)
              .where(eq(driverTrail.driverId, d.id))
              .orderBy(driverTrail.recordedAt),
          (r) => r.length >= 3,
          `${d.id}'s trail`,
        );
        expect(trail.map((r) => (r.t - t0) / 1000)).toEqual([0, 5, 10]);
      }

      await setStatus(drivers[0].id, "busy");
      const after = await until(search, (r) => r.length === 2, "the nearest driver to turn busy");
      expect(after.map((d) => d.driverId)).toEqual([drivers[1].id, drivers[2].id]);
    } finally {
      await Promise.allSettled(workers.map((w) => w.stop()));
      await env.log.close();
      await env.geo.close();
      await env.dispose?.();
      history.remove();
    }
  });
}

describe("location pipeline", () => {
  runPipeline("embedded log + embedded geo", async () => {
    const log = await createEmbeddedLog({ url: `file:${join(dir, "log.db")}`, logger: { warn: () => {}, error: console.error } });
    const specs = selectWorkers(["location", "status"]);
    const topics = specs.flatMap((s) => s.topics.flatMap((t) => [t, dlqTopicOf(t)]));
    await log.admin().ensureTopics(TOPIC_CATALOGUE.filter((t) => topics.includes(t.name)));
    return { log, geo: createEmbeddedGeoIndex(), specs };
  });

  runPipeline("Kafka + Redis", async () => {
    const brokers = brokersFromEnv();
    const url = redisUrlFromEnv();
    // The broker and Redis are shared: the catalogue's workers on topics, groups and keys of their own.
    const specs = selectWorkers(["location", "status"]).map((s) => ({
      ...s,
      group: uniqueName(s.group),
      topics: s.topics.map((t) => uniqueName(t)),
    }));
    const log = await createKafkaLog({ brokers, clientId: uniqueName("location-pipeline"), logger: () => {} });
    await log.admin().ensureTopics(
      specs.flatMap((s) =>
        s.topics.flatMap((name) =>
          [name, dlqTopicOf(name)].map((n) => ({
            name: n,
            partitions: 3,
            retentionMs: 3_600_000,
            cleanupPolicy: "delete" as const,
            keyField: "driverId",
            description: "location pipeline test",
          })),
        ),
      ),
    );
    const prefix = uniquePrefix("location-pipeline");
    return { log, geo: await createRedisGeoIndex({ url, prefix }), specs, dispose: () => deletePrefixes(url, [prefix]) };
  });
});
