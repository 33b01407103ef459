import { Redis } from "@upstash/redis";
import type { GeoIndex } from "../geo-index.ts";
import { createRedisLayoutGeoIndex, type RedisLayoutOptions } from "../redis-layout/redis-geo-index.ts";
import { createUpstashRunner } from "./upstash-runner.ts";

/**
 * GeoIndex over Upstash's REST API (@upstash/redis): the gateway's read path on edge
 * runtimes, where no TCP client runs. Same keys and the same Lua scripts as the Redis
 * adapter, so either can read what the other wrote. Where it differs from the port:
 * - every call is an HTTPS round trip (a nearby search is one or two, an upsert one),
 *   so it suits reads and light writes; bulk ingest belongs on the TCP adapter;
 * - positions come back rounded to Redis's 52-bit geohash (≈ 0.6 m), as with Redis;
 * - the client retries failed fetches itself (5 tries, exponential backoff) before a
 *   call rejects; upserts and status changes are conditional on newer device time,
 *   so a request that ran before its response was lost changes nothing on retry;
 * - every script touches the keys of one hash slot (redis-layout/redis-keys.ts), so a
 *   sharded keyspace serves it as well as a single database; GEO_PARTITIONS must match
 *   the workers' if they write the same index through another adapter;
 * - close() has nothing to release.
 */
export interface UpstashGeoOptions extends RedisLayoutOptions {
  url: string;
  token: string;
}

export function createUpstashGeoIndex(opts: UpstashGeoOptions): GeoIndex {
  const redis = new Redis({
    url: opts.url,
    token: opts.token,
    // Ids, distances and timestamps stay strings; the adapter parses what it needs.
    automaticDeserialization: false,
    // Pipelines are explicit (one per ring wave), so batching behind our back gains nothing.
    enableAutoPipelining: false,
    enableTelemetry: false,
  });
  return createRedisLayoutGeoIndex(createUpstashRunner(redis), opts);
}
