import type { GeoIndex } from "../geo-index.ts";
import { createRedisLayoutGeoIndex, type RedisLayoutOptions } from "../redis-layout/redis-geo-index.ts";
import { connectRedisCluster } from "./connect-cluster.ts";
import { createIoredisRunner } from "./ioredis-runner.ts";

/** Partitions of the index on a Cluster unless GEO_PARTITIONS says otherwise: several per master of a 3-master cluster. */
export const CLUSTER_DEFAULT_PARTITIONS = 12;

/**
 * GeoIndex on Redis Cluster (REDIS_CLUSTER_URLS), over ioredis. Same scripts as the
 * Redis and Upstash adapters, on the partitioned layout of redis-layout/redis-keys.ts:
 * every script runs in one slot, so one driver's update stays atomic however its type
 * and cell change. Where it differs from the port and from one Redis:
 * - a nearby search asks every partition (one script per partition and ring wave), so
 *   it costs `partitions` scripts where one Redis runs one; fix ingest spreads over the
 *   partitions' slots, so over the masters holding them (only `partitions` slots are
 *   busy: spread them over the masters with `redis-cli --cluster reshard`);
 * - replication is asynchronous: a failover can lose the last writes the old master
 *   acknowledged. Every write is conditional on newer device time and each driver's
 *   next fix places it again, so the index heals with the next fixes (or a replay);
 *   the history in libSQL is not affected;
 * - while a master is down and not yet failed over, calls on its slots fail (after
 *   ioredis's short retries, or the command timeout); the worker's geo call turns that
 *   into a retry, as for a Redis outage;
 * - positions come back rounded to Redis's 52-bit geohash (≈ 0.6 m), as with Redis.
 *
 * Client: ioredis rather than node-redis (`redis`). Measured with
 * `bun bench/redis-cluster/clients.ts` (BENCHMARKS.md) on this 2-core box while other
 * work shared it, the two were within each other's noise on fix ingest and nearby
 * search; ioredis is chosen for what its Cluster mode does on its own and node-redis
 * leaves to the caller: auto-pipelining per node, bounded retries on CLUSTERDOWN /
 * TRYAGAIN / failover redirects, a per-command timeout, and a slot-map refresh on every
 * MOVED, which is what the failover scenario (tests/faults/redis-cluster-failover) needs.
 */
export interface RedisClusterGeoOptions extends RedisLayoutOptions {
  urls: string[];
}

export async function createRedisClusterGeoIndex(opts: RedisClusterGeoOptions): Promise<GeoIndex> {
  const runner = createIoredisRunner(await connectRedisCluster(opts.urls));
  return createRedisLayoutGeoIndex(runner, { ...opts, partitions: opts.partitions ?? CLUSTER_DEFAULT_PARTITIONS });
}
