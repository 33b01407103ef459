import * as v from "valibot";

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

export const brokers = v.optional(
  v.pipe(
    v.string(),
    v.transform((s) =>
      s
        .split(",")
        .map((b) => b.trim())
        .filter(Boolean),
    ),
    v.minLength(1, "must list at least one host:port"),
    v.everyItem((b) => /^[^\s:]+:\d+$/.test(b), "each broker must be host:port"),
  ),
);

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

export const logLevel = v.optional(v.picklist(["debug", "info", "warn", "error"]), "info");

export const commonEnv = {
  DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), ".data"),
  KAFKA_BROKERS: brokers,
  REDIS_URL: url("redis://", "rediss://"),
  UPSTASH_REDIS_REST_URL: url("http://", "https://"),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  LIBSQL_URL: url("file:", "libsql://", "http://", "https://", "ws://", "wss://"),
  LIBSQL_AUTH_TOKEN: optionalString,
  LOG_LEVEL: logLevel,
};

/** A whole number from the environment, at least `min`, with a default. */
export const wholeNumber = (fallback: number, min: number, unit: string) =>
  v.optional(
    v.pipe(v.string(), v.regex(/^\d+$/, `must be a whole number of ${unit}`), v.transform(Number), v.minValue(min)),
    String(fallback),
  );

/** Gateway: the longest a fix or status request waits for the broker's ack before 503 + Retry-After (gateway/events/publish-event.ts). */
export const publishTimeoutMs = wholeNumber(2000, 100, "milliseconds");

/** Gateway: /readyz fails while any worker group lags more records than this on its topics (gateway/events/lag-readiness.ts). */
export const readyMaxConsumerLag = wholeNumber(50_000, 1, "records");
