import { Cluster } from "ioredis";

/** Test helpers for suites that need the Redis Cluster `bun run test` starts (`--redis-cluster`). Not a test file itself. */

export function redisClusterUrlsFromEnv(): string[] {
  const urls = process.env.REDIS_CLUSTER_URLS;
  if (!urls) throw new Error("REDIS_CLUSTER_URLS is not set: run 'bun run test', which starts a Redis Cluster");
  return urls.split(",").map((u) => u.trim());
}

/** Every key under the prefixes, on every master (a SCAN sees one node only). */
export async function clusterKeys(urls: string[], prefixes: string[]): Promise<string[]> {
  const cluster = seedCluster(urls);
  try {
    await new Promise<void>((resolve, reject) => cluster.once("ready", resolve).once("error", reject));
    const keys: string[] = [];
    for (const node of cluster.nodes("master")) {
      for (const prefix of prefixes) {
        let cursor = "0";
        do {
          const [next, batch] = await node.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
          keys.push(...batch);
          cursor = next;
        } while (cursor !== "0");
      }
    }
    return keys;
  } finally {
    cluster.disconnect();
  }
}

/** Deletes every key under the prefixes from every master. */
export async function deleteClusterPrefixes(urls: string[], prefixes: string[]): Promise<void> {
  const keys = await clusterKeys(urls, prefixes);
  const cluster = seedCluster(urls);
  try {
    await Promise.all(keys.map((k) => cluster.unlink(k)));
  } finally {
    cluster.disconnect();
  }
}

function seedCluster(urls: string[]): Cluster {
  return new Cluster(
    urls.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port) })),
    { enableAutoPipelining: true },
  );
}
