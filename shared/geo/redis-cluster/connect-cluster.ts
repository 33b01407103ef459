import { Cluster } from "ioredis";

/** How long a command may wait (queued while a node reconnects, or slow) before it rejects. */
const COMMAND_TIMEOUT_MS = 5_000;

/**
 * An ioredis Cluster client from seed URLs (any node will do; it discovers the rest).
 * Tuned so an outage turns into errors the caller retries, not into calls that hang:
 * a command rejects after COMMAND_TIMEOUT_MS, and ioredis's own waits on CLUSTERDOWN
 * or a failover (MOVED to a node it must reconnect to) are short and few; the slot map
 * is refreshed on every redirection, so a promoted replica is found at once.
 */
export async function connectRedisCluster(urls: string[]): Promise<Cluster> {
  const cluster = redisClusterClient(urls);
  try {
    await new Promise<void>((resolve, reject) => {
      cluster.once("ready", resolve);
      cluster.once("error", reject);
    });
  } catch (error) {
    cluster.disconnect();
    throw new Error(`Redis Cluster at ${urls.join(",")} is not reachable: ${(error as Error).message}`, { cause: error });
  }
  return cluster;
}

/** The same client, connecting in the background: for callers that must not wait (a rate limiter answers "unavailable" until it is ready). */
export function redisClusterClient(urls: string[]): Cluster {
  const nodes = urls.map((u) => {
    const url = new URL(u);
    return { host: url.hostname, port: Number(url.port || 6379) };
  });
  const first = new URL(urls[0]!);
  const cluster = new Cluster(nodes, {
    // Commands for one node issued in one tick leave in one write.
    enableAutoPipelining: true,
    scaleReads: "master",
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    maxRedirections: 8,
    // While every node is unreachable, keep trying (a restart); callers see timeouts meanwhile.
    clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    redisOptions: {
      username: first.username || undefined,
      password: first.password ? decodeURIComponent(first.password) : undefined,
      tls: first.protocol === "rediss:" ? {} : undefined,
      connectTimeout: 2_000,
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 2,
    },
  });
  // ioredis emits "error" for every failed node connection while it retries; the calls that fail carry it to callers.
  cluster.on("error", () => {});
  return cluster;
}
