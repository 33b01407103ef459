import { afterAll } from "bun:test";
import { deletePrefixes, redisUrlFromEnv, uniquePrefix } from "../../shared/geo/redis/redis-test-env.ts";
import { startUpstashBridge, type UpstashBridge } from "./upstash-bridge.ts";

/**
 * For a suite testing an Upstash adapter against the real redis-server of REDIS_URL
 * through this bridge. Throws without REDIS_URL, failing the suite (it needs `bun run
 * test`). The bridge starts on the first `connect()`, inside a test, so a failure to
 * start fails that test with its reason; after the suite it stops, and every key
 * prefix handed out is deleted.
 */
export function upstashBridgeForSuite(label: string): {
  redisUrl: string;
  connect(): Promise<{ url: string; token: string; prefix: string }>;
} {
  const redisUrl = redisUrlFromEnv();
  const prefixes: string[] = [];
  let bridge: Promise<UpstashBridge> | undefined;
  afterAll(async () => {
    await (await bridge)?.stop();
    await deletePrefixes(redisUrl, prefixes);
  });
  return {
    redisUrl,
    async connect() {
      const { url, token } = await (bridge ??= startUpstashBridge({ redisUrl, token: crypto.randomUUID() }));
      const prefix = uniquePrefix(label);
      prefixes.push(prefix);
      return { url, token, prefix };
    },
  };
}
