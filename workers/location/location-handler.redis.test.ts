import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { startRedis } from "../../redpanda/launcher/redis.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import { createRedisGeoIndex } from "../../shared/geo/redis/redis-geo.ts";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../../shared/geo/redis/redis-test-env.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import { recordingPublisher } from "../booking/testing.ts";
import { runLocationHandlerCases } from "./location-handler.cases.ts";
import { createLocationHandler } from "./location-handler.ts";
import { locationEvent } from "./testing.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; the outage test restarts a Redis.
setDefaultTimeout(60_000);

const url = redisUrlFromEnv();
const prefixes: string[] = [];
afterAll(() => deletePrefixes(url, prefixes));

runLocationHandlerCases({
  name: "Redis",
  createGeo: () => {
    const prefix = uniquePrefix("location-handler");
    prefixes.push(prefix);
    return createRedisGeoIndex({ url, prefix });
  },
});

test("location handler over Redis: Redis going away is a RetryableError, and once it is back the retried batch lands", async () => {
  const redis = await startRedis(); // its own server: this test kills it
  const history = await openTempHistory("fleet-location-outage-");
  const geo = await createRedisGeoIndex({ url: redis.url, prefix: "outage:" });
  const t0 = Date.UTC(2026, 10, 1, 8, 0, 0);
  try {
    const handler = createLocationHandler({ geoTimeoutMs: 1_000 });
    const deps = { db: history.db, geo, publisher: recordingPublisher() };
    await handler([locationEvent("out-1", t0, [{ s: 0 }])], deps);
    await redis.kill();
    const batch = [locationEvent("out-1", t0, [{ s: 40, north: 100 }])];
    // Depending on where its reconnect loop is, Bun's client fails a command at once or
    // holds it until it gives up (~30 s): either way each attempt must fail fast and retryable.
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = Date.now();
      const err = await handler(batch, deps).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryableError);
      expect(Date.now() - started).toBeLessThan(3_000);
    }

    await redis.restart(); // empty: Redis lost its memory, as after a crash without persistence
    for (let attempt = 1; ; attempt++) {
      const outcome = await handler(batch, deps).then(
        () => "landed",
        (e: unknown) => e,
      );
      if (outcome === "landed") break;
      expect(outcome).toBeInstanceOf(RetryableError);
      if (attempt === 100) throw new Error("the batch never landed after Redis came back");
      await Bun.sleep(100);
    }
    expect((await geo.get("out-1"))?.position?.recordedAt).toBe(t0 + 40_000);
    const trail = await history.db.client.execute("SELECT recorded_at FROM driver_trail WHERE driver_id = 'out-1' ORDER BY recorded_at");
    expect(trail.rows.map((r) => (Number(r.recorded_at) - t0) / 1000)).toEqual([0, 40]);
  } finally {
    await geo.close();
    await redis.stop();
    history.remove();
  }
});
