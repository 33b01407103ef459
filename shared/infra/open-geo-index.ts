import { createEmbeddedGeoIndex } from "../geo/embedded/embedded-geo.ts";
import type { GeoIndex } from "../geo/geo-index.ts";
import { createRedisGeoIndex } from "../geo/redis/redis-geo.ts";
import { createRedisClusterGeoIndex } from "../geo/redis-cluster/redis-cluster-geo.ts";
import { createUpstashGeoIndex } from "../geo/upstash/upstash-geo.ts";

export interface GeoSettings {
  REDIS_URL?: string;
  REDIS_CLUSTER_URLS?: string[];
  GEO_PARTITIONS?: number;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
}

/**
 * Redis Cluster (ioredis) when REDIS_CLUSTER_URLS is set, else Redis over Bun's native
 * client when REDIS_URL is set (workers' write path, and the gateway's reads), else
 * Upstash REST (edge-safe reads), else the in-process index that only `bun run dev`
 * can use, because it is not shared between processes. GEO_PARTITIONS must be the same
 * for every process sharing one index.
 */
export async function openGeoIndex(s: GeoSettings): Promise<GeoIndex> {
  const partitions = s.GEO_PARTITIONS;
  if (s.REDIS_CLUSTER_URLS?.length) return createRedisClusterGeoIndex({ urls: s.REDIS_CLUSTER_URLS, partitions });
  if (s.REDIS_URL) return createRedisGeoIndex({ url: s.REDIS_URL, partitions });
  if (s.UPSTASH_REDIS_REST_URL) {
    if (!s.UPSTASH_REDIS_REST_TOKEN) throw new Error("UPSTASH_REDIS_REST_TOKEN must be set with UPSTASH_REDIS_REST_URL");
    return createUpstashGeoIndex({ url: s.UPSTASH_REDIS_REST_URL, token: s.UPSTASH_REDIS_REST_TOKEN, partitions });
  }
  return createEmbeddedGeoIndex();
}
