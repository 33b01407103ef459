import type { GeoIndex } from "../geo-index.ts";
import { createRedisLayoutGeoIndex, type RedisLayoutOptions } from "../redis-layout/redis-geo-index.ts";
import { createBunRedisRunner } from "./bun-redis-runner.ts";
import { connectRedis } from "./connect-redis.ts";

/**
 * GeoIndex on Redis over Bun's native client (the workers' write path and the
 * gateway's reads when REDIS_URL is set). Where the technology differs from the port:
 * - positions come back rounded to Redis's 52-bit geohash (≈ 0.6 m); distances are
 *   Redis's haversine on those (EARTH_RADIUS_M in haversine.ts);
 * - Bun's client has no Cluster support: one standalone Redis (or a primary with
 *   replicas). On Redis Cluster use redis-cluster/ (REDIS_CLUSTER_URLS): same keys
 *   and scripts, and every script already stays in one hash slot (redis-layout/redis-keys.ts);
 * - a dropped connection fails the calls in flight and, while Redis is down, every
 *   call at once (connect-redis.ts); the next call reconnects. The worker's geo-call
 *   turns the failure into a retry, and every write is conditional on newer device
 *   time, so a retried batch changes nothing twice. A Redis that hangs without
 *   closing the connection hangs the call: the client has no per-command timeout;
 * - Lua scripts are not rolled back on error: a script that fails midway (a key of
 *   the wrong type after a clash) may have applied part of its batch. Positions are
 *   checked before the script runs so bad input never gets that far.
 */
export interface RedisGeoOptions extends RedisLayoutOptions {
  url: string;
}

export async function createRedisGeoIndex(opts: RedisGeoOptions): Promise<GeoIndex> {
  return createRedisLayoutGeoIndex(createBunRedisRunner(await connectRedis(opts.url)), opts);
}
