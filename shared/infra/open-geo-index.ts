import { createEmbeddedGeoIndex } from "../geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../geo/geo-index.ts";
import { createRedisGeoIndex } from "../geo/redis/redis-geo.ts";
import { createUpstashGeoIndex } from "../geo/upstash/upstash-geo.ts";

export interface GeoSettings {
  REDIS_URL?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
}

/**
 * Redis over Bun's native client when REDIS_URL is set (workers' write path, and the
 * gateway's reads), else Upstash REST (edge-safe reads), else the in-process index
 * that only `bun run dev` can use, because it is not shared between processes.
 */
export async function openGeoIndex(s: GeoSettings): Promise<GeoIndex> {
  if (s.REDIS_URL) return createRedisGeoIndex({ url: s.REDIS_URL });
  if (s.UPSTASH_REDIS_REST_URL) {
    if (!s.UPSTASH_REDIS_REST_TOKEN) throw new Error("UPSTASH_REDIS_REST_TOKEN must be set with UPSTASH_REDIS_REST_URL");
    return createUpstashGeoIndex({ url: s.UPSTASH_REDIS_REST_URL, token: s.UPSTASH_REDIS_REST_TOKEN });
  }
  return createEmbeddedGeoIndex();
}
