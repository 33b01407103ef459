import { Redis } from "@upstash/redis";
import { createBunRedisRunner } from "../geo/redis/bun-redis-runner.ts";
import { connectRedis } from "../geo/redis/connect-redis.ts";
import { createUpstashRunner } from "../geo/upstash/upstash-runner.ts";
import { createEmbeddedSurgeStore } from "../surge/embedded/embedded-surge-store.ts";
import { createRedisSurgeStore } from "../surge/redis/redis-surge-store.ts";
import type { SurgeStore } from "../surge/surge-store.ts";
import type { GeoSettings } from "./open-geo-index.ts";

/**
 * The surge store beside the geo index: Redis over Bun's client when REDIS_URL is set
 * (the surge worker writes, gateways read), else Upstash REST (a gateway on the edge
 * reads), else in process, which only `bun run dev` can use (gateway and surge worker
 * share it there).
 */
export async function openSurgeStore(s: GeoSettings): Promise<SurgeStore> {
  if (s.REDIS_URL) return createRedisSurgeStore(createBunRedisRunner(await connectRedis(s.REDIS_URL)));
  if (s.UPSTASH_REDIS_REST_URL) {
    if (!s.UPSTASH_REDIS_REST_TOKEN) throw new Error("UPSTASH_REDIS_REST_TOKEN must be set with UPSTASH_REDIS_REST_URL");
    const redis = new Redis({
      url: s.UPSTASH_REDIS_REST_URL,
      token: s.UPSTASH_REDIS_REST_TOKEN,
      automaticDeserialization: false,
      enableTelemetry: false,
    });
    return createRedisSurgeStore(createUpstashRunner(redis));
  }
  return createEmbeddedSurgeStore();
}
