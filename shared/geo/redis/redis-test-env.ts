import { RedisClient } from "bun";

/** Test helpers for suites that need the Redis `bun run test` starts. Not a test file itself. */

export function redisUrlFromEnv(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set: run 'bun run test', which starts redis-server");
  return url;
}

/** Others share the dev Redis, so every index in a test gets its own key prefix. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under the prefixes a suite used. */
export async function deletePrefixes(url: string, prefixes: string[]): Promise<void> {
  const client = new RedisClient(url);
  try {
    for (const prefix of prefixes) {
      let cursor = "0";
      do {
        const [next, keys] = (await client.send("SCAN", [cursor, "MATCH", `${prefix}*`, "COUNT", "1000"])) as [string, string[]];
        if (keys.length > 0) await client.send("UNLINK", keys);
        cursor = next;
      } while (cursor !== "0");
    }
  } finally {
    client.close();
  }
}
