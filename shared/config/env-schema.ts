import * as v from "valibot";
import { DEFAULT_STALE_AFTER_MS } from "../geo/geo-index.ts";

/*
 * Building blocks shared by each process's config schema. Env values are strings;
 * these pieces turn them into typed settings and reject anything malformed, so a
 * wrong variable stops start-up with its name instead of failing later.
 */

export const optionalString = v.optional(v.pipe(v.string(), v.trim(), v.minLength(1)));

export const port = (fallback: number) =>
  v.optional(
    v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number"), v.transform(Number), v.integer(), v.minValue(0), v.maxValue(65535)),
    String(fallback),
  );

/** A comma-separated list (spaces around items ignored), at least one item, each passing `itemOk`. */
const commaList = (itemOk: (item: string) => boolean, emptyMessage: string, itemMessage: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.transform((s) =>
        s
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean),
      ),
      v.minLength(1, emptyMessage),
      v.everyItem(itemOk, itemMessage),
    ),
  );

export const brokers = commaList((b) => /^[^\s:]+:\d+$/.test(b), "must list at least one host:port", "each broker must be host:port");

/** A listen address: an IPv4 or IPv6 address or a host name. */
export const listenHost = (fallback: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(
        /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/,
        "must be an IP address or a host name",
      ),
    ),
    fallback,
  );

export const url = (...protocols: string[]) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.url("must be a URL"),
      v.check((u) => protocols.some((p) => u.startsWith(p)), `must start with ${protocols.join(" or ")}`),
    ),
  );

/** Comma-separated `redis://` / `rediss://` URLs: the seed nodes of a Redis Cluster (any one finds the rest). */
export const redisClusterUrls = commaList(
  (u) => /^rediss?:\/\/[^\s/]+:\d+\/?$/.test(u),
  "must list at least one redis:// URL",
  "each node must be redis://host:port (or rediss://)",
);

/** Partitions of the Redis geo index (shared/geo/redis-layout/redis-keys.ts); unset → the adapter's default. */
export const geoPartitions = v.optional(
  v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number of partitions"), v.transform(Number), v.minValue(1), v.maxValue(1024)),
);

export const logLevel = v.optional(v.picklist(["debug", "info", "warn", "error"]), "info");

export const commonEnv = {
  DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), ".data"),
  KAFKA_BROKERS: brokers,
  REDIS_URL: url("redis://", "rediss://"),
  REDIS_CLUSTER_URLS: redisClusterUrls,
  GEO_PARTITIONS: geoPartitions,
  UPSTASH_REDIS_REST_URL: url("http://", "https://"),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  LIBSQL_URL: url("file:", "libsql://", "http://", "https://", "ws://", "wss://"),
  LIBSQL_AUTH_TOKEN: optionalString,
  LOG_LEVEL: logLevel,
};

/** A whole number of `unit` from the environment, at least `min` (and at most `max`), with a default. */
export const wholeNumber = (fallback: number, min: number, unit: string, max = Number.MAX_SAFE_INTEGER) =>
  v.optional(
    v.pipe(v.string(), v.regex(/^\d+$/, `must be a whole number of ${unit}`), v.transform(Number), v.minValue(min), v.maxValue(max)),
    String(fallback),
  );

/** Gateway and workers: drivers silent longer are not offered bookings nor counted as supply (the gateway's nearby search too). */
export const staleAfterS = wholeNumber(DEFAULT_STALE_AFTER_MS / 1000, 1, "seconds");
