/**
 * Nearby search over one metro's drivers (docs/architecture.md: ≥ 5,000 queries/s, p99 ≤ 10 ms),
 * sharded index against plain GEOSEARCH over one metro-wide set, in the same run:
 *
 *   bun bench/nearby.ts [--drivers 100000] [--res 6] [--concurrency 8] [--seconds 10] [--radius 5000] [--limit 10]
 *
 * Uses REDIS_URL when set (keys under a fresh prefix, deleted afterwards), else starts
 * its own redis-server. Shape: every driver available, one vehicle type (the worst case:
 * per-type sharding does not help), fixes fresh; half the drivers spread evenly over a
 * disc 40 km across, half in a core (normal, σ 5 km) as in a real metro. Queries come
 * from the same distribution (riders are where drivers are). Clients are concurrent
 * callers sharing one adapter and one connection, as a gateway process would.
 */
import { parseArgs } from "node:util";
import { startRedis } from "../redpanda/launcher/redis.ts";
import { offset, type Random, seededRandom } from "../shared/geo/contract/seeded-random.ts";
import type { GeoIndex, NearbyQuery } from "../shared/geo/geo-index.ts";
import { connectRedis } from "../shared/geo/redis/connect-redis.ts";
import { createRedisGeoIndex } from "../shared/geo/redis/redis-geo.ts";
import { deletePrefixes } from "../shared/geo/redis/redis-test-env.ts";
import { DEFAULT_SHARD_RESOLUTION } from "../shared/geo/shard-layout.ts";
import { closedLoop, type LoopResult } from "./closed-loop.ts";

const { values: args } = parseArgs({
  options: {
    drivers: { type: "string", default: "100000" },
    res: { type: "string", default: String(DEFAULT_SHARD_RESOLUTION) },
    concurrency: { type: "string", default: "8" },
    seconds: { type: "string", default: "10" },
    radius: { type: "string", default: "5000" },
    limit: { type: "string", default: "10" },
  },
});
const DRIVERS = Number(args.drivers);
const RES = Number(args.res);
const CONCURRENCY = Number(args.concurrency);
const SECONDS = Number(args.seconds);
const RADIUS_M = Number(args.radius);
const LIMIT = Number(args.limit);
const CENTRE = { lat: 12.9716, lng: 77.5946 };
const BATCH = 1000;
const NOW = Date.now();

function metroPoint(rng: Random) {
  if (rng.next() < 0.5) return offset(CENTRE.lat, CENTRE.lng, 20_000 * Math.sqrt(rng.next()), rng.between(0, 2 * Math.PI));
  const gauss = Math.sqrt(-2 * Math.log(1 - rng.next())) * 5_000; // Box-Muller radius, σ 5 km
  return offset(CENTRE.lat, CENTRE.lng, Math.min(gauss, 20_000), rng.between(0, 2 * Math.PI));
}

const own = process.env.REDIS_URL ? undefined : await startRedis();
const url = process.env.REDIS_URL ?? own!.url;
const prefix = `bench:nearby:${Date.now().toString(36)}:`;
const admin = await connectRedis(url);
const geo: GeoIndex = await createRedisGeoIndex({ url, prefix, resolution: RES });

async function redisStats(command: string): Promise<{ calls: number; cpuS: number }> {
  const info = String(await admin.send("INFO", ["all"]));
  const field = (re: RegExp) => Number(info.match(re)?.[1] ?? 0);
  return {
    calls: field(new RegExp(`cmdstat_${command}:calls=(\\d+)`)),
    cpuS: field(/used_cpu_user:([\d.]+)/) + field(/used_cpu_sys:([\d.]+)/),
  };
}

try {
  const rng = seededRandom(1);
  const drivers = Array.from({ length: DRIVERS }, (_, i) => ({ driverId: `b${i}`, ...metroPoint(rng), recordedAt: NOW }));
  const loadStarted = performance.now();
  for (let i = 0; i < DRIVERS; i += BATCH) {
    const batch = drivers.slice(i, i + BATCH);
    await geo.setStatus(batch.map((d) => ({ driverId: d.driverId, status: "available", vehicleType: "sedan", changedAt: NOW })));
    await geo.upsertPositions(batch);
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const plainKey = `${prefix}plain`;
  for (let i = 0; i < DRIVERS; i += BATCH)
    await admin.send("GEOADD", [plainKey, ...drivers.slice(i, i + BATCH).flatMap((d) => [String(d.lng), String(d.lat), d.driverId])]);

  const points = Array.from({ length: 50_000 }, () => metroPoint(rng));
  const query = (n: number): NearbyQuery => ({
    ...points[n % points.length]!,
    radiusM: RADIUS_M,
    vehicleType: "sedan",
    limit: LIMIT,
    now: NOW,
    staleAfterMs: 3_600_000,
  });
  const plain = (n: number) => {
    const q = query(n);
    return admin.send("GEOSEARCH", [
      plainKey,
      "FROMLONLAT",
      String(q.lng),
      String(q.lat),
      "BYRADIUS",
      String(RADIUS_M),
      "m",
      "ASC",
      "COUNT",
      String(LIMIT),
    ]) as Promise<string[]>;
  };

  // Exactness smoke test: the sharded answer is plain GEOSEARCH's answer.
  let agree = 0;
  for (let n = 0; n < 200; n++) {
    const [sharded, flat] = await Promise.all([geo.nearby(query(n)), plain(n)]);
    if (sharded.map((d) => d.driverId).join() === flat.join()) agree++;
  }

  const measure = async (command: string, request: (n: number) => Promise<unknown>): Promise<[LoopResult, number, number]> => {
    await closedLoop({ concurrency: CONCURRENCY, seconds: 2, request });
    const before = await redisStats(command);
    const result = await closedLoop({ concurrency: CONCURRENCY, seconds: SECONDS, request });
    const after = await redisStats(command);
    const perQuery = (after.calls - before.calls) / result.requests;
    return [result, perQuery, ((after.cpuS - before.cpuS) * 1e6) / result.requests];
  };
  const rows: [string, LoopResult, string, number][] = [];
  const [sharded, scripts, shardedCpu] = await measure("evalsha", (n) => geo.nearby(query(n)));
  rows.push([`sharded (H3 res ${RES}, ring search)`, sharded, `${scripts.toFixed(2)} shard scripts`, shardedCpu]);
  const [flat, searches, flatCpu] = await measure("geosearch", plain);
  rows.push(["plain GEOSEARCH, one metro-wide set", flat, `${searches.toFixed(2)} GEOSEARCH`, flatCpu]);

  const f = (n: number, d = 2) => n.toFixed(d);
  console.log(`
nearby search — ${DRIVERS.toLocaleString("en")} available drivers of one type in one metro (~40 km across, half in a σ 5 km core)
radius ${RADIUS_M} m, limit ${LIMIT}, ${CONCURRENCY} concurrent clients on one connection, closed loop ${SECONDS} s after a 2 s warm-up
Redis ${own ? "started by the bench" : url}; bulk load through the adapter (status + fixes, batches of ${BATCH}): ${f(DRIVERS / loadSeconds / 1000, 1)}k drivers/s
sharded answer = plain GEOSEARCH answer for ${agree}/200 sample queries

| search | queries/s | p50 ms | p99 ms | p99.9 ms | max ms | Redis work per query | Redis CPU µs/query |
|---|---:|---:|---:|---:|---:|---|---:|
${rows.map(([name, r, work, cpu]) => `| ${name} | ${Math.round(r.perSecond).toLocaleString("en")} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${f(r.p999Ms)} | ${f(r.maxMs)} | ${work} | ${f(cpu, 0)} |`).join("\n")}
`);
} finally {
  await geo.close();
  if (own) await own.stop();
  else await deletePrefixes(url, [prefix]);
  admin.close();
}
