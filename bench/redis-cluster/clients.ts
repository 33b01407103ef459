/**
 * Which Cluster-capable client the Redis Cluster GeoIndex adapter uses, measured: the same
 * GeoIndex (redis-layout, 12 partitions unless --partitions) over ioredis and over node-redis (`redis`), on
 * one 3-master Redis Cluster started here, in the same run, one client after the other:
 *
 *   bun bench/redis-cluster/clients.ts [--drivers 20000] [--seconds 8] [--concurrency 8] [--partitions 12]
 *
 * Fix ingest: rounds of 500-fix batches (one fix per driver, every driver moving), 4
 * batches in flight, as a location worker's partitions would send them. Nearby: closed
 * loop of 3 km / limit 10 queries. Both answer the same queries identically (checked).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Cluster } from "ioredis";
import { createCluster } from "redis";
import { startRedisCluster } from "../../redpanda/launcher/redis-cluster.ts";
import { offset, seededRandom } from "../../shared/geo/contract/seeded-random.ts";
import type { GeoIndex, NearbyQuery, PositionUpdate } from "../../shared/geo/geo-index.ts";
import { createIoredisRunner } from "../../shared/geo/redis-cluster/ioredis-runner.ts";
import { createRedisLayoutGeoIndex } from "../../shared/geo/redis-layout/redis-geo-index.ts";
import type { RedisRunner } from "../../shared/geo/redis-layout/redis-runner.ts";
import { closedLoop } from "../closed-loop.ts";
import { createNodeRedisRunner } from "./node-redis-runner.ts";

const { values: args } = parseArgs({
  options: {
    drivers: { type: "string", default: "20000" },
    seconds: { type: "string", default: "8" },
    concurrency: { type: "string", default: "8" },
    partitions: { type: "string", default: "12" },
  },
});
const DRIVERS = Number(args.drivers);
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const PARTITIONS = Number(args.partitions);
const BATCH = 500;
const CENTRE = { lat: 12.9716, lng: 77.5946 };
const NOW = Date.now();

const dataDir = await mkdtemp(join(tmpdir(), "fleet-bench-cluster-"));
const cluster = await startRedisCluster({ dataDir });
const seed = { host: "127.0.0.1", port: cluster.nodes[0]!.port };

const clients: { name: string; open(): Promise<RedisRunner> }[] = [
  {
    name: "ioredis 6.0.0",
    async open() {
      const c = new Cluster([seed], { enableAutoPipelining: true, scaleReads: "master" });
      await new Promise<void>((resolve, reject) => c.once("ready", resolve).once("error", reject));
      return createIoredisRunner(c);
    },
  },
  {
    name: "node-redis 6.3.1",
    async open() {
      const c = createCluster({ rootNodes: [{ url: `redis://${seed.host}:${seed.port}` }] });
      await c.connect();
      return createNodeRedisRunner(c as never);
    },
  },
];

const rng = seededRandom(7);
const home = Array.from({ length: DRIVERS }, () =>
  offset(CENTRE.lat, CENTRE.lng, 15_000 * Math.sqrt(rng.next()), rng.between(0, 2 * Math.PI)),
);
const queries: NearbyQuery[] = Array.from({ length: 5_000 }, () => ({
  ...offset(CENTRE.lat, CENTRE.lng, 12_000 * Math.sqrt(rng.next()), rng.between(0, 2 * Math.PI)),
  radiusM: 3_000,
  vehicleType: "sedan",
  limit: 10,
  now: NOW + 100,
  staleAfterMs: 3_600_000,
}));

const rows: string[] = [];
const answers: string[][] = [];
try {
  for (const client of clients) {
    const geo: GeoIndex = createRedisLayoutGeoIndex(await client.open(), {
      prefix: `bench:${client.name.split(" ")[0]}:`,
      partitions: PARTITIONS,
    });
    try {
      for (let i = 0; i < DRIVERS; i += BATCH) {
        const ids = home.slice(i, i + BATCH).map((_, j) => `d${i + j}`);
        await geo.setStatus(ids.map((driverId) => ({ driverId, status: "available", vehicleType: "sedan", changedAt: NOW })));
      }
      const rounds = 5;
      const t0 = performance.now();
      for (let r = 0; r < rounds; r++) {
        const fixes: PositionUpdate[] = home.map((p, i) => ({
          driverId: `d${i}`,
          ...offset(p.lat, p.lng, 30 * r, 1),
          recordedAt: NOW + r,
        }));
        const batches = Array.from({ length: Math.ceil(DRIVERS / BATCH) }, (_, b) => fixes.slice(b * BATCH, (b + 1) * BATCH));
        for (let b = 0; b < batches.length; b += 4) await Promise.all(batches.slice(b, b + 4).map((x) => geo.upsertPositions(x)));
      }
      const fixesPerS = (rounds * DRIVERS) / ((performance.now() - t0) / 1000);
      answers.push(await Promise.all(queries.slice(0, 100).map(async (q) => (await geo.nearby(q)).map((d) => d.driverId).join())));
      await closedLoop({ concurrency: CONCURRENCY, seconds: 2, request: (n) => geo.nearby(queries[n % queries.length]!) });
      const r = await closedLoop({ concurrency: CONCURRENCY, seconds: SECONDS, request: (n) => geo.nearby(queries[n % queries.length]!) });
      rows.push(
        `| ${client.name} | ${Math.round(fixesPerS).toLocaleString("en")} | ${Math.round(r.perSecond).toLocaleString("en")} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} |`,
      );
    } finally {
      await geo.close();
    }
  }
  const same = answers[0]!.filter((a, i) => a === answers[1]![i]).length;
  console.log(`
Redis Cluster clients — 3 masters on this box, GeoIndex with ${PARTITIONS} partitions, ${DRIVERS.toLocaleString("en")} available drivers (15 km disc)
fix ingest: ${BATCH}-fix batches, 4 in flight; nearby: 3 km, limit 10, ${CONCURRENCY} concurrent callers, ${SECONDS} s after a 2 s warm-up
both clients gave identical answers for ${same}/100 sample queries

| client | fixes/s | nearby queries/s | nearby p50 ms | nearby p99 ms |
|---|---:|---:|---:|---:|
${rows.join("\n")}
`);
} finally {
  await cluster.stop();
  await rm(dataDir, { recursive: true, force: true });
}
